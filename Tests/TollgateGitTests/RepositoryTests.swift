import Foundation
import Testing
import TollgateGit
import TollgateTestSupport

@Suite("Repository")
struct RepositoryTests {
    @Test("a folder that is not a repository is named in the error")
    func notARepository() throws {
        let folder = try TemporaryDirectory()
        #expect(throws: GitError.notARepository(path: folder.path)) { try Repository(at: folder.path) }
    }

    @Test("an empty repository says it has no commits")
    func emptyRepository() throws {
        let fixture = try GitFixture()
        let repository = try Repository(at: fixture.path)
        #expect(throws: GitError.emptyRepository(path: fixture.path)) { try repository.branchTip(named: "main") }
    }

    @Test("a missing branch lists the branches there are")
    func missingBranch() throws {
        let fixture = try GitFixture()
        try fixture.write("README", "hello\n")
        try fixture.commit("first")
        try fixture.git("branch", "develop")
        let repository = try Repository(at: fixture.path)
        let error = try #require(throws: GitError.self) { try repository.branchTip(named: "mian") }
        #expect(error == .branchNotFound(name: "mian", known: ["develop", "main"]))
        #expect(error.description.contains("'mian'"))
        #expect(error.description.contains("develop, main"))
    }

    @Test("revisions resolve to commits, and unknown ones are named")
    func resolve() throws {
        let fixture = try GitFixture()
        try fixture.write("a", "1\n")
        let first = try fixture.commit("first")
        try fixture.write("a", "2\n")
        let second = try fixture.commit("second")
        try fixture.git("tag", "-a", "v1", "-m", "release", first)
        let repository = try Repository(at: fixture.path)
        #expect(try repository.resolveCommit("HEAD").hex == second)
        #expect(try repository.resolveCommit("HEAD~1").hex == first)
        #expect(try repository.resolveCommit("v1").hex == first)
        #expect(try repository.resolveCommit(String(first.prefix(10))).hex == first)
        #expect(throws: GitError.revisionNotFound(revision: "nope")) { try repository.resolveCommit("nope") }
        #expect(try repository.isAncestor(#require(ObjectID(hex: first)), of: #require(ObjectID(hex: second))))
        #expect(try !repository.isAncestor(#require(ObjectID(hex: second)), of: #require(ObjectID(hex: first))))
    }

    @Test("commit metadata is copied out: author, committer, offset, first line")
    func commitMetadata() throws {
        let fixture = try GitFixture()
        try fixture.write("a", "1\n")
        let id = try fixture.commit("Subject line\n\nBody text", author: "Bob Example <bob@example.com>", date: 1_700_000_000)
        let repository = try Repository(at: fixture.path)
        let commit = try repository.commit(#require(ObjectID(hex: id)))
        #expect(commit.summary == "Subject line")
        #expect(commit.author == GitSignature(name: "Bob Example", email: "bob@example.com", time: 1_700_000_000, offsetMinutes: 60))
        #expect(commit.committer.email == "alice@example.com")
        #expect(commit.firstParentID == nil)
    }

    @Test("object ids round-trip through hex and reject anything else")
    func objectIDs() throws {
        let hex = "0123456789abcdef0123456789abcdef01234567"
        let id = try #require(ObjectID(hex: hex))
        #expect(id.hex == hex)
        #expect(id.short == "0123456")
        #expect(ObjectID(hex: "0123") == nil)
        #expect(ObjectID(hex: String(repeating: "g", count: 40)) == nil)
        #expect(ObjectID(hex: hex.uppercased())?.hex == hex)
    }
}

import Foundation
import Testing
import TollgateTestSupport

/// A repository and the folder of its SQLite store, which live as long as the test uses ``store``.
struct CLIRepository {
    let git: GitFixture
    let directory: TemporaryDirectory

    init(_ git: GitFixture) throws {
        self.git = git
        directory = try TemporaryDirectory(prefix: "tollgate-cli-store")
    }

    /// `--repo` and `--state` naming the two.
    var store: [String] { ["--repo", git.path, "--state", directory.appending("state.db")] }
}

/// A small repository with two stacks.
private func twoStacks() throws -> CLIRepository {
    let fixture = try GitFixture()
    try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n")
    try fixture.write("Stacks/storage/template.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
    try fixture.commit("add stacks")
    return try CLIRepository(fixture)
}

/// The `created` change sets of a `sync --json` answer.
func createdChangeSets(_ output: String) throws -> [[String: Any]] {
    let report = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    return try #require(report["created"] as? [[String: Any]])
}

/// The audit entries, as `audit list --json` prints them.
func auditEntries(_ store: [String]) throws -> [[String: Any]] {
    let result = try TollgateBinary.run(["audit", "list", "--json"] + store)
    #expect(result.status == 0, "\(result.standardError)")
    return try #require(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
}

/// The stacks named by `changeset.created` entries, one element per entry.
func createdStacks(_ store: [String]) throws -> [String] {
    try auditEntries(store).filter { $0["action"] as? String == "changeset.created" }.compactMap { $0["stack"] as? String }
}

@Suite("tollgate sync")
struct SyncCommandTests {
    @Test("the first sync creates one change set per stack; the second finds nothing new")
    func firstAndSecond() throws {
        let setup = try twoStacks()
        let first = try TollgateBinary.run(["sync", "--json"] + setup.store)
        #expect(first.status == 0, "\(first.standardError)")
        let created = try createdChangeSets(first.standardOutput)
        #expect(created.compactMap { $0["stack"] as? String } == ["network", "storage"])
        #expect(created.allSatisfy { ($0["id"] as? String)?.hasPrefix("cs-") == true })
        #expect(created.allSatisfy { $0["type"] as? String == "CREATE" })

        let second = try TollgateBinary.run(["sync"] + setup.store)
        #expect(second.status == 0)
        #expect(second.standardOutput.hasPrefix("Nothing new on main"))
        #expect(try createdStacks(setup.store).sorted() == ["network", "storage"])
    }

    @Test("the text output lists each change set and the summary")
    func text() throws {
        let setup = try twoStacks()
        try setup.git.write("Stacks/storage/template.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Logs:\n    Type: AWS::S3::Bucket\n")
        try setup.git.commit("add logs")
        let result = try TollgateBinary.run(["sync"] + setup.store)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("storage  CREATE"))
        #expect(result.standardOutput.contains("2 commits  Plan: 2 to add, 0 to modify, 0 to remove"))
        #expect(result.standardOutput.contains("2 relevant commits, 2 change sets created."))
    }

    @Test("--from naming no commit fails with one clear message and writes nothing")
    func badStart() throws {
        let setup = try twoStacks()
        let result = try TollgateBinary.run(["sync", "--from", "no-such-rev"] + setup.store)
        #expect(result.status != 0)
        #expect(result.standardError.contains("no-such-rev"))
        let actions = try auditEntries(setup.store).compactMap { $0["action"] as? String }
        #expect(!actions.contains("changeset.created") && !actions.contains("scan.advanced"))
    }

    @Test("--repo defaults the store to .tollgate/state.db under the repository")
    func defaultStore() throws {
        let setup = try twoStacks()
        let result = try TollgateBinary.run(["sync", "--repo", setup.git.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(FileManager.default.fileExists(atPath: setup.git.directory.appending(".tollgate/state.db")))
    }
}

import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// tollgate.yaml decides which files form which stack and which branch is followed, so it is
/// policy: a change to it is reviewed, and never takes effect from the commit under review.
@Suite("Settings are policy")
struct SettingsAsPolicyTests {
    private static func sync(_ review: TrustedReview) async throws -> SyncReport {
        let managed = try await ManagedRepository.open(path: review.fixture.git.path, store: review.store)
        return try await ChangeSetSynchronizer(repository: managed, store: review.store, actor: "tollgate").sync()
    }

    @Test("a commit that remaps a stack's files is a policy change set, and the layout in force stays")
    func remap() async throws {
        let review = try await TrustedReview.make()
        _ = try await Self.sync(review)
        let git = review.fixture.git
        try git.write("tollgate.yaml", "stacks:\n  - template: \"Stacks/web/{name}.yaml\"\n")
        try git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "  Logs:\n    Type: AWS::S3::Bucket\n")
        let commit = try git.commit("remap web", author: "Mallory <mallory@example.com>")

        let report = try await Self.sync(review)
        #expect(report.created.map(\.stack).sorted() == [StackLayout.policiesFolder, "web"])
        let policy = try #require(report.created.first { $0.stack == StackLayout.policiesFolder })
        let record = try await review.store.changeSet(id: policy.id)
        let files = try JSONDecoder().decode(PolicyChangeSet.self, from: Data(record.json.utf8)).files
        #expect(files.map(\.path) == [StackLayout.settingsFile])
        #expect(record.commits == [commit])
        #expect(try await ManagedRepository.open(path: git.path, store: review.store).settings == .standard)
        try await review.store.close()
    }

    @Test("a commit that points the branch elsewhere is reviewed, and sync keeps following the branch in force")
    func branch() async throws {
        let review = try await TrustedReview.make()
        _ = try await Self.sync(review)
        let git = review.fixture.git
        _ = try git.git("branch", "takeover")
        try git.write("tollgate.yaml", "branch: takeover\n")
        try git.commit("follow takeover", author: "Mallory <mallory@example.com>")
        let managed = try await ManagedRepository.open(path: git.path, store: review.store)
        #expect(managed.branch == "main")
        let report = try await Self.sync(review)
        #expect(report.branch == "main")
        #expect(report.created.map(\.stack) == [StackLayout.policiesFolder])
        try await review.store.close()
    }

    @Test("a proposed tollgate.yaml that does not parse makes the policy change set unapprovable, naming the file")
    func malformed() async throws {
        let review = try await TrustedReview.make()
        _ = try await Self.sync(review)
        try review.fixture.git.write("tollgate.yaml", "stacks: [\n")
        try review.fixture.git.commit("broken settings", author: ReviewFixture.outsider)
        let report = try await Self.sync(review)
        let policy = try #require(report.created.first)
        let explained = try await review.service.explain(changeSetID: policy.id, repository: review.repository)
        #expect(explained.verdict.status == .unapprovable)
        #expect(explained.verdict.problems.contains { $0.contains("tollgate.yaml") }, "\(explained.verdict.problems)")
        try await review.store.close()
    }
}

import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateGit
import TollgateStore
import TollgateTestSupport

/// Following a remote over file://: fetch into Tollgate's clone, then sync; a force-push that
/// rewrites synced history is refused, audited, and syncs nothing.
@Suite("Remote follow")
struct RemoteFollowTests {
    struct Fixture {
        let work: GitFixture
        let folder: TemporaryDirectory
        let store: any StateStore
        var bare: String { folder.appending("upstream.git") }
        var clone: String { folder.appending("state/remote.git") }

        static func make() async throws -> Fixture {
            let work = try GitFixture()
            try work.write("Stacks/network/template.yaml", bucketTemplate(["Logs"]))
            _ = try work.commit("add network")
            let folder = try TemporaryDirectory(prefix: "tollgate-remote")
            _ = try GitFixture.run(["git", "clone", "-q", "--bare", work.path, folder.appending("upstream.git")])
            let store = try await StoreLocation.sqlite(path: folder.appending("state.db")).open(clock: SteppingClock())
            return Fixture(work: work, folder: folder, store: store)
        }

        func follower(tokenFile: String? = nil) throws -> RemoteFollower {
            try RemoteFollower(
                remote: RemoteRepository(url: "file://\(bare)", cloneDirectory: clone, tokenFile: tokenFile), store: store, environment: [:])
        }

        @discardableResult
        func push(_ template: String, message: String, force: Bool = false) throws -> String {
            try work.write("Stacks/network/template.yaml", template)
            let id = try work.commit(message)
            _ = try work.git(["push", "-q"] + (force ? ["--force"] : []) + [bare, "main"], environment: [:])
            return id
        }
    }

    @Test("the first sync clones, a later one fetches the new commits and syncs them")
    func cloneThenFetch() async throws {
        let fixture = try await Fixture.make()
        let first = try fixture.work.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let report = try await fixture.follower().fetchAndSync()
        #expect(report.cursor == first)
        #expect(report.created.map(\.stack) == ["network"])
        #expect(try Repository(at: fixture.clone).branchTip(named: "main").hex == first)

        let second = try fixture.push(bucketTemplate(["Logs", "Flows"]), message: "add flows")
        let next = try await fixture.follower().fetchAndSync()
        #expect(next.previousCursor == first)
        #expect(next.cursor == second)
        #expect(next.created.map(\.stack) == ["network"])
        #expect(try await fixture.store.changeSets(ChangeSetFilter(stack: "network")).map(\.targetCommit).contains(second))
        let unchanged = try await fixture.follower().fetchAndSync()
        #expect(unchanged.isNothingNew)
        try await fixture.store.close()
    }

    @Test("a force-push over synced history is refused loudly, audited once, and syncs nothing")
    func forcePushRefused() async throws {
        let fixture = try await Fixture.make()
        _ = try await fixture.follower().fetchAndSync()
        let synced = try fixture.push(bucketTemplate(["Logs", "Flows"]), message: "add flows")
        _ = try await fixture.follower().fetchAndSync()
        let before = try await fixture.store.changeSets(ChangeSetFilter(stack: "network"))

        _ = try fixture.work.git("reset", "-q", "--hard", "HEAD~1")
        let rewritten = try fixture.push(bucketTemplate(["Logs", "Evil"]), message: "rewritten", force: true)
        let error = try await #require(throws: RemoteFollowError.self) { try await fixture.follower().fetchAndSync() }
        #expect(error == .historyRewritten(url: fixture.bare, branch: "main", synced: synced, fetched: rewritten))
        #expect(error.description.contains(String(synced.prefix(12))) && error.description.contains(String(rewritten.prefix(12))))
        #expect(error.kind == .refused)

        // Nothing followed: the clone, the cursor and the change sets are as they were.
        #expect(try Repository(at: fixture.clone).branchTip(named: "main").hex == synced)
        #expect(try await fixture.store.scanCursor(branch: "main") == synced)
        #expect(try await fixture.store.changeSets(ChangeSetFilter(stack: "network")) == before)
        // A poll finding the same rewrite again is refused again but audited once.
        await #expect(throws: RemoteFollowError.self) { try await fixture.follower().fetchAndSync() }
        let refusals = try await fixture.store.auditEntries(AuditFilter()).filter { $0.action == .remoteRewriteRefused }
        #expect(refusals.count == 1)
        #expect(refusals.first?.commit == rewritten)
        #expect(refusals.first?.details["synced"] == synced)
        guard case .intact = try await fixture.store.verifyAuditTrail() else { Issue.record("the audit trail does not verify"); return }

        // Once the branch contains the synced commit again, following resumes.
        _ = try fixture.work.git("reset", "-q", "--hard", synced)
        let repaired = try fixture.push(bucketTemplate(["Logs"]), message: "revert flows", force: true)
        let report = try await fixture.follower().fetchAndSync()
        #expect(report.cursor == repaired)
        try await fixture.store.close()
    }

    @Test("an empty or missing token file is named")
    func tokenFile() async throws {
        let fixture = try await Fixture.make()
        let empty = fixture.folder.appending("token")
        try Data("\n".utf8).write(to: URL(fileURLWithPath: empty))
        #expect(throws: RemoteFollowError.emptyTokenFile(path: empty)) { try fixture.follower(tokenFile: empty) }
        let missing = fixture.folder.appending("no-token")
        #expect(throws: RemoteFetchError.unreadableFile(.token, path: missing, reason: "no such file")) {
            try fixture.follower(tokenFile: missing)
        }
        try await fixture.store.close()
    }
}

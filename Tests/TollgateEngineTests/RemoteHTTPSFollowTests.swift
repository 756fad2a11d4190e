import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateGit
import TollgateStore
import TollgateTestSupport

/// Following a remote over HTTPS with a token, from a git server on loopback whose certificate a
/// test authority issued (``HTTPSGitServer``): in process with the engine's follower, and with the
/// built binary's `sync --remote --token-file --ca-file`. The token appears in no error and no log.
@Suite("Remote follow over HTTPS")
struct RemoteHTTPSFollowTests {
    static let token = "tok-5e8b1d7c9a2f4063"

    struct Fixture {
        let work: GitFixture
        let folder: TemporaryDirectory
        let server: HTTPSGitServer
        var url: String { server.url("upstream.git") }
        var clone: String { folder.appending("state/remote.git") }

        init() throws {
            work = try GitFixture()
            try work.write("Stacks/network/template.yaml", bucketTemplate(["Logs"]))
            _ = try work.commit("add network")
            folder = try TemporaryDirectory(prefix: "tollgate-https-remote")
            try FileManager.default.createDirectory(atPath: folder.appending("served"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: folder.appending("state"), withIntermediateDirectories: true)
            _ = try GitFixture.run(["git", "clone", "-q", "--bare", work.path, folder.appending("served/upstream.git")])
            server = try HTTPSGitServer(serving: folder.appending("served"), token: RemoteHTTPSFollowTests.token)
        }

        /// A file holding `token`, as `--token-file` takes it.
        func tokenFile(_ token: String) throws -> String {
            let path = folder.appending("token-\(UUID().uuidString)")
            try Data("\(token)\n".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    @Test("the right token fetches and syncs; a wrong one is refused naming the URL, and neither error nor log holds a token")
    func fetchAndSync() async throws {
        let fixture = try Fixture()
        let store = try await StoreLocation.sqlite(path: fixture.folder.appending("state/state.db")).open(clock: SteppingClock())
        let logs = LogCapture()
        func follower(token: String) throws -> RemoteFollower {
            try RemoteFollower(
                remote: RemoteRepository(
                    url: fixture.url, cloneDirectory: fixture.clone, tokenFile: try fixture.tokenFile(token), caFile: fixture.server.caFile),
                store: store, environment: [:], logger: logs.logger)
        }
        let head = try fixture.work.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let report = try await follower(token: Self.token).fetchAndSync()
        #expect(report.cursor == head)
        #expect(report.created.map(\.stack) == ["network"])

        let wrong = "tok-wrong-93c0e1f2a4b5"
        let error = try await #require(throws: RemoteFetchError.self) { try await follower(token: wrong).fetchAndSync() }
        guard case .authenticationFailed(let url, _) = error else { Issue.record("expected refused credentials, got \(error)"); return }
        #expect(url == fixture.url)
        #expect(error.description.contains(fixture.url))
        #expect(!logs.all.isEmpty, "the follower logged the fetch")
        for text in [error.description, error.debugDescription] + logs.all {
            #expect(!text.contains(Self.token) && !text.contains(wrong), "\(text)")
        }
        try await store.close()
        _ = fixture.server.stop()
    }

    @Test("sync --remote over HTTPS with --token-file and --ca-file syncs; a wrong token or another CA exits non-zero, naming the URL or the CA file, never the token")
    func binary() throws {
        let fixture = try Fixture()
        let state = fixture.folder.appending("state/state.db")
        func sync(token: String, caFile: String) throws -> CommandResult {
            try TollgateBinary.run(
                ["sync", "--remote", fixture.url, "--token-file", try fixture.tokenFile(token), "--ca-file", caFile, "--state", state, "--json"],
                in: fixture.folder.path)
        }
        let wrong = "tok-wrong-6d2c8e0b1a37"
        let refused = try sync(token: wrong, caFile: fixture.server.caFile)
        #expect(refused.status != 0)
        #expect(refused.standardError.contains(fixture.url) && refused.standardError.contains("refused the credentials"), "\(refused.standardError)")

        let untrusted = try sync(token: Self.token, caFile: fixture.server.otherCAFile)
        #expect(untrusted.status != 0)
        #expect(untrusted.standardError.contains(fixture.server.otherCAFile) && untrusted.standardError.contains("--ca-file"), "\(untrusted.standardError)")

        let synced = try sync(token: Self.token, caFile: fixture.server.caFile)
        #expect(synced.status == 0, "\(synced.standardError)")
        #expect(synced.standardOutput.contains("\"network\""), "\(synced.standardOutput)")
        for result in [refused, untrusted, synced] {
            for text in [result.standardOutput, result.standardError] {
                #expect(!text.contains(Self.token) && !text.contains(wrong), "\(text)")
            }
        }
        let log = fixture.server.stop()
        #expect(log.contains("authorized /upstream.git/git-upload-pack"), "\(log)")
    }
}

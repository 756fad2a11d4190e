import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TollgateCore
import TollgateEngine
import TollgateServer
import TollgateStore
import TollgateTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tollgate serve` as built, delivering notifications and sharing PostgreSQL with another server.
@Suite("Notifications and shared stores, end to end")
struct NotificationServeEndToEndTests {
    /// Starts `tollgate serve` with `arguments` on a free loopback port and returns it with its port.
    static func serve(_ arguments: [String]) throws -> (ChildProcess, Int) {
        let server = try ChildProcess(try TollgateBinary.path(), ["serve", "--listen", "127.0.0.1:0"] + arguments)
        let prefix = "Listening on http://127.0.0.1:"
        guard let line = server.line(startingWith: prefix), let port = Int(line.dropFirst(prefix.count)) else {
            server.kill()
            throw ServeStartFailed(output: server.readToEnd())
        }
        return (server, port)
    }

    struct ServeStartFailed: Error {
        let output: String
    }

    /// Waits for `body`, failing the test instead of hanging when it takes over a minute.
    static func withinAMinute(_ what: String, _ body: @escaping @Sendable () async -> Void) async throws {
        let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                await body()
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(finished, "\(what) did not happen within a minute")
    }

    @Test("a change set queued while no server ran is posted by tollgate serve once it starts, linking to its page under --public-url")
    func serveDeliversTheOutbox() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { port in
            let review = try NotificationDeliveryTests.fixture(port: port)
            let store = try await review.openStore()
            let repository = try review.repository()
            _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
            let changeSet = try await review.createStackChangeSet(commits: [review.firstCommit], in: store)
            try await store.close()

            let (server, _) = try Self.serve([
                "--repo", review.git.path, "--state", review.statePath, "--public-url", "https://tollgate.example.com",
            ])
            try await Self.withinAMinute("the delivery") { await receiver.waitForDeliveries(1) }
            kill(server.pid, SIGTERM)
            #expect(server.wait() == 0)
            let message = try #require(receiver.delivered.first)
            #expect(message["changeSet"] as? String == changeSet.id)
            #expect(message["url"] as? String == "https://tollgate.example.com/change-sets/\(changeSet.id)")

            let listed = try TollgateBinary.run(["notifications", "list", "--json", "--repo", review.git.path, "--state", review.statePath])
            #expect(listed.status == 0, "\(listed.standardError)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
            #expect(rows.map { $0["state"] as? String } == ["delivered"])
            #expect(rows.first?["changeSet"] as? String == changeSet.id)
        }
    }

    @Test("two tollgate serve processes on one PostgreSQL database given the same GitHub delivery sync once")
    func twoServersOneDelivery() async throws {
        let review = try ReviewFixture()
        let postgres = try PostgresServer.shared()
        let database = try postgres.makeDatabase()
        let url = postgres.url(database: database)
        let store = try await StoreLocation.postgres(url: url).open(clock: SystemWallClock())
        let repository = try review.repository()
        _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
        let secretFile = review.folder.appending("github-secret")
        try Data("shared-secret".utf8).write(to: URL(fileURLWithPath: secretFile))
        let arguments = ["--repo", review.git.path, "--database", url, "--github-webhook-secret-file", secretFile]
        let (first, firstPort) = try Self.serve(arguments)
        let (second, secondPort) = try Self.serve(arguments)

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let body = WebhookPayloads.github(branch: "main", after: review.firstCommit)
        @Sendable func deliver(to port: Int) async throws -> Int {
            var delivery = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hooks/github")
            delivery.method = .POST
            delivery.headers.add(name: "Content-Type", value: "application/json")
            delivery.headers.add(name: "X-GitHub-Event", value: "push")
            delivery.headers.add(name: "X-GitHub-Delivery", value: "6f1e0c2a-0000-4000-8000-0000000000aa")
            delivery.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + WebhookSignature.hmacSHA256Hex(body: Array(body.utf8), secret: "shared-secret"))
            delivery.body = .bytes(ByteBuffer(string: body))
            return Int(try await client.execute(delivery, timeout: .seconds(30)).status.code)
        }
        do {
            async let one = deliver(to: firstPort)
            async let two = deliver(to: secondPort)
            let statuses = try await [one, two]
            #expect(statuses.sorted() == [200, 202], "one accepts the delivery, the other sees it handled: \(statuses)")
            let syncing = statuses[0] == 202 ? first : second
            #expect(syncing.read(until: "sync finished").contains("sync finished"))
            #expect(try await deliver(to: statuses[0] == 202 ? secondPort : firstPort) == 200)
        } catch {
            try? await client.shutdown()
            first.kill()
            second.kill()
            throw error
        }
        try await client.shutdown()
        kill(first.pid, SIGTERM)
        kill(second.pid, SIGTERM)
        #expect(first.wait() == 0)
        #expect(second.wait() == 0)

        let created = try await store.changeSets(ChangeSetFilter(stack: "web"))
        #expect(created.count == 1, "one change set, from one sync")
        let scans = try await store.auditEntries(AuditFilter()).filter { $0.action == .scanAdvanced }
        #expect(scans.count == 1, "the branch was scanned once")
        try await store.close()
    }
}

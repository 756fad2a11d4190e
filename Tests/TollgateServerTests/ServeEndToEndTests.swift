import NIOHTTP1
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TollgateCore
import TollgateEngine
import TollgateServer
import TollgateStore
import TollgateTestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite("tollgate serve, end to end")
struct ServeEndToEndTests {
    @Test("the built binary listens on a free loopback port, syncs a signed GitHub delivery, lists the change set and stops on SIGTERM")
    func serveBinary() async throws {
        let review = try ReviewFixture()
        let store = try await review.openStore()
        let repository = try review.repository()
        _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
        let token = try await AccessTokens(store: store).issue(reviewer: "amara", lifetime: 3600, actor: "lead", repository: repository)
        try await store.close()
        let secretFile = review.folder.appending("github-secret")
        try Data("e2e-secret\n".utf8).write(to: URL(fileURLWithPath: secretFile))

        let server = try ChildProcess(try TollgateBinary.path(), [
            "serve", "--repo", review.git.path, "--state", review.statePath, "--listen", "127.0.0.1:0",
            "--github-webhook-secret-file", secretFile,
        ])
        let prefix = "Listening on http://127.0.0.1:"
        let portText = try #require(server.line(startingWith: prefix)).dropFirst(prefix.count)
        let port = try #require(Int(portText))
        #expect(port > 0)

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let body = WebhookPayloads.github(branch: "main", after: review.firstCommit)
            var delivery = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hooks/github")
            delivery.method = .POST
            delivery.headers.add(name: "Content-Type", value: "application/json")
            delivery.headers.add(name: "X-GitHub-Event", value: "push")
            delivery.headers.add(name: "X-GitHub-Delivery", value: "2d2e5c3a-0000-4000-8000-00000000e2e0")
            // The file's trailing newline is not part of the secret.
            delivery.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + WebhookSignature.hmacSHA256Hex(body: Array(body.utf8), secret: "e2e-secret"))
            delivery.body = .bytes(ByteBuffer(string: body))
            let answer = try await client.execute(delivery, timeout: .seconds(30))
            #expect(answer.status.code == 202)

            // The server logs the end of the sync the delivery started; reading its output waits for it.
            let log = server.read(until: "sync finished")
            #expect(log.contains("sync finished"))

            var stacks = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/stacks")
            stacks.headers.add(name: "Authorization", value: "Bearer \(token.token)")
            let listed = try await client.execute(stacks, timeout: .seconds(30))
            #expect(listed.status.code == 200)
            let data = Data(Array(try await listed.body.collect(upTo: 1 << 20).readableBytesView))
            let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let web = try #require((report["stacks"] as? [[String: Any]])?.first { $0["stack"] as? String == "web" })
            #expect(web["status"] as? String == "PENDING")
            #expect((web["pendingChangeSet"] as? String)?.hasPrefix("cs-") == true)
        } catch {
            try? await client.shutdown()
            server.kill()
            throw error
        }
        try await client.shutdown()
        kill(server.pid, SIGTERM)
        #expect(server.wait() == 0)
    }
}

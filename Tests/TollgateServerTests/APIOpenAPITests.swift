import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateServer
import TollgateStore
import TollgateTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The package's root folder, where docs/openapi.yaml lives.
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs `arguments` through `/usr/bin/env` (so that PATH finds pip's scripts) on a thread of its
/// own, off Swift's cooperative pool, and returns its output and exit status.
private func run(_ arguments: [String]) async throws -> (output: String, status: Int32) {
    let process = try ChildProcess("/usr/bin/env", arguments)
    return await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            let output = process.readToEnd()
            continuation.resume(returning: (output, process.wait()))
        }
    }
}

@Suite("docs/openapi.yaml")
struct APIOpenAPITests {
    @Test("the document is valid OpenAPI 3.1, and schemathesis finds no server error, no undocumented status and no response outside its schema on the built server, webhooks included")
    func schemathesis() async throws {
        let document = packageRoot.appendingPathComponent("docs/openapi.yaml").path
        let validation = try await run(["openapi-spec-validator", document])
        #expect(validation.status == 0, "\(validation.output)")

        let review = try ReviewFixture()
        let store = try await review.openStore()
        let repository = try review.repository()
        _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
        _ = try await ChangeSetSynchronizer(repository: repository, store: store, actor: "tollgate").sync()
        let changeSet = try #require(try await store.changeSets(ChangeSetFilter(stack: "web")).first)
        let token = try await AccessTokens(store: store).issue(reviewer: "amara", lifetime: 3600, actor: "lead", repository: repository)
        try await store.close()

        // Secrets for GitHub and GitLab make their hooks check signatures and tokens (401) rather
        // than refuse everything (403, as Bitbucket's, left without one, does); GitLab's token is
        // sent with every request below, so that its deliveries reach the event, delivery id and
        // payload checks (202, 200, 400, 415) with bodies schemathesis generates.
        let gitlabToken = "gitlab-token-for-schemathesis"
        let secretFile = review.folder.appending("github-secret")
        let tokenFile = review.folder.appending("gitlab-token")
        try Data("github-secret-for-schemathesis\n".utf8).write(to: URL(fileURLWithPath: secretFile))
        try Data("\(gitlabToken)\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        let server = try ChildProcess(try TollgateBinary.path(), [
            "serve", "--repo", review.git.path, "--state", review.statePath, "--listen", "127.0.0.1:0",
            "--github-webhook-secret-file", secretFile, "--gitlab-webhook-token-file", tokenFile, "--poll", "0s",
        ])
        let prefix = "Listening on http://127.0.0.1:"
        let line = try #require(server.line(startingWith: prefix))
        let port = try #require(Int(line.dropFirst(prefix.count)))
        // The server logs a line per request; reading them keeps its pipe from filling up.
        Thread.detachNewThread { _ = server.readToEnd() }
        defer {
            kill(server.pid, SIGTERM)
            server.wait()
        }
        // Every {id} is the open change set's, so that the requests reach the engine rather than
        // stopping at "no such change set" (the in-process tests cover unknown ids).
        let configuration = review.folder.appending("schemathesis.toml")
        try Data("[parameters]\n\"path.id\" = \"\(changeSet.id)\"\n".utf8).write(to: URL(fileURLWithPath: configuration))
        let report = try await run([
            "schemathesis", "--config-file", configuration, "run", document, "--url", "http://127.0.0.1:\(port)",
            "--header", "Authorization: Bearer \(token.token)", "--header", "X-Gitlab-Token: \(gitlabToken)",
            "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance",
            "--phases", "examples,coverage,fuzzing", "--max-examples", "15", "--seed", "1",
            "--generation-deterministic", "--no-color", "--workers", "1", "--request-timeout", "10",
        ])
        #expect(report.status == 0, "\(report.output)")
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import TollgateCore
import TollgateEngine
import TollgateServer
import TollgateStore
import TollgateTestSupport

/// A repository with a policy in force (ReviewFixture's), its store, and a server over both with
/// every host's webhook secret configured unless a test says otherwise.
final class ServerFixture: Sendable {
    static let githubSecret = "gh-secret-for-tests"
    static let gitlabToken = "gl-token-for-tests"
    static let bitbucketSecret = "bb-secret-for-tests"

    let review: ReviewFixture
    let store: any StateStore
    let server: TollgateServer

    init(
        secrets: WebhookSecrets = WebhookSecrets(github: githubSecret, gitlab: gitlabToken, bitbucket: bitbucketSecret),
        hookBodyLimit: Int = 1 << 20, sync: ((TollgateServer.Repository, any StateStore) -> SyncCoalescer.Sync)? = nil,
        extraFiles: [String: String] = [:], providers: ProviderFactory = .standard
    ) async throws {
        let review = try ReviewFixture(extraFiles: extraFiles)
        let store = try await review.openStore()
        self.review = review
        self.store = store
        let repository = try review.repository()
        _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
        let described = TollgateServer.Repository(path: review.git.path)
        var logger = Logger(label: "tollgate.server.tests")
        logger.logLevel = .warning
        server = TollgateServer(
            repository: described, store: store, secrets: secrets, clock: review.clock, logger: logger, hookBodyLimit: hookBodyLimit,
            sync: sync.map { $0(described, store) }, providers: providers)
    }

    /// Runs `body` against the server's router in process.
    func test<Value: Sendable>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await server.application(host: "127.0.0.1", port: 0, pollInterval: nil).test(.router, body)
    }

    /// A token for `reviewer`, issued as the command line does.
    func token(for reviewer: String = "amara", lifetime: TimeInterval? = 3600) async throws -> IssuedAccessToken {
        try await AccessTokens(store: store, clock: review.clock).issue(
            reviewer: reviewer, lifetime: lifetime, actor: "lead", repository: try review.repository())
    }

    /// Commits a new bucket name for stack `web` and returns the commit.
    @discardableResult
    func commitWebChange(_ bucket: String) throws -> String {
        try review.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: bucket))
        return try review.git.commit("rename the web bucket to \(bucket)", author: ReviewFixture.outsider)
    }

    func openChangeSets() async throws -> [ChangeSetRecord] {
        try await store.changeSets(ChangeSetFilter(stack: "web", statuses: [.pending, .approved]))
    }

    deinit {
        let store = self.store
        Task { try? await store.close() }
    }
}

/// Headers from name and value pairs.
func fields(_ pairs: [(String, String)]) -> HTTPFields {
    var fields = HTTPFields()
    for (name, value) in pairs {
        if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
    }
    return fields
}

/// A response body as a JSON object; empty when it is not one, which the expectations then catch.
func jsonObject(_ buffer: ByteBuffer) -> [String: Any] {
    let data = Data(Array(buffer.readableBytesView))
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
}

/// JSON text re-serialised with sorted keys, so that two encodings of the same value compare equal.
func canonicalJSON(_ data: Data) -> String {
    guard let object = try? JSONSerialization.jsonObject(with: data),
          let again = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    else { return "not JSON: " + String(decoding: data, as: UTF8.self) }
    return String(decoding: again, as: UTF8.self)
}

/// The `error.code` of an error body.
func errorCode(_ buffer: ByteBuffer) -> String? {
    (jsonObject(buffer)["error"] as? [String: Any])?["code"] as? String
}

/// The `error.message` of an error body.
func errorMessage(_ buffer: ByteBuffer) -> String {
    (jsonObject(buffer)["error"] as? [String: Any])?["message"] as? String ?? ""
}

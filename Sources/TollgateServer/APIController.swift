import Foundation
import Hummingbird
import TollgateCore
import TollgateEngine
import TollgateStore

/// `GET /api/...`: the stacks, one change set and the audit trail, in the same JSON as the
/// command line's `--json`. Every route needs a bearer token (``BearerAuthMiddleware``).
struct APIController {
    let server: TollgateServer

    func register(on router: Router<ServerRequestContext>) {
        let api = router.group("api").add(middleware: BearerAuthMiddleware(tokens: AccessTokens(store: server.store, clock: server.clock)))
        api.get("whoami") { _, context in try whoami(context: context) }
        api.get("stacks") { request, _ in try await stacks(request) }
        api.get("change-sets/:id") { _, context in try await changeSet(context) }
        api.get("audit") { request, _ in try await audit(request) }
    }

    /// The reviewer the token acts as, and the token's id.
    private func whoami(context: ServerRequestContext) throws -> Response {
        struct Identity: Encodable {
            var reviewer: String
            var token: String
            var expiresAt: Date?
        }
        guard let token = context.token else {
            throw ServerError(.unauthorized, code: "missing_token", message: "This endpoint needs an Authorization: Bearer TOKEN header.")
        }
        return try JSONBody.response(Identity(reviewer: token.reviewer, token: token.id, expiresAt: token.expiresAt))
    }

    /// `tollgate status --json`: the policy in force and every stack; `?q=` keeps the stacks whose
    /// name contains the text.
    private func stacks(_ request: Request) async throws -> Response {
        let text = request.uri.queryParameters.get("q")
        if let text, text.count > 200 {
            throw ServerError(.badRequest, code: "invalid_query", message: "Query parameter q is longer than 200 characters.")
        }
        let repository = try await server.openRepository()
        let report = try await StatusReader(store: server.store, clock: server.clock).report(repository: repository, matching: text)
        return try JSONBody.response(report)
    }

    /// `tollgate show ID --json`.
    private func changeSet(_ context: ServerRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard Self.isWellFormedID(id) else {
            throw ServerError(.badRequest, code: "invalid_id", message: "The change set id \(id.prefix(80)) is malformed; ids look like cs-3f9a0c1e.")
        }
        let repository = try await server.openRepository()
        return try JSONBody.response(ChangeSetJSON(try await ReviewService(store: server.store).view(changeSetID: id, repository: repository)))
    }

    /// `tollgate audit --json`, with `?since=`, `?stack=` and `?actor=` as its options.
    private func audit(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var since: Date?
        if let text = query.get("since") {
            guard let time = WireJSON.time(text) else {
                throw ServerError(.badRequest, code: "invalid_since", message: "Query parameter since=\(text.prefix(80)) is not an ISO 8601 date or time, such as 2026-01-31 or 2026-01-31T09:00:00Z.")
            }
            since = time
        }
        let entries = try await server.store.auditEntries(AuditFilter(stack: query.get("stack"), actor: query.get("actor"), since: since))
        return try JSONBody.response(entries.map(AuditEntryJSON.init))
    }

    /// Letters, digits and dashes, at most 100: every id Tollgate makes, and nothing a path could hide in.
    static func isWellFormedID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 100 && id.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }
    }
}

/// A JSON response in the wire encoding (``WireJSON``).
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try WireJSON.encoder().encode(value))))
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import TollgateCore
import TollgateEngine
import TollgateStore

/// `/api/...`: the stacks, change sets with their approvals, executions and explanation, the audit
/// trail, and the verdicts, cancels and applies a reviewer gives, in the same JSON as the command
/// line's `--json` (``WireJSON``); `docs/openapi.yaml` describes every route.
///
/// Every route needs a bearer token (``BearerAuthMiddleware``), and the token acts only as its
/// reviewer. Stacks that `visible-to:` limits to groups the reviewer is not in look as if they did
/// not exist (``StackVisibility``): they are left out of lists and answer 404.
struct APIController {
    let server: TollgateServer

    func register(on router: Router<ServerRequestContext>) {
        let api = router.group("api").add(middleware: BearerAuthMiddleware(server: server))
        api.get("whoami") { _, context in try whoami(context: context) }
        api.get("stacks") { request, context in try await stacks(request, context: context) }
        api.get("change-sets/:id") { _, context in try await changeSet(context) }
        api.get("change-sets/:id/explanation") { _, context in try await explanation(context) }
        api.get("change-sets/:id/approval-text") { request, context in try await approvalText(request, context: context) }
        api.get("change-sets/:id/cancel-text") { request, context in try await cancelText(request, context: context) }
        api.post("change-sets/:id/approvals") { request, context in try await recordVerdict(request, context: context) }
        api.post("change-sets/:id/session-approval") { request, context in try await recordSessionApproval(request, context: context) }
        api.post("change-sets/:id/cancel") { request, context in try await cancel(request, context: context) }
        api.post("change-sets/:id/apply") { request, context in try await apply(request, context: context) }
        api.get("executions/:id") { request, context in try await execution(request, context: context) }
        api.get("audit") { request, context in try await audit(request, context: context) }
    }

    /// The reviewer the token acts as, and the token's id.
    private func whoami(context: ServerRequestContext) throws -> Response {
        let token = try Self.token(context)
        return try JSONBody.response(IdentityJSON(reviewer: token.reviewer, token: token.id, expiresAt: token.expiresAt))
    }

    /// `tollgate status --json`: the policy in force and every stack the reviewer may see; `?q=`
    /// keeps the stacks whose name contains the text.
    private func stacks(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let text = request.uri.queryParameters.get("q")
        if let text, text.count > 200 {
            throw ServerError(.badRequest, code: "invalid_query", message: "Query parameter q is longer than 200 characters.")
        }
        let repository = try await server.openRepository(at: context.storeVersion)
        let visibility = try await visibility(context, repository: repository)
        let snapshot = try await server.statusSnapshot(repository: repository, at: context.storeVersion)
        // The snapshot's version moves with every audited change, the policy in force included,
        // so the reviewer and the search are all else the answer depends on.
        let body = try await server.statusBodies.body(version: snapshot.version, key: "\(visibility.reviewer)\u{0}\(text ?? "")") {
            try server.statusJSON.encode(visibility.filter(snapshot.report.matching(text)))
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: body))
    }

    /// `tollgate show ID --json`: commits, changes, approvals, executions with their events.
    private func changeSet(_ context: ServerRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let repository = try await server.openRepository(at: context.storeVersion)
        _ = try await visibility(context, repository: repository).changeSet(id: id, in: server.store)
        return try JSONBody.response(ChangeSetJSON(try await ReviewService(store: server.store, clock: server.clock).view(changeSetID: id, repository: repository)))
    }

    /// `tollgate explain ID --json`: each rule, the approvals it has and still needs from whom,
    /// the stack policy's verdict and the change window, under the policy in force now.
    private func explanation(_ context: ServerRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let repository = try await server.openRepository(at: context.storeVersion)
        _ = try await visibility(context, repository: repository).changeSet(id: id, in: server.store)
        let evaluation = try await ReviewService(store: server.store, clock: server.clock).explain(changeSetID: id, repository: repository)
        return try JSONBody.response(ReviewJSON(evaluation))
    }

    /// `tollgate show ID --approval-text`: the exact text to sign with `ssh-keygen -Y sign -n tollgate`.
    private func approvalText(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let verdict = try Self.verdict(request.uri.queryParameters.get("verdict") ?? "approve")
        let repository = try await server.openRepository(at: context.storeVersion)
        _ = try await visibility(context, repository: repository).changeSet(id: id, in: server.store)
        return Self.text(try await ReviewService(store: server.store, clock: server.clock).approvalText(changeSetID: id, verdict: verdict))
    }

    /// `tollgate cancel ID --reason TEXT --print-text`: the text an operator signs to cancel.
    private func cancelText(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let reason = try Self.reason(request.uri.queryParameters.get("reason"), field: "query parameter reason")
        let repository = try await server.openRepository(at: context.storeVersion)
        _ = try await visibility(context, repository: repository).changeSet(id: id, in: server.store)
        return Self.text(try await ChangeSetCancellation(store: server.store).textToSign(changeSetID: id, reason: reason))
    }

    /// `tollgate approve|reject ID`: records the verdict the posted signature proves, as the
    /// token's reviewer only; 201 with the review under the policy in force.
    private func recordVerdict(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let reviewer = try Self.token(context).reviewer
        let body = try await APIRequestBody.decode(VerdictRequest.self, from: request)
        let reason = try body.reason.map { try Self.reason($0, field: "field reason") }
        let signature = try Self.signature(body.signature)
        let repository = try await server.openRepository(at: context.storeVersion)
        _ = try await visibility(context, repository: repository).changeSet(id: id, in: server.store)
        let evaluation = try await ReviewService(store: server.store, clock: server.clock, logger: context.logger).record(
            body.verdict, changeSetID: id, signature: signature, reason: reason, actingAs: reviewer, repository: repository)
        var response = try JSONBody.response(ReviewJSON(evaluation, reviewer: reviewer), status: .created)
        response.headers[.location] = "/api/change-sets/\(id)"
        return response
    }

    /// The web page's one-click approval for a token: the server signs the approval with its
    /// `--server-key`, naming the token's reviewer, where the policy in force allows session
    /// approvals (``ReviewService/recordSessionApproval(changeSetID:reviewer:serverKey:repository:)``);
    /// 201 with the review, as a signed verdict. It takes no body, or a JSON object.
    private func recordSessionApproval(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let reviewer = try Self.token(context).reviewer
        var request = request
        if try await request.collectBody(upTo: APIRequestBody.limit).readableBytes > 0 {
            _ = try await APIRequestBody.decode(NoFields.self, from: request)
        }
        let repository = try await server.openRepository(at: context.storeVersion)
        _ = try await visibility(context, repository: repository).changeSet(id: id, in: server.store)
        guard let key = server.serverKey else {
            throw ServerError(
                .forbidden, code: "refused",
                message: "This server signs no approvals: it was started without --server-key. Approve with your own ssh-keygen signature (POST /api/change-sets/\(id)/approvals).")
        }
        let evaluation = try await ReviewService(store: server.store, clock: server.clock, logger: context.logger)
            .recordSessionApproval(changeSetID: id, reviewer: reviewer, serverKey: key, repository: repository)
        var response = try JSONBody.response(ReviewJSON(evaluation, reviewer: reviewer), status: .created)
        response.headers[.location] = "/api/change-sets/\(id)"
        return response
    }

    /// The body of a route that takes none but accepts a JSON object; its fields are ignored.
    private struct NoFields: Decodable {}

    /// `tollgate cancel ID --reason TEXT`, signed when the policy says `operators-must-sign: true`;
    /// 200 once cancelled, 202 when the change set is applying and its apply was asked to stop.
    private func cancel(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let reviewer = try Self.token(context).reviewer
        let body = try await APIRequestBody.decode(CancelChangeSetRequest.self, from: request)
        let reason = try Self.reason(body.reason, field: "field reason")
        let signature = try body.signature.map(Self.signature)
        let repository = try await server.openRepository(at: context.storeVersion)
        _ = try await visibility(context, repository: repository).changeSet(id: id, in: server.store)
        let policy = try await server.store.policyInForce() == nil ? nil : try await PolicyInForce.load(from: server.store, repository: repository)
        let cancelling = try await ChangeSetCancellation(store: server.store).cancel(
            changeSetID: id, reason: reason, actor: reviewer, policy: policy, actingAs: reviewer) { _ in signature }
        let record = cancelling.changeSet
        return try JSONBody.response(
            CancelledChangeSet(id: record.id, stack: record.stack, status: record.status, reason: reason, execution: cancelling.execution?.id),
            status: cancelling.execution == nil ? .ok : .accepted)
    }

    /// `tollgate apply ID`, run by the server: 202 with the execution and its Location once the
    /// engine has taken the stack's lock; a refusal is the engine's error (409 for a change set
    /// not approved, stale, outside its window or locked). With `?wait=SECONDS` (at most 60), an
    /// apply that ends within the wait is answered 200 with the execution as
    /// `GET /api/executions/{id}` shows it, so that a client that wants the outcome asks once.
    private func apply(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let wait = try Self.wait(request.uri.queryParameters.get("wait"))
        let reviewer = try Self.token(context).reviewer
        let repository = try await server.openRepository(at: context.storeVersion)
        let visible = try await visibility(context, repository: repository)
        _ = try await visible.changeSet(id: id, in: server.store)
        let execution = try await server.applies.start(changeSetID: id, actor: reviewer, repository: repository)
        let location = "/api/executions/\(execution.id)"
        if wait > .zero {
            let ended = try await waitForEnd(of: execution, upTo: wait, visible: visible)
            if ended.finishedAt != nil {
                var response = try await executionResponse(ended)
                response.headers[.location] = location
                return response
            }
        }
        var response = try JSONBody.response(
            ApplyStarted(
                changeSet: execution.changeSetID, stack: execution.stack, execution: execution.id, status: .applying,
                startedAt: execution.startedAt, location: location),
            status: .accepted)
        response.headers[.location] = location
        return response
    }

    /// `tollgate execution ID --json`; with `?wait=SECONDS` (at most 60), answered once the
    /// execution has ended or the wait is over (``waitForEnd(of:upTo:visible:)``), so that a
    /// client waiting for an apply asks once instead of polling.
    private func execution(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let wait = try Self.wait(request.uri.queryParameters.get("wait"))
        let repository = try await server.openRepository(at: context.storeVersion)
        let visible = try await visibility(context, repository: repository)
        let execution = try await waitForEnd(of: try await visible.execution(id: id, in: server.store), upTo: wait, visible: visible)
        return try await executionResponse(execution)
    }

    /// `execution` once it has ended, or as it stands after `wait`: an execution this server runs
    /// is read again the moment it ends, one run by another process four times a second.
    private func waitForEnd(of execution: ExecutionRecord, upTo wait: Duration, visible: StackVisibility) async throws -> ExecutionRecord {
        var execution = execution
        let deadline = ContinuousClock.now + wait
        while execution.finishedAt == nil {
            let left = deadline - .now
            guard left > .zero else { break }
            await server.applies.waitForEnd(ofExecution: execution.id, upTo: min(left, .milliseconds(250)))
            execution = try await visible.execution(id: execution.id, in: server.store)
        }
        return execution
    }

    /// The execution as `GET /api/executions/{id}` answers it, with its lock's expiry while it runs.
    private func executionResponse(_ execution: ExecutionRecord) async throws -> Response {
        let lock = execution.finishedAt == nil ? try await server.store.stackLock(execution.stack) : nil
        return try JSONBody.response(ExecutionJSON(
            id: execution.id, changeSet: execution.changeSetID, stack: execution.stack, startedAt: execution.startedAt,
            finishedAt: execution.finishedAt, result: execution.result, providerOutput: execution.providerOutput,
            lockExpiresAt: lock?.executionID == execution.id ? lock?.expiresAt : nil))
    }

    /// `tollgate audit --json`, with `?since=`, `?stack=` and `?actor=` as its options, without the
    /// entries of stacks the reviewer may not see.
    private func audit(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var since: Date?
        if let text = query.get("since") {
            guard let time = WireJSON.time(text) else {
                throw ServerError(.badRequest, code: "invalid_since", message: "Query parameter since=\(text.prefix(80)) is not an ISO 8601 date or time, such as 2026-01-31 or 2026-01-31T09:00:00Z.")
            }
            since = time
        }
        let repository = try await server.openRepository(at: context.storeVersion)
        let visibility = try await visibility(context, repository: repository)
        let entries = try await server.store.auditEntries(AuditFilter(stack: query.get("stack"), actor: query.get("actor"), since: since))
        return try JSONBody.response(visibility.filter(entries).map(AuditEntryJSON.init))
    }

    /// What the token's reviewer may see.
    private func visibility(_ context: ServerRequestContext, repository: ManagedRepository) async throws -> StackVisibility {
        try await server.visibility(of: try Self.token(context).reviewer, repository: repository, at: context.storeVersion)
    }

    private static func token(_ context: ServerRequestContext) throws -> AccessTokenRecord {
        guard let token = context.token else {
            throw ServerError(.unauthorized, code: "missing_token", message: "This endpoint needs an Authorization: Bearer TOKEN header.")
        }
        return token
    }

    /// The `{id}` of the path, refused unless it is well formed.
    private static func id(_ context: ServerRequestContext) throws -> String {
        let id = try context.parameters.require("id")
        guard isWellFormedID(id) else {
            throw ServerError(.badRequest, code: "invalid_id", message: "The id \(id.prefix(80)) is malformed; ids look like cs-3f9a0c1e or ex-0b41d2aa.")
        }
        return id
    }

    /// `?verdict=`, which takes the words of ``VerdictRequest/verdict``.
    private static func verdict(_ text: String) throws -> ApprovalVerdict {
        guard let verdict = ApprovalVerdict(rawValue: text) else {
            throw ServerError(.badRequest, code: "invalid_verdict", message: "The query parameter verdict is '\(text.prefix(40))'; write approve or reject.")
        }
        return verdict
    }

    /// The `wait` query parameter: whole or decimal seconds from 0 to 60; none is 0.
    private static func wait(_ text: String?) throws -> Duration {
        guard let text else { return .zero }
        guard text.utf8.count <= 12, let seconds = Double(text), seconds.isFinite, (0...60).contains(seconds) else {
            throw ServerError(.badRequest, code: "invalid_wait", message: "Query parameter wait=\(text.prefix(40)) is not a number of seconds from 0 to 60.")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    private static func reason(_ text: String?, field: String) throws -> String {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ServerError(.badRequest, code: "invalid_reason", message: "The \(field) is missing or empty; say why.")
        }
        guard text.count <= 1000, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) else {
            throw ServerError(.badRequest, code: "invalid_reason", message: "The \(field) is longer than 1000 characters or holds control characters.")
        }
        return text
    }

    /// An armored signature as `ssh-keygen -Y sign` wrote it.
    private static func signature(_ text: String) throws -> SSHSignature {
        do {
            return try SSHSignature(armored: text)
        } catch {
            throw ServerError(
                .unprocessableContent, code: "invalid_signature",
                message: "The signature is not an armored SSH signature (-----BEGIN SSH SIGNATURE----- ...) as ssh-keygen -Y sign -n tollgate writes it: \(error)")
        }
    }

    private static func text(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
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

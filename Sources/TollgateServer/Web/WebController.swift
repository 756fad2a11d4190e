import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TollgateCore
import TollgateEngine
import TollgateStore

/// The web page: sign-in, the stack list, a change set with its approve and reject forms, the
/// audit trail and a running apply's events, rendered on the server from ``WebPages``.
///
/// Pages act as the reviewer of the bearer token signed in with (``WebSessions``), under every
/// rule of the policy in force exactly as the command line: a verdict is recorded through
/// ``ReviewService/record(_:changeSetID:signature:reason:repository:)`` with the reviewer's own
/// ssh-keygen signature, or, where the policy in force allows session approvals, as an approval
/// the server signs with its own key (``ReviewService/recordSessionApproval(changeSetID:reviewer:serverKey:repository:)``).
/// Every POST needs the session's CSRF token.
struct WebController {
    let server: TollgateServer
    let sessions: WebSessions
    let pages = WebPages()
    /// The largest form body taken; a signature is a few hundred bytes.
    static let formLimit = 64 * 1024

    func register(on router: Router<ServerRequestContext>) {
        router.get("static/tollgate.js") { _, _ in asset(StaticAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("static/tollgate.css") { _, _ in asset(StaticAssets.styleSheet, type: "text/css; charset=utf-8") }
        let web = router.group().add(middleware: WebErrorMiddleware(pages: pages))
        web.get("/") { request, _ in try await stackList(request) }
        web.get("sign-in") { request, _ in signInForm(request) }
        web.post("sign-in") { request, _ in try await signIn(request) }
        web.post("sign-out") { request, _ in try await signOut(request) }
        web.get("change-sets/:id") { request, context in try await changeSet(request, context: context) }
        web.get("change-sets/:id/approval-text") { request, context in try await approvalText(request, context: context) }
        web.post("change-sets/:id/approve") { request, context in try await verdict(.approve, request, context: context) }
        web.post("change-sets/:id/reject") { request, context in try await verdict(.reject, request, context: context) }
        web.post("change-sets/:id/approve-in-session") { request, context in try await sessionApproval(request, context: context) }
        web.post("change-sets/:id/apply") { request, context in try await apply(request, context: context) }
        web.get("change-sets/:id/events") { request, context in try await events(request, context: context) }
        web.get("audit") { request, _ in try await audit(request) }
        web.get("audit.csv") { request, _ in try await auditDownload(request, csv: true) }
        web.get("audit.json") { request, _ in try await auditDownload(request, csv: false) }
    }

    // MARK: Sessions

    /// A request's signed-in reviewer, session and CSRF token.
    struct SignedIn {
        let session: WebSessions.Session
        let token: AccessTokenRecord
        let csrf: String
        /// The store's version the token was checked at.
        let version: StoreVersion

        func frame(_ title: String, notice: String? = nil, problem: String? = nil) -> PageFrame {
            PageFrame(title: title, reviewer: token.reviewer, csrf: csrf, notice: notice, problem: problem)
        }
    }

    /// The reviewer signed in on `request`; otherwise a redirect to sign-in that says why, which
    /// also clears a cookie whose token no longer works.
    func signedIn(_ request: Request) async throws -> SignedIn {
        let next = Self.localPath(request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""))
        guard let value = request.cookies[WebSessions.cookieName]?.value,
              let session = sessions.session(fromCookie: value, now: server.clock.now()),
              let hash = session.tokenSHA256
        else { throw WebRedirect.signIn(next: next, ended: nil) }
        let version = try await server.storeVersion()
        guard let token = try await server.accessToken(sha256: hash, at: version) else { throw WebRedirect.signIn(next: next, ended: "unknown") }
        if token.revokedAt != nil { throw WebRedirect.signIn(next: next, ended: "revoked") }
        if let expires = token.expiresAt, expires <= server.clock.now() { throw WebRedirect.signIn(next: next, ended: "expired") }
        return SignedIn(session: session, token: token, csrf: sessions.csrfToken(for: session), version: version)
    }

    /// `GET /sign-in`: the form, with an anonymous session whose CSRF token the form carries.
    private func signInForm(_ request: Request) -> Response {
        let session = sessions.newSession(tokenSHA256: nil, now: server.clock.now())
        let query = request.uri.queryParameters
        let notice: String? = switch query.get("ended") {
        case "revoked": "Your token was revoked, which ended your session; sign in with a new token."
        case "expired": "Your token expired, which ended your session; sign in with a new token."
        case "unknown": "Your token is no longer known; sign in with a new token."
        case "signed-out": "You are signed out."
        default: nil
        }
        let page = SignInPage(csrf: sessions.csrfToken(for: session), next: Self.localPath(query.get("next")), notice: notice)
        var response = html(pages.render(page, page: "sign-in"))
        response.setCookie(sessions.cookie(session, secure: Self.isSecure(request)))
        return response
    }

    /// `POST /sign-in`: checks the token as the API does and starts a session bound to it.
    private func signIn(_ request: Request) async throws -> Response {
        let (form, session) = try await checkedForm(request, as: SignInForm.self)
        let next = Self.localPath(form.next)
        let token = (form.token ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            _ = try await AccessTokens(store: server.store, clock: server.clock).authenticate(token)
        } catch let error as AccessTokenError {
            let page = SignInPage(csrf: sessions.csrfToken(for: session), next: next, problem: error.description)
            return html(pages.render(page, page: "sign-in"), status: .unauthorized)
        }
        let hash = AccessTokens.hash(token)
        var response = Response(status: .seeOther, headers: [.location: next])
        // A new nonce at sign-in: a session fixed before it cannot be used after.
        response.setCookie(sessions.cookie(sessions.newSession(tokenSHA256: hash, now: server.clock.now()), secure: Self.isSecure(request)))
        return response
    }

    /// `POST /sign-out`: forgets the session.
    private func signOut(_ request: Request) async throws -> Response {
        _ = try await checkedForm(request, as: CSRFForm.self)
        var response = Response(status: .seeOther, headers: [.location: "/sign-in?ended=signed-out"])
        response.setCookie(sessions.expiredCookie(secure: Self.isSecure(request)))
        return response
    }

    // MARK: Pages

    /// `GET /`: `tollgate status`, with `?q=`.
    private func stackList(_ request: Request) async throws -> Response {
        let signed = try await signedIn(request)
        let text = request.uri.queryParameters.get("q").flatMap { $0.isEmpty ? nil : $0 }
        if let text, text.count > 200 {
            throw ServerError(.badRequest, code: "invalid_query", message: "The search text is longer than 200 characters.")
        }
        let repository = try await server.openRepository(at: signed.version)
        let visibility = try await visibility(signed, repository: repository)
        let snapshot = try await server.statusSnapshot(repository: repository, at: signed.version)
        // The page shows the snapshot as this reviewer may see it, searched, with this session's
        // CSRF token in its forms; nothing else goes into it, so it is kept under those four.
        let key = "\(signed.token.reviewer)\u{0}\(signed.csrf)\u{0}\(text ?? "")"
        let body = await server.statusPages.body(version: snapshot.version, key: key) {
            let page = StackListPage(frame: signed.frame("Stacks"), query: text ?? "", report: visibility.filter(snapshot.report.matching(text)))
            return ByteBuffer(string: pages.render(page, page: "stacks"))
        }
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: body))
    }

    /// `GET /change-sets/{id}`.
    private func changeSet(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let signed = try await signedIn(request)
        let id = try Self.changeSetID(context)
        let notice: String? = switch request.uri.queryParameters.get("recorded") {
        case "approve": "Your approval is recorded."
        case "session-approve": "Your approval is recorded, signed by the server."
        case "reject": "Your rejection is recorded."
        default: request.uri.queryParameters.get("applying").flatMap { execution in
            APIController.isWellFormedID(execution) ? "The apply started as execution \(execution); its events follow below." : nil
        }
        }
        return try await changeSetPage(id: id, signed: signed, notice: notice, problem: nil, status: .ok)
    }

    private func changeSetPage(id: String, signed: SignedIn, notice: String?, problem: String?, status: HTTPResponse.Status) async throws -> Response {
        let repository = try await server.openRepository()
        _ = try await visibility(signed, repository: repository).changeSet(id: id, in: server.store)
        let reviewed = try await ReviewService(store: server.store, clock: server.clock, logger: server.logger)
            .reviewedView(changeSetID: id, repository: repository)
        let page = ChangeSetPage(
            frame: signed.frame("Change set \(id)", notice: notice, problem: problem), reviewed: reviewed,
            serverSigns: server.serverKey != nil)
        return html(pages.render(page, page: "change-set"), status: status)
    }

    /// `GET /change-sets/{id}/approval-text?verdict=approve|reject`: the exact bytes to sign, as a file.
    private func approvalText(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let signed = try await signedIn(request)
        let id = try Self.changeSetID(context)
        _ = try await visibility(signed, repository: try await server.openRepository()).changeSet(id: id, in: server.store)
        let verdict: ApprovalVerdict
        switch request.uri.queryParameters.get("verdict") {
        case "approve": verdict = .approve
        case "reject": verdict = .reject
        default: throw ServerError(.badRequest, code: "invalid_verdict", message: "Query parameter verdict must be approve or reject.")
        }
        let text = try await ReviewService(store: server.store, clock: server.clock).approvalText(changeSetID: id, verdict: verdict)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/plain; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(id)-\(verdict == .approve ? "approve" : "reject").txt\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `POST /change-sets/{id}/approve` and `/reject`: records the pasted signature as
    /// `tollgate approve --signature` does, refusing one made with another reviewer's key.
    private func verdict(_ verdict: ApprovalVerdict, _ request: Request, context: ServerRequestContext) async throws -> Response {
        // The CSRF check comes first: a cross-site post carries no cookie and gets 403, not a redirect.
        let (form, _) = try await checkedForm(request, as: VerdictForm.self)
        let signed = try await signedIn(request)
        let id = try Self.changeSetID(context)
        func refuse(_ message: String, _ status: HTTPResponse.Status) async throws -> Response {
            try await changeSetPage(id: id, signed: signed, notice: nil, problem: message, status: status)
        }
        // Browsers send a textarea's lines with CRLF, and pasting may indent them; the armor wants bare lines.
        let text = (form.signature ?? "").replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "\n")
        guard !text.isEmpty else { return try await refuse("Paste the signature that ssh-keygen -Y sign wrote (the .sig file) before pressing the button.", .badRequest) }
        let signature: SSHSignature
        do {
            signature = try SSHSignature(armored: text + "\n")
        } catch {
            return try await refuse("The pasted text is not an ssh-keygen signature: \(error.description)", .badRequest)
        }
        let reason = form.reason.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        let repository = try await server.openRepository()
        _ = try await visibility(signed, repository: repository).changeSet(id: id, in: server.store)
        do {
            let policy = try await PolicyInForce.load(from: server.store, repository: repository)
            if let holder = policy.policy.reviewers.person(holding: signature.publicKey), holder.id != signed.token.reviewer {
                return try await refuse(
                    "This signature was made with the key of \(holder.id), but you are signed in as \(signed.token.reviewer); sign with your own key. Nothing was recorded.",
                    .forbidden)
            }
            _ = try await ReviewService(store: server.store, clock: server.clock, logger: server.logger)
                .record(verdict, changeSetID: id, signature: signature, reason: reason, actingAs: signed.token.reviewer, repository: repository)
        } catch let error as ReviewError {
            switch error {
            case .signatureRefused, .verdictRefused: return try await refuse(error.description + " Nothing was recorded.", .forbidden)
            case .notReviewable, .policyChangedMeanwhile: return try await refuse(error.description + " Nothing was recorded.", .conflict)
            default: throw error
            }
        }
        return Response(status: .seeOther, headers: [.location: "/change-sets/\(id)?recorded=\(verdict == .approve ? "approve" : "reject")"])
    }

    /// `POST /change-sets/{id}/approve-in-session`: the signed-in reviewer approves with one
    /// click, recorded as an approval the server attests with its own key, where the policy in
    /// force allows it; otherwise 403 and nothing recorded.
    private func sessionApproval(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await checkedForm(request, as: CSRFForm.self)
        let signed = try await signedIn(request)
        let id = try Self.changeSetID(context)
        let repository = try await server.openRepository()
        _ = try await visibility(signed, repository: repository).changeSet(id: id, in: server.store)
        func refuse(_ message: String, _ status: HTTPResponse.Status) async throws -> Response {
            try await changeSetPage(id: id, signed: signed, notice: nil, problem: message + " Nothing was recorded.", status: status)
        }
        guard let key = server.serverKey else {
            return try await refuse("This server signs no approvals: it was started without --server-key. Approve with your own ssh-keygen signature.", .forbidden)
        }
        do {
            _ = try await ReviewService(store: server.store, clock: server.clock, logger: server.logger)
                .recordSessionApproval(changeSetID: id, reviewer: signed.token.reviewer, serverKey: key, repository: repository)
        } catch let error as ReviewError {
            switch error {
            case .verdictRefused: return try await refuse(error.description, .forbidden)
            case .notReviewable, .policyChangedMeanwhile: return try await refuse(error.description, .conflict)
            default: throw error
            }
        }
        return Response(status: .seeOther, headers: [.location: "/change-sets/\(id)?recorded=session-approve"])
    }

    /// `GET /audit`: `tollgate audit`, filtered by stack, actor and time.
    private func audit(_ request: Request) async throws -> Response {
        let signed = try await signedIn(request)
        let filter = try Self.auditFilter(request)
        let visibility = try await visibility(signed, repository: try await server.openRepository())
        let entries = visibility.filter(try await server.store.auditEntries(filter.filter)).map(AuditEntryJSON.init)
        let page = AuditPage(
            reviewer: signed.token.reviewer, csrf: signed.csrf, stack: filter.stack ?? "", actor: filter.actor ?? "", since: filter.since ?? "",
            queryString: filter.queryString,
            entries: entries.map { entry in
                AuditPage.Entry(
                    sequence: entry.sequence, time: WebPages.time(entry.time), actor: entry.actor, action: entry.action.rawValue, stack: entry.stack,
                    changeSet: entry.changeSet, commit: entry.commit.map { String($0.prefix(12)) },
                    details: entry.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
            })
        return html(pages.render(page, page: "audit"))
    }

    /// `GET /audit.csv` and `/audit.json`: the filtered trail as a download.
    private func auditDownload(_ request: Request, csv: Bool) async throws -> Response {
        let signed = try await signedIn(request)
        let filter = try Self.auditFilter(request)
        let visibility = try await visibility(signed, repository: try await server.openRepository())
        let entries = visibility.filter(try await server.store.auditEntries(filter.filter)).map(AuditEntryJSON.init)
        let body = csv ? Data(AuditCSV.text(entries).utf8) : try WireJSON.encoder().encode(entries)
        return Response(
            status: .ok,
            headers: [
                .contentType: csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
                .contentDisposition: "attachment; filename=\"tollgate-audit.\(csv ? "csv" : "json")\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// `GET /change-sets/{id}/events`: server-sent events of the change set's running apply.
    private func events(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let signed = try await signedIn(request)
        let id = try Self.changeSetID(context)
        _ = try await visibility(signed, repository: try await server.openRepository()).changeSet(id: id, in: server.store)
        let stream = ExecutionEventStream(store: server.store, changeSetID: id, lastEventID: request.headers[.lastEventID])
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                try await stream.run { try await writer.write(ByteBuffer(string: $0)) }
                try await writer.finish(nil)
            })
    }

    /// `POST /change-sets/{id}/apply`: starts the apply in the server, as `POST /api/.../apply`
    /// does, and shows the change set following its events; a refusal shows the engine's reason.
    private func apply(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await checkedForm(request, as: CSRFForm.self)
        let signed = try await signedIn(request)
        let id = try Self.changeSetID(context)
        let repository = try await server.openRepository()
        _ = try await visibility(signed, repository: repository).changeSet(id: id, in: server.store)
        let execution: ExecutionRecord
        do {
            execution = try await server.applies.start(changeSetID: id, actor: signed.token.reviewer, repository: repository)
        } catch let error as any TollgateError where error.kind == .conflict || error.kind == .refused {
            return try await changeSetPage(id: id, signed: signed, notice: nil, problem: error.description + " Nothing was applied.", status: .conflict)
        }
        return Response(status: .seeOther, headers: [.location: "/change-sets/\(id)?applying=\(execution.id)"])
    }

    /// What the signed-in reviewer may see under the `visible-to:` lists of the policy in force.
    private func visibility(_ signed: SignedIn, repository: ManagedRepository) async throws -> StackVisibility {
        try await server.visibility(of: signed.token.reviewer, repository: repository, at: signed.version)
    }

    // MARK: Forms and inputs

    struct CSRFForm: WebForm {
        var csrf: String?
    }

    struct SignInForm: WebForm {
        var csrf: String?
        var token: String?
        var next: String?
    }

    struct VerdictForm: WebForm {
        var csrf: String?
        var signature: String?
        var reason: String?
    }

    /// The URL-encoded form of `request`, once its CSRF token matched the session's: 413 when the
    /// body is too large, 415 for another content type, 403 without the session's token.
    private func checkedForm<Form: WebForm>(_ request: Request, as type: Form.Type) async throws -> (Form, WebSessions.Session) {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw ServerError(.unsupportedMediaType, code: "unsupported_media_type", message: "Forms are sent as application/x-www-form-urlencoded.")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.formLimit)
        } catch is NIOTooManyBytesError {
            throw ServerError(.contentTooLarge, code: "body_too_large", message: "The form is larger than \(Self.formLimit) bytes, the most a page takes.")
        }
        let form: Form
        do {
            form = try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
        } catch {
            throw ServerError(.badRequest, code: "invalid_form", message: "The form cannot be read; reload the page and try again.")
        }
        let session = request.cookies[WebSessions.cookieName].flatMap {
            sessions.session(fromCookie: $0.value, now: server.clock.now())
        }
        guard let session, sessions.isValidCSRFToken(form.csrf, for: session) else {
            throw ServerError(.forbidden, code: "csrf", message: "The form's CSRF token is missing or wrong, so nothing was changed; reload the page and try again.")
        }
        return (form, session)
    }

    private static func changeSetID(_ context: ServerRequestContext) throws -> String {
        let id = try context.parameters.require("id")
        guard APIController.isWellFormedID(id) else {
            throw ServerError(.badRequest, code: "invalid_id", message: "The change set id \(id.prefix(80)) is malformed; ids look like cs-3f9a0c1e.")
        }
        return id
    }

    /// The audit filter of `?stack=&actor=&since=`, and the query string that repeats it.
    private static func auditFilter(_ request: Request) throws -> (filter: AuditFilter, stack: String?, actor: String?, since: String?, queryString: String) {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        let stack = value("stack")
        let actor = value("actor")
        let sinceText = value("since")
        var since: Date?
        if let sinceText {
            guard let time = WireJSON.time(sinceText) else {
                throw ServerError(.badRequest, code: "invalid_since", message: "Since \(sinceText.prefix(80)) is not an ISO 8601 date or time, such as 2026-01-31 or 2026-01-31T09:00:00Z.")
            }
            since = time
        }
        var components = URLComponents()
        components.queryItems = [("stack", stack), ("actor", actor), ("since", sinceText)].compactMap { name, value in
            value.map { URLQueryItem(name: name, value: $0) }
        }
        let queryString = components.queryItems?.isEmpty == false ? "?" + (components.percentEncodedQuery ?? "") : ""
        return (AuditFilter(stack: stack, actor: actor, since: since), stack, actor, sinceText, queryString)
    }

    /// `path` when it is a path on this server; `/` for anything else, so that `next` cannot send
    /// a browser to another site.
    static func localPath(_ path: String?) -> String {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"), path.count <= 500,
              path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }), !path.hasPrefix("/sign-")
        else { return "/" }
        return path
    }

    /// Whether the browser reached us over TLS, directly or through a proxy that says so.
    static func isSecure(_ request: Request) -> Bool {
        request.head.scheme == "https" || request.headers[.xForwardedProto]?.lowercased() == "https"
    }

    private func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A form posted by a page: every one carries the session's CSRF token.
protocol WebForm: Decodable {
    var csrf: String? { get }
}

extension HTTPField.Name {
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}

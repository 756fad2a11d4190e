import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Headers every response carries, pages or not: a Content-Security-Policy allowing only this
/// server's own script and style (no inline script), no framing, no MIME sniffing and no referrer.
/// Outermost, so that error responses carry them too.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.xFrameOptions] = "DENY"
        return response
    }
}

/// Where a page sends a browser instead of answering: to sign-in when no session works.
struct WebRedirect: Error {
    let location: String
    /// Whether the session cookie goes too (its token no longer works).
    let clearsSession: Bool

    /// To the sign-in form, coming back to `next` afterwards; `ended` says why a session ended.
    static func signIn(next: String, ended: String?) -> WebRedirect {
        var components = URLComponents()
        components.path = "/sign-in"
        components.queryItems = [URLQueryItem(name: "next", value: next)] + (ended.map { [URLQueryItem(name: "ended", value: $0)] } ?? [])
        return WebRedirect(location: components.string ?? "/sign-in", clearsSession: ended != nil)
    }
}

/// Answers the pages' errors as HTML pages with the status ``ErrorMapping`` chooses, and their
/// redirects as 303; the API keeps its JSON errors.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let pages: WebPages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let redirect as WebRedirect {
            var response = Response(status: .seeOther, headers: [.location: redirect.location])
            if redirect.clearsSession {
                response.setCookie(Cookie(
                    name: WebSessions.cookieName, value: "", maxAge: 0, path: "/", secure: WebController.isSecure(request), httpOnly: true,
                    sameSite: .strict))
            }
            return response
        } catch {
            let mapped = ErrorMapping.serverError(for: error, requestID: context.id)
            if mapped.status.code >= 500, !(error is ServerError) {
                context.logger.error("page failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            let page = ErrorPage(
                title: mapped.status.reasonPhrase, reviewer: nil, csrf: "", heading: "\(mapped.status.code) \(mapped.status.reasonPhrase)",
                message: mapped.message)
            return Response(
                status: mapped.status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: pages.render(page, page: "error"))))
        }
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
}

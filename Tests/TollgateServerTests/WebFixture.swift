import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What a browser keeps between requests to the web page: its session cookie and the CSRF token
/// of the page it last loaded.
struct WebSession: Sendable {
    var cookie: String
    var csrf: String

    var headers: HTTPFields { fields([("Cookie", cookie)]) }
}

/// The `name=value` pair of the session cookie a response sets, and the whole header.
func sessionCookie(_ response: TestResponse) -> (pair: String, header: String)? {
    guard let header = response.headers[values: .setCookie].first(where: { $0.hasPrefix("tollgate_session=") }) else { return nil }
    return (String(header.split(separator: ";", maxSplits: 1)[0]), header)
}

/// The value of the first hidden `csrf` field of a page.
func csrfField(_ html: String) -> String? {
    guard let range = html.range(of: #"name="csrf" value="([^"]*)""#, options: .regularExpression) else { return nil }
    let match = html[range]
    return match.split(separator: "\"").dropFirst(3).first.map(String.init)
}

/// A URL-encoded form body.
func formBody(_ pairs: [(String, String)]) -> ByteBuffer {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    let text = pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    return ByteBuffer(string: text)
}

let formHeaders: [(String, String)] = [("Content-Type", "application/x-www-form-urlencoded")]

/// The anonymous session and CSRF token that the sign-in form hands out.
func signInForm(_ client: some TestClientProtocol) async throws -> WebSession {
    try await client.execute(uri: "/sign-in", method: .get) { response in
        let cookie = try #require(sessionCookie(response))
        return WebSession(cookie: cookie.pair, csrf: try #require(csrfField(String(buffer: response.body))))
    }
}

/// Signs in with `token` as a browser does, then loads `/` for the signed-in CSRF token.
func signIn(_ client: some TestClientProtocol, token: String) async throws -> WebSession {
    let form = try await signInForm(client)
    let cookie = try await client.execute(
        uri: "/sign-in", method: .post, headers: fields(formHeaders + [("Cookie", form.cookie)]),
        body: formBody([("csrf", form.csrf), ("token", token), ("next", "/")])
    ) { response in
        #expect(response.status == .seeOther)
        return try #require(sessionCookie(response)).pair
    }
    return try await client.execute(uri: "/", method: .get, headers: fields([("Cookie", cookie)])) { response in
        #expect(response.status == .ok)
        return WebSession(cookie: cookie, csrf: try #require(csrfField(String(buffer: response.body))))
    }
}

/// Posts a page's form with the session's cookie.
func postForm(
    _ client: some TestClientProtocol, _ uri: String, session: WebSession, _ pairs: [(String, String)]
) async throws -> TestResponse {
    try await client.execute(uri: uri, method: .post, headers: fields(formHeaders + [("Cookie", session.cookie)]), body: formBody(pairs)) { $0 }
}

/// Loads a page with the session's cookie.
func getPage(_ client: some TestClientProtocol, _ uri: String, session: WebSession?) async throws -> TestResponse {
    try await client.execute(uri: uri, method: .get, headers: session?.headers ?? [:]) { $0 }
}

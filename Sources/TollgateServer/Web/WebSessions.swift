import Crypto
import Foundation
import Hummingbird
import TollgateCore
import TollgateStore

/// The web page's signed session cookies and the CSRF tokens bound to them.
///
/// A cookie carries no secret of its own: a random nonce, the SHA-256 of the reviewer's bearer
/// token (as the store keeps it) and when it was made, signed with HMAC-SHA256 under the session
/// key. Each request looks the token up again, so a revoked or expired token ends the session at
/// once. Several replicas behind one address need the same key (`--session-secret-file` or
/// `TOLLGATE_SESSION_SECRET`); without one each process makes its own and sessions do not survive
/// a restart.
public struct WebSessions: Sendable {
    /// The cookie's name.
    static let cookieName = "tollgate_session"
    /// How long a signed-in session lasts at most, whatever the token's own expiry.
    static let lifetime: TimeInterval = 12 * 3600

    private let key: SymmetricKey

    /// Sessions signed with `secret`; at least 32 bytes.
    ///
    /// - Throws: ``WebSessionSecretError/tooShort(bytes:)``.
    public init(secret: [UInt8]) throws(WebSessionSecretError) {
        guard secret.count >= 32 else { throw .tooShort(bytes: secret.count) }
        key = SymmetricKey(data: secret)
    }

    /// Sessions signed with a random key that only this process knows.
    public init() {
        key = SymmetricKey(size: .bits256)
    }

    /// The secret from `TOLLGATE_SESSION_SECRET` or the file `file` names, or nil for neither.
    ///
    /// - Throws: ``WebSessionSecretError``.
    public static func secret(environment: [String: String], file: String?) throws(WebSessionSecretError) -> [UInt8]? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw .unreadable(path: file) }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return Array(text.utf8)
        }
        return environment["TOLLGATE_SESSION_SECRET"].map { Array($0.trimmingCharacters(in: .whitespacesAndNewlines).utf8) }
    }

    /// What a cookie says, once its signature checked.
    struct Session: Sendable, Codable, Equatable {
        /// Random, per session: the CSRF token is derived from it.
        var nonce: String
        /// The SHA-256 of the bearer token signed in with; nil before sign-in.
        var tokenSHA256: String?
        /// When the session began, in seconds since 1970.
        var issuedAt: Int64
    }

    /// A new session, signed in with `tokenSHA256` or anonymous (for the sign-in form's CSRF token).
    func newSession(tokenSHA256: String?, now: Date) -> Session {
        Session(nonce: Self.randomHex(16), tokenSHA256: tokenSHA256, issuedAt: Int64(now.timeIntervalSince1970))
    }

    /// The cookie value of `session`: the payload and its HMAC, both base64url.
    func cookieValue(_ session: Session) -> String {
        let payload = Self.base64url(Data((try? JSONEncoder().encode(session)) ?? Data()))
        return payload + "." + Self.base64url(Data(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)))
    }

    /// The session a cookie value names, or nil when it is malformed, forged, tampered with or too old.
    func session(fromCookie value: String, now: Date) -> Session? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard value.utf8.count <= 1024, parts.count == 2, let mac = Self.data(base64url: String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(parts[0].utf8), using: key),
              let payload = Self.data(base64url: String(parts[0])),
              let session = try? JSONDecoder().decode(Session.self, from: payload)
        else { return nil }
        let age = now.timeIntervalSince1970 - TimeInterval(session.issuedAt)
        guard age >= -60, age <= Self.lifetime else { return nil }
        return session
    }

    /// The CSRF token of `session`: an HMAC of its nonce, so it is worthless with any other session.
    func csrfToken(for session: Session) -> String {
        Self.base64url(Data(HMAC<SHA256>.authenticationCode(for: Data(("csrf:" + session.nonce).utf8), using: key)))
    }

    /// Whether `presented` is the CSRF token of `session`, compared in constant time.
    func isValidCSRFToken(_ presented: String?, for session: Session) -> Bool {
        guard let presented, let mac = Self.data(base64url: presented) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(("csrf:" + session.nonce).utf8), using: key)
    }

    /// The session cookie for `session`; Secure when the browser reached us over TLS.
    func cookie(_ session: Session, secure: Bool) -> Cookie {
        Cookie(name: Self.cookieName, value: cookieValue(session), path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// A cookie that makes the browser forget the session.
    func expiredCookie(secure: Bool) -> Cookie {
        Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }.lowercaseHex
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64url text: String) -> Data? {
        guard text.count <= 2048 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

/// The session key cannot be used.
public enum WebSessionSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than 32 bytes.
    case tooShort(bytes: Int)
    /// The file named by --session-secret-file cannot be read.
    case unreadable(path: String)

    public var description: String {
        switch self {
        case .tooShort(let bytes):
            "The session secret has \(bytes) bytes; it needs at least 32 (openssl rand -hex 32 makes one)."
        case .unreadable(let path):
            "The session secret file \(path) cannot be read."
        }
    }
}

import Foundation

/// Where a followed repository lives, parsed from the URL an operator configured.
///
/// Only forms Tollgate can fetch safely are accepted: a local path or `file://` URL, SSH
/// (`ssh://[user@]host[:port]/path` or scp-like `user@host:path`) and HTTPS. Credentials inside
/// the URL are refused, since URLs end up in logs, process listings and the clone's config.
public enum RemoteLocation: Sendable, Hashable, CustomStringConvertible {
    /// A repository on this machine, by path.
    case local(path: String)
    /// A repository reached over SSH; `user` is nil when the URL names none.
    case ssh(user: String?, host: String, port: Int?, path: String)
    /// A repository reached over HTTPS; `user` is the URL's user name, if any (never a password).
    case https(url: String, user: String?, host: String)

    /// Parses `text` as a remote URL or local path.
    ///
    /// - Throws: ``RemoteFetchError/credentialsInURL(url:)`` when the URL carries a password or
    ///   token, ``RemoteFetchError/unsupportedScheme(url:scheme:)`` for any scheme other than
    ///   `file`, `ssh` and `https`, ``RemoteFetchError/malformedURL(url:reason:)`` otherwise.
    public init(parsing text: String) throws(RemoteFetchError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw .malformedURL(url: Self.redacted(text), reason: "it is empty or contains a line break")
        }
        if let schemeEnd = trimmed.range(of: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
            switch scheme {
            case "file":
                let path = String(trimmed[schemeEnd.upperBound...])
                guard path.hasPrefix("/") else {
                    throw .malformedURL(url: trimmed, reason: "a file:// URL needs an absolute path, such as file:///srv/git/stacks.git")
                }
                self = .local(path: path)
            case "ssh", "git+ssh", "ssh+git":
                self = try Self.parseSSH(trimmed, afterScheme: String(trimmed[schemeEnd.upperBound...]))
            case "https":
                self = try Self.parseHTTPS(trimmed)
            case "http":
                throw .unsupportedScheme(url: Self.redacted(trimmed), scheme: scheme, hint: "plain http would send the token in clear; use https://")
            default:
                throw .unsupportedScheme(url: Self.redacted(trimmed), scheme: scheme, hint: "use file://, ssh:// or https://")
            }
            return
        }
        // git's scp-like syntax: [user@]host:path, where the part before the first colon has no slash.
        if let colon = trimmed.firstIndex(of: ":"), colon != trimmed.startIndex, !trimmed[..<colon].contains("/") {
            let authority = String(trimmed[..<colon])
            let path = String(trimmed[trimmed.index(after: colon)...])
            let (user, host) = try Self.splitUser(authority, url: trimmed)
            guard !host.isEmpty, !path.isEmpty else {
                throw .malformedURL(url: trimmed, reason: "expected [user@]host:path")
            }
            self = .ssh(user: user, host: host, port: nil, path: path)
            return
        }
        self = .local(path: trimmed)
    }

    private static func parseSSH(_ url: String, afterScheme rest: String) throws(RemoteFetchError) -> RemoteLocation {
        guard let slash = rest.firstIndex(of: "/") else {
            throw .malformedURL(url: url, reason: "it names no repository path after the host")
        }
        let authority = String(rest[..<slash])
        let path = String(rest[slash...])
        let (user, hostPort) = try splitUser(authority, url: url)
        var host = hostPort
        var port: Int?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw .malformedURL(url: url, reason: "an IPv6 host lacks its ']'") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { port = try parsePort(String(after.dropFirst()), url: url) }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            port = try parsePort(String(hostPort[hostPort.index(after: colon)...]), url: url)
        }
        guard !host.isEmpty else { throw .malformedURL(url: url, reason: "it names no host") }
        guard path.count > 1 else { throw .malformedURL(url: url, reason: "it names no repository path after the host") }
        return .ssh(user: user, host: host, port: port, path: path)
    }

    private static func parseHTTPS(_ url: String) throws(RemoteFetchError) -> RemoteLocation {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw .malformedURL(url: redacted(url), reason: "it is not a URL with a host")
        }
        if components.password != nil {
            throw .credentialsInURL(url: redacted(url))
        }
        return .https(url: url, user: components.user, host: host)
    }

    /// Splits `user@host`, refusing `user:secret@host`.
    private static func splitUser(_ authority: String, url: String) throws(RemoteFetchError) -> (String?, String) {
        guard let at = authority.lastIndex(of: "@") else { return (nil, authority) }
        let user = String(authority[..<at])
        if user.contains(":") { throw .credentialsInURL(url: redacted(url)) }
        guard !user.isEmpty else { throw .malformedURL(url: url, reason: "the user name before '@' is empty") }
        return (user, String(authority[authority.index(after: at)...]))
    }

    private static func parsePort(_ text: String, url: String) throws(RemoteFetchError) -> Int {
        guard let port = Int(text), (1...65_535).contains(port) else {
            throw .malformedURL(url: url, reason: "port '\(text)' is not a number from 1 to 65535")
        }
        return port
    }

    /// `url` with anything between `://` and `@` replaced, so that an error never repeats a secret.
    static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
        let slash = url[schemeEnd.upperBound...].firstIndex(of: "/") ?? url.endIndex
        guard at < slash else { return url }
        return String(url[..<schemeEnd.upperBound]) + "***" + String(url[at...])
    }

    /// The URL handed to libgit2.
    var libgit2URL: String {
        switch self {
        case .local(let path): path
        case .ssh(let user, let host, _, let path) where !path.hasPrefix("/"):
            // scp-like: the path is relative to the user's home, which ssh:// cannot say.
            "\(user.map { "\($0)@" } ?? "")\(host):\(path)"
        case .ssh(let user, let host, let port, let path):
            "ssh://\(user.map { "\($0)@" } ?? "")\(host.contains(":") ? "[\(host)]" : host)\(port.map { ":\($0)" } ?? "")\(path)"
        case .https(let url, _, _): url
        }
    }

    /// The URL as shown to people; it never holds a secret, since those are refused.
    public var description: String {
        switch self {
        case .local(let path): path
        case .ssh, .https: libgit2URL
        }
    }
}

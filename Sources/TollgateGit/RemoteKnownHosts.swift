import Crypto
import Foundation

/// An OpenSSH `known_hosts` file, and the check of a host's key against it.
///
/// Supports what `ssh-keyscan` and `ssh` write: plain host patterns (with `*`, `?` and `!`
/// negation), `[host]:port` for ports other than 22, hashed entries (`|1|salt|hash`, HMAC-SHA1 of
/// the host name), and the `@revoked` marker. `@cert-authority` lines are skipped: Tollgate
/// trusts keys, not certificates.
public struct RemoteKnownHosts: Sendable {
    /// One key line.
    struct Entry: Sendable {
        let line: Int
        let patterns: [String]
        let revoked: Bool
        let blob: [UInt8]
    }

    /// The file's path, for messages.
    public let path: String
    let entries: [Entry]

    /// Reads `path`.
    ///
    /// - Throws: ``RemoteFetchError/unreadableFile(_:path:reason:)`` when it cannot be read.
    public init(contentsOf path: String) throws(RemoteFetchError) {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .unreadableFile(.knownHosts, path: path, reason: exists ? "it cannot be read" : "no such file")
        }
        self.init(text: String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses `text`; lines that hold no key are skipped, as OpenSSH skips them.
    public init(text: String, path: String) {
        self.path = path
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            var revoked = false
            if first.hasPrefix("@") {
                guard first == "@revoked" else { continue }
                revoked = true
                fields.removeFirst()
            }
            guard fields.count >= 3, let blob = Data(base64Encoded: fields[2]) else { continue }
            entries.append(Entry(
                line: index + 1, patterns: fields[0].split(separator: ",").map(String.init), revoked: revoked, blob: Array(blob)))
        }
        self.entries = entries
    }

    /// The name `host` has in known_hosts: bare on port 22, `[host]:port` otherwise.
    static func hostName(_ host: String, port: Int?) -> String {
        guard let port, port != 22 else { return host }
        return "[\(host)]:\(port)"
    }

    /// Checks that `key` (its SSH wire blob) is a key the file lists for `host` on `port`.
    ///
    /// - Throws: ``RemoteFetchError/unknownHostKey(host:fingerprint:knownHosts:)`` when no line
    ///   names the host, ``RemoteFetchError/changedHostKey(host:fingerprint:knownHosts:line:)`` when
    ///   lines name it with other keys only, ``RemoteFetchError/revokedHostKey(host:fingerprint:knownHosts:line:)``.
    public func verify(key: [UInt8], host: String, port: Int?) throws(RemoteFetchError) {
        let name = Self.hostName(host, port: port)
        let fingerprint = Self.fingerprint(of: key)
        let matching = entries.filter { Self.matches(name, patterns: $0.patterns) }
        if let revoked = matching.first(where: { $0.revoked && $0.blob == key }) {
            throw .revokedHostKey(host: name, fingerprint: fingerprint, knownHosts: path, line: revoked.line)
        }
        if matching.contains(where: { !$0.revoked && $0.blob == key }) { return }
        // A line for the host with another key of the same type is a changed key; one of another
        // type only is a key the file does not know yet (OpenSSH words it the same way).
        let type = Self.keyType(of: key)
        if let other = matching.first(where: { !$0.revoked && Self.keyType(of: $0.blob) == type }) {
            throw .changedHostKey(host: name, fingerprint: fingerprint, knownHosts: path, line: other.line)
        }
        throw .unknownHostKey(host: name, fingerprint: fingerprint, knownHosts: path)
    }

    /// `SHA256:` and the unpadded base64 of the key's SHA-256, as `ssh-keygen -l` prints it.
    public static func fingerprint(of key: [UInt8]) -> String {
        var encoded = Data(SHA256.hash(data: key)).base64EncodedString()
        while encoded.hasSuffix("=") { encoded.removeLast() }
        return "SHA256:" + encoded
    }

    /// The key type named at the start of an SSH wire blob, such as `ssh-ed25519`.
    static func keyType(of blob: [UInt8]) -> String? {
        guard blob.count >= 4 else { return nil }
        let length = blob[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, blob.count >= 4 + length else { return nil }
        return String(decoding: blob[4..<(4 + length)], as: UTF8.self)
    }

    /// Whether `name` matches a line's patterns: some pattern matches and no negated one does.
    static func matches(_ name: String, patterns: [String]) -> Bool {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("|1|") {
                if hashedMatches(name, entry: pattern) { matched = true }
            } else if pattern.hasPrefix("!") {
                if wildcardMatches(name.lowercased(), pattern: Array(pattern.dropFirst().lowercased())) { return false }
            } else if wildcardMatches(name.lowercased(), pattern: Array(pattern.lowercased())) {
                matched = true
            }
        }
        return matched
    }

    /// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as `ssh-keygen -H` writes.
    static func hashedMatches(_ name: String, entry: String) -> Bool {
        let parts = entry.split(separator: "|", omittingEmptySubsequences: true)
        guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])), let expected = Data(base64Encoded: String(parts[2])) else {
            return false
        }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
        return Data(code) == expected
    }

    /// OpenSSH's `*` and `?` wildcards.
    static func wildcardMatches(_ name: String, pattern: [Character]) -> Bool {
        let text = Array(name)
        var memo: [Int: Bool] = [:]
        func match(_ i: Int, _ j: Int) -> Bool {
            let key = i * (pattern.count + 1) + j
            if let known = memo[key] { return known }
            let result: Bool
            if j == pattern.count {
                result = i == text.count
            } else if pattern[j] == "*" {
                result = match(i, j + 1) || (i < text.count && match(i + 1, j))
            } else {
                result = i < text.count && (pattern[j] == "?" || pattern[j] == text[i]) && match(i + 1, j + 1)
            }
            memo[key] = result
            return result
        }
        return match(0, 0)
    }
}

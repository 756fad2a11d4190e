import Crypto
import Foundation
import TollgateCore

/// How each git host proves that a webhook delivery came from it; pure functions over the raw body.
public enum WebhookSignature {
    /// The lower-case hex HMAC-SHA256 of `body` keyed with `secret`, as GitHub and Bitbucket send it
    /// after `sha256=`.
    public static func hmacSHA256Hex(body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return code.lowercaseHex
    }

    /// Whether `header` (GitHub's `X-Hub-Signature-256`, Bitbucket's `X-Hub-Signature`) is
    /// `sha256=` and the HMAC-SHA256 of `body` under `secret`; compared in constant time.
    public static func isValidHubSignature(_ header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), let given = bytes(hex: String(header.dropFirst("sha256=".count))),
              given.count == SHA256.byteCount
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }

    /// Whether GitLab's `X-Gitlab-Token` equals the configured token. GitLab sends the token
    /// itself, so both sides are hashed first: the comparison then takes the same time whatever
    /// the lengths and wherever the first difference is.
    public static func isValidGitLabToken(_ header: String?, token: String) -> Bool {
        guard let header else { return false }
        let given = Array(SHA256.hash(data: Data(header.utf8)))
        let expected = Array(SHA256.hash(data: Data(token.utf8)))
        var difference: UInt8 = 0
        for (left, right) in zip(given, expected) {
            difference |= left ^ right
        }
        return difference == 0
    }

    /// The bytes of an even-length hex string, or nil when it is not one.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

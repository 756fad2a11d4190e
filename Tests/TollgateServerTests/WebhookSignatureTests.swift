import Foundation
import Testing
@testable import TollgateServer

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    /// GitHub's documented test values ("Validating webhook deliveries").
    static let githubSecret = "It's a Secret to Everybody"
    static let githubPayload = Array("Hello, World!".utf8)
    static let githubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    @Test("GitHub's documented vector: the HMAC-SHA256 of 'Hello, World!' under its secret")
    func githubVector() {
        #expect("sha256=" + WebhookSignature.hmacSHA256Hex(body: Self.githubPayload, secret: Self.githubSecret) == Self.githubSignature)
        #expect(WebhookSignature.isValidHubSignature(Self.githubSignature, body: Self.githubPayload, secret: Self.githubSecret))
        #expect(WebhookSignature.isValidHubSignature(Self.githubSignature.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="),
                                                     body: Self.githubPayload, secret: Self.githubSecret))
    }

    @Test("a hub signature is refused when anything differs", arguments: [
        ("missing", nil as String?, "Hello, World!", "It's a Secret to Everybody"),
        ("other secret", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "Hello, World!", "another secret"),
        ("other body", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "Hello, World?", "It's a Secret to Everybody"),
        ("sha1 prefix", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "Hello, World!", "It's a Secret to Everybody"),
        ("no prefix", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "Hello, World!", "It's a Secret to Everybody"),
        ("truncated", "sha256=757107ea0eb2509fc211221cce984b8a", "Hello, World!", "It's a Secret to Everybody"),
        ("not hex", "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "Hello, World!", "It's a Secret to Everybody"),
        ("odd length", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1", "Hello, World!", "It's a Secret to Everybody"),
        ("empty", "", "Hello, World!", "It's a Secret to Everybody"),
    ])
    func hubSignatureRefused(_ name: String, _ header: String?, _ body: String, _ secret: String) {
        #expect(!WebhookSignature.isValidHubSignature(header, body: Array(body.utf8), secret: secret), "\(name)")
    }

    @Test("Bitbucket signs as GitHub does, sha256= and the hex HMAC of the raw body")
    func bitbucketVector() {
        let body = Array(#"{"push":{"changes":[]}}"#.utf8)
        let header = "sha256=" + WebhookSignature.hmacSHA256Hex(body: body, secret: "bitbucket secret")
        // Computed independently with Python's hmac module.
        #expect(header == "sha256=3b5be18cba993e6c6d1a22a7075c21bd4536973542abfe70b0a20a2c89a4bcb8")
        #expect(WebhookSignature.isValidHubSignature(header, body: body, secret: "bitbucket secret"))
        #expect(!WebhookSignature.isValidHubSignature(header, body: body + [0x20], secret: "bitbucket secret"))
    }

    @Test("GitLab's token matches only exactly", arguments: [
        ("the token", "s3cr3t-token", true),
        ("a prefix", "s3cr3t", false),
        ("longer", "s3cr3t-token ", false),
        ("other case", "S3CR3T-TOKEN", false),
        ("empty", "", false),
    ])
    func gitlabToken(_ name: String, _ header: String, _ valid: Bool) {
        #expect(WebhookSignature.isValidGitLabToken(header, token: "s3cr3t-token") == valid, "\(name)")
        #expect(!WebhookSignature.isValidGitLabToken(nil, token: "s3cr3t-token"))
    }
}

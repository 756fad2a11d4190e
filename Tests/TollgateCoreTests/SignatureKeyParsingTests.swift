import Testing
import TollgateCore

/// authorized_keys lines as people paste them into reviewers.yaml.
@Suite("SSH public keys from authorized_keys lines")
struct SignatureKeyParsingTests {
    static let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBe2G+y5RfIT73GXqqC5mztcRrnzq5Yz9rfgkmWbturn"

    @Test("Options and comments are tolerated", arguments: [
        ed25519,
        ed25519 + " alice@laptop",
        "no-pty,command=\"echo a b\" " + ed25519 + " alice@laptop",
        "  " + ed25519 + "\n",
    ])
    func parsesLine(line: String) throws {
        let key = try SSHPublicKey(authorizedKeysLine: line)
        #expect(key.algorithm == .ed25519)
        #expect(key.fingerprint.hasPrefix("SHA256:"))
    }

    @Test("Bad lines say what is wrong", arguments: [
        ("", "empty"),
        ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 x", "unsupported SSH key type 'ssh-rsa'"),
        ("ssh-ed25519 not-base64", "malformed SSH public key"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH/lbIz7", "malformed SSH public key"),
    ])
    func refusesLine(line: String, expected: String) throws {
        let error = #expect(throws: SignatureError.self) { try SSHPublicKey(authorizedKeysLine: line) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }
}

import Foundation
import Testing
import TollgateCore
import TollgateTestSupport

/// Tollgate's SSHSIG code against the real ssh-keygen, both ways, for every supported key type.
@Suite("SSH signatures interoperate with ssh-keygen")
struct SignatureInteropTests {
    static let keyTypes = ["ed25519", "ecdsa"]
    let message = ApprovalText.make(changeSetID: "cs-42", stack: "database", digest: "sha256:" + String(repeating: "ab", count: 32), verdict: .approve)

    @Test("ssh-keygen signs, Tollgate verifies", arguments: keyTypes)
    func opensshSignsTollgateVerifies(type: String) throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory()
        let key = try keygen.generateKey(type: type, in: folder, name: "reviewer")
        let armored = try keygen.sign(message, key: key, namespace: "tollgate", in: folder)

        let signature = try SSHSignature(armored: armored)
        let listed = try SSHPublicKey(authorizedKeysLine: key.publicKeyLine)
        #expect(signature.hashAlgorithm == .sha512)
        #expect(try signature.verify(message: Array(message.utf8), allowedKeys: [listed]) == listed)
    }

    @Test("Tollgate signs, ssh-keygen verifies", arguments: keyTypes)
    func tollgateSignsOpensshVerifies(type: String) throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory()
        let key = try keygen.generateKey(type: type, in: folder, name: "reviewer")
        let privateKey = try SSHPrivateKey(openSSHText: key.privateKeyText)
        #expect(privateKey.publicKey == (try SSHPublicKey(authorizedKeysLine: key.publicKeyLine)))

        let signature = try SSHSignature.sign(message, with: privateKey)
        let accepted = try keygen.verify(message, signature: signature.armored, publicKeyLine: key.publicKeyLine, namespace: "tollgate", in: folder)
        #expect(accepted.status == 0, "ssh-keygen refused: \(accepted.standardError)")

        let otherMessage = message.replacingOccurrences(of: "cs-42", with: "cs-43")
        let refused = try keygen.verify(otherMessage, signature: signature.armored, publicKeyLine: key.publicKeyLine, namespace: "tollgate", in: folder)
        #expect(refused.status != 0)
    }

    @Test("Fingerprints match ssh-keygen -l", arguments: keyTypes)
    func fingerprintMatchesOpenSSH(type: String) throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory()
        let key = try keygen.generateKey(type: type, in: folder, name: "reviewer")
        let printed = try keygen.run(["-l", "-E", "sha256", "-f", key.privateKeyPath + ".pub"]).standardOutput
        let parsed = try SSHPublicKey(authorizedKeysLine: key.publicKeyLine)
        #expect(printed.split(separator: " ").dropFirst().first.map(String.init) == parsed.fingerprint)
    }

    @Test("An encrypted private key is refused with advice to use --signature")
    func encryptedPrivateKey() throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory()
        let key = try keygen.generateKey(type: "ed25519", in: folder, name: "locked", passphrase: "correct horse")
        let error = #expect(throws: SignatureError.self) { try SSHPrivateKey(openSSHText: key.privateKeyText) }
        #expect(error?.description.contains("--signature") == true)
        #expect(error?.description.contains("ssh-keygen -Y sign") == true)
    }
}

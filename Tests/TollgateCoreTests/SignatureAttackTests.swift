import Foundation
import Testing
import TollgateCore
import TollgateTestSupport

/// Each way of passing off a signature that should not count fails, with a message that says why.
@Suite("SSH signatures refuse forgeries")
struct SignatureAttackTests {
    let digest = "sha256:" + String(repeating: "12", count: 32)
    let otherDigest = "sha256:" + String(repeating: "34", count: 32)

    private func text(_ digest: String) -> String {
        ApprovalText.make(changeSetID: "cs-7", stack: "network", digest: digest, verdict: .approve)
    }

    @Test("A signature over another digest does not verify")
    func signatureOverOtherDigest() throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory()
        let key = try keygen.generateKey(type: "ed25519", in: folder, name: "k")
        let signature = try SSHSignature(armored: keygen.sign(text(otherDigest), key: key, namespace: "tollgate", in: folder))
        let listed = try SSHPublicKey(authorizedKeysLine: key.publicKeyLine)
        let error = #expect(throws: SignatureError.self) {
            try signature.verify(message: Array(text(digest).utf8), allowedKeys: [listed])
        }
        #expect(error == .doesNotMatchMessage(fingerprint: listed.fingerprint))
        #expect(error?.description.contains("another change set") == true)
    }

    @Test("A signature in another namespace is refused")
    func otherNamespace() throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory()
        let key = try keygen.generateKey(type: "ecdsa", in: folder, name: "k")
        let signature = try SSHSignature(armored: keygen.sign(text(digest), key: key, namespace: "git", in: folder))
        let listed = try SSHPublicKey(authorizedKeysLine: key.publicKeyLine)
        let error = #expect(throws: SignatureError.self) {
            try signature.verify(message: Array(text(digest).utf8), allowedKeys: [listed])
        }
        #expect(error?.description == "wrong namespace 'git', expected 'tollgate'; sign with ssh-keygen -Y sign -n tollgate")
    }

    @Test("A key nobody lists is refused, naming its fingerprint")
    func unlistedKey() throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory()
        let stranger = try keygen.generateKey(type: "ed25519", in: folder, name: "stranger")
        let reviewer = try keygen.generateKey(type: "ed25519", in: folder, name: "reviewer")
        let signature = try SSHSignature(armored: keygen.sign(text(digest), key: stranger, namespace: "tollgate", in: folder))
        let listed = try SSHPublicKey(authorizedKeysLine: reviewer.publicKeyLine)
        let error = #expect(throws: SignatureError.self) {
            try signature.verify(message: Array(text(digest).utf8), allowedKeys: [listed])
        }
        #expect(error == .keyNotListed(fingerprint: signature.publicKey.fingerprint))
        #expect(error?.description.contains("not listed for any reviewer") == true)
    }

    @Test("A tampered signature file is refused", arguments: [0, 1, 2])
    func tamperedFile(variant: Int) throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory()
        let key = try keygen.generateKey(type: "ed25519", in: folder, name: "k")
        let armored = try keygen.sign(text(digest), key: key, namespace: "tollgate", in: folder)
        let listed = try SSHPublicKey(authorizedKeysLine: key.publicKeyLine)
        var lines = armored.components(separatedBy: "\n")
        switch variant {
        case 0:
            // Change one base64 character inside the signature bytes. It is taken before the
            // last four characters, whose low bits a decoder may ignore, so the bytes do change.
            var body = Array(lines[1..<(lines.count - 2)].joined())
            let position = body.count - 12
            body[position] = body[position] == "A" ? "B" : "A"
            let rewrapped = stride(from: 0, to: body.count, by: 70).map { String(body[$0..<min($0 + 70, body.count)]) }
            lines = [lines[0]] + rewrapped + Array(lines[(lines.count - 2)...])
        case 1:
            lines[1] = "!!" + lines[1].dropFirst(2)
        default:
            lines[0] = "-----BEGIN SSH SIGNATUR-----"
        }
        let error = #expect(throws: SignatureError.self) {
            let signature = try SSHSignature(armored: lines.joined(separator: "\n"))
            try signature.verify(message: Array(text(digest).utf8), allowedKeys: [listed])
        }
        switch variant {
        case 0:
            #expect(error.map { [.doesNotMatchMessage(fingerprint: listed.fingerprint), .malformedSignature(field: "signature")].contains($0) } == true)
        case 1:
            #expect(error == .malformedArmor(line: 2, reason: "not base64"))
            #expect(error?.description.contains("at line 2") == true)
        default:
            #expect(error?.description.contains("at line 1") == true)
        }
    }

    @Test("A signature made for a rejection does not verify as an approval")
    func verdictIsSigned() throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory()
        let key = try keygen.generateKey(type: "ed25519", in: folder, name: "k")
        let privateKey = try SSHPrivateKey(openSSHText: key.privateKeyText)
        let rejection = ApprovalText.make(changeSetID: "cs-7", stack: "network", digest: digest, verdict: .reject)
        let signature = try SSHSignature.sign(rejection, with: privateKey)
        #expect(throws: SignatureError.doesNotMatchMessage(fingerprint: privateKey.publicKey.fingerprint)) {
            try signature.verify(message: text(digest))
        }
    }
}

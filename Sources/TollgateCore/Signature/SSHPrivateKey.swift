import Crypto
import Foundation

/// An unencrypted OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`), used by
/// `tollgate approve --key` to sign the approval text without a round trip through ssh-keygen.
///
/// Passphrase-protected keys are refused with advice to sign with `ssh-keygen -Y sign` and pass
/// `--signature`, because asking for passphrases is OpenSSH's job, not ours.
public struct SSHPrivateKey: Sendable {
    /// The public half, checked to belong to the private half when the file is read.
    public let publicKey: SSHPublicKey
    /// The 32-byte Ed25519 seed or P-256 scalar.
    private let secret: [UInt8]

    private static let beginMarker = "-----BEGIN OPENSSH PRIVATE KEY-----"
    private static let endMarker = "-----END OPENSSH PRIVATE KEY-----"
    private static let magic = Array("openssh-key-v1".utf8) + [0]

    /// Reads the text of an OpenSSH private key file holding one ssh-ed25519 or
    /// ecdsa-sha2-nistp256 key.
    ///
    /// - Throws: ``SignatureError/encryptedPrivateKey(cipher:)`` for a passphrase-protected key,
    ///   ``SignatureError/unsupportedKeyType(_:)`` or ``SignatureError/malformedPrivateKey(reason:)``.
    public init(openSSHText text: String) throws(SignatureError) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let begin = lines.firstIndex(of: Self.beginMarker),
              let end = lines.firstIndex(of: Self.endMarker), begin < end
        else {
            if text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY") || text.contains("BEGIN PRIVATE KEY") {
                throw .malformedPrivateKey(reason: "this is a PEM key; convert it with ssh-keygen -p -f KEY (which rewrites it in OpenSSH format) or sign with ssh-keygen -Y sign and pass --signature")
            }
            throw .malformedPrivateKey(reason: "expected a '\(Self.beginMarker)' block")
        }
        guard let decoded = Data(base64Encoded: lines[(begin + 1)..<end].joined()) else {
            throw .malformedPrivateKey(reason: "the body is not valid base64")
        }
        let bytes = Array(decoded)
        guard bytes.starts(with: Self.magic) else {
            throw .malformedPrivateKey(reason: "missing the openssh-key-v1 header")
        }
        var reader = SSHWireReader(Array(bytes.dropFirst(Self.magic.count)))
        do {
            let cipher = try reader.readText("cipher name")
            let kdf = try reader.readText("KDF name")
            _ = try reader.readString("KDF options")
            guard cipher == "none", kdf == "none" else {
                throw SignatureError.encryptedPrivateKey(cipher: cipher)
            }
            let count = try reader.readUInt32("key count")
            guard count == 1 else {
                throw SignatureError.malformedPrivateKey(reason: "the file holds \(count) keys, expected 1")
            }
            let outerPublic = try SSHPublicKey(blob: reader.readString("public key"))
            var section = SSHWireReader(try reader.readString("private section"))
            let check1 = try section.readUInt32("check value")
            let check2 = try section.readUInt32("check value")
            guard check1 == check2 else {
                throw SignatureError.malformedPrivateKey(reason: "the check values differ; the file is damaged")
            }
            let typeName = try section.readText("key type")
            guard let algorithm = SSHPublicKey.Algorithm(rawValue: typeName) else {
                throw SignatureError.unsupportedKeyType(typeName)
            }
            let derivedPublic: [UInt8]
            switch algorithm {
            case .ed25519:
                let publicBytes = try section.readString("Ed25519 public key")
                let secretBytes = try section.readString("Ed25519 private key")
                // OpenSSH stores the 32-byte seed followed by the 32-byte public key.
                guard secretBytes.count == 64, publicBytes.count == 32 else {
                    throw SignatureError.malformedPrivateKey(reason: "Ed25519 key lengths are wrong")
                }
                secret = Array(secretBytes.prefix(32))
                guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: secret) else {
                    throw SignatureError.malformedPrivateKey(reason: "the Ed25519 seed is invalid")
                }
                derivedPublic = Array(key.publicKey.rawRepresentation)
            case .ecdsaP256:
                let curve = try section.readText("curve name")
                guard curve == "nistp256" else {
                    throw SignatureError.malformedPrivateKey(reason: "curve '\(curve)' does not match ecdsa-sha2-nistp256")
                }
                _ = try section.readString("P-256 public point")
                secret = try section.readPositiveMPInt(width: 32, "P-256 private scalar")
                guard let key = try? P256.Signing.PrivateKey(rawRepresentation: secret) else {
                    throw SignatureError.malformedPrivateKey(reason: "the P-256 private scalar is invalid")
                }
                derivedPublic = Array(key.publicKey.x963Representation)
            }
            let comment = (try? section.readText("comment")) ?? ""
            guard derivedPublic == outerPublic.keyBytes, outerPublic.algorithm == algorithm else {
                throw SignatureError.malformedPrivateKey(reason: "the private key does not belong to the public key stored with it")
            }
            publicKey = try SSHPublicKey(blob: outerPublic.blob, comment: comment)
        } catch let error as SignatureError {
            throw error
        } catch let error as SSHWireError {
            throw .malformedPrivateKey(reason: "the \(error.field) is cut short or invalid")
        } catch {
            throw .malformedPrivateKey(reason: "unreadable key data")
        }
    }

    /// Signs `data` and returns the SSH signature encoding (`string type, string signature`).
    func signatureBlob(for data: [UInt8]) throws(SignatureError) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.writeString(publicKey.algorithm.rawValue)
        switch publicKey.algorithm {
        case .ed25519:
            guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: secret),
                  let signature = try? key.signature(for: data)
            else {
                throw .malformedPrivateKey(reason: "the Ed25519 key cannot sign")
            }
            writer.writeString(Array(signature))
        case .ecdsaP256:
            guard let key = try? P256.Signing.PrivateKey(rawRepresentation: secret),
                  let signature = try? key.signature(for: data)
            else {
                throw .malformedPrivateKey(reason: "the P-256 key cannot sign")
            }
            let raw = Array(signature.rawRepresentation)
            var inner = SSHWireWriter()
            inner.writePositiveMPInt(Array(raw.prefix(32)))
            inner.writePositiveMPInt(Array(raw.suffix(32)))
            writer.writeString(inner.bytes)
        }
        return writer.bytes
    }
}

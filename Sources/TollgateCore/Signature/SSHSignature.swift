import Crypto
import Foundation

/// A detached signature in OpenSSH's SSHSIG format, the `-----BEGIN SSH SIGNATURE-----` file
/// that `ssh-keygen -Y sign` writes.
///
/// Reviewers already hold SSH keys and trust ssh-keygen, so an approval is an SSHSIG over the
/// approval text. The namespace keeps a signature made for another purpose (say, a git commit)
/// from being replayed as an approval. Tollgate both reads signatures made by ssh-keygen and
/// makes signatures that `ssh-keygen -Y verify` accepts.
public struct SSHSignature: Sendable, Hashable {
    /// The namespace every Tollgate approval is signed in.
    public static let tollgateNamespace = "tollgate"

    /// The hash applied to the message before signing, as named inside the signature.
    public enum HashAlgorithm: String, Sendable, CaseIterable {
        /// SHA-256, which some signers choose.
        case sha256
        /// SHA-512, ssh-keygen's default and what Tollgate signs with.
        case sha512
    }

    /// The key that made the signature, as recorded inside it; trusted only once it is found
    /// among the keys of the policy in force.
    public let publicKey: SSHPublicKey
    /// The purpose the signer stated; Tollgate accepts only ``tollgateNamespace``.
    public let namespace: String
    /// The hash the signer applied to the message.
    public let hashAlgorithm: HashAlgorithm
    /// The SSHSIG `reserved` field, carried along because it is part of the signed data.
    private let reserved: [UInt8]
    /// The SSH signature encoding: `string type, string signature`.
    private let signature: [UInt8]

    private static let magic = Array("SSHSIG".utf8)
    private static let beginMarker = "-----BEGIN SSH SIGNATURE-----"
    private static let endMarker = "-----END SSH SIGNATURE-----"

    /// Reads an armored signature file.
    ///
    /// - Throws: ``SignatureError/malformedArmor(line:reason:)`` when the armor is broken,
    ///   ``SignatureError/malformedSignature(field:)`` when its content is, and
    ///   ``SignatureError/unsupportedKeyType(_:)`` or
    ///   ``SignatureError/unsupportedHashAlgorithm(_:)`` for algorithms Tollgate does not verify.
    public init(armored text: String) throws(SignatureError) {
        let lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let beginIndex = lines.firstIndex(where: { !$0.isEmpty }) else {
            throw .malformedArmor(line: 1, reason: "the file is empty")
        }
        guard lines[beginIndex] == Self.beginMarker else {
            throw .malformedArmor(line: beginIndex + 1, reason: "expected '\(Self.beginMarker)'")
        }
        var body = ""
        var endIndex: Int?
        for index in (beginIndex + 1)..<lines.count {
            let line = lines[index]
            if line == Self.endMarker {
                endIndex = index
                break
            }
            guard !line.isEmpty, line.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=") }) else {
                throw .malformedArmor(line: index + 1, reason: line.isEmpty ? "unexpected empty line" : "not base64")
            }
            body += line
        }
        guard let endIndex else {
            throw .malformedArmor(line: lines.count, reason: "missing '\(Self.endMarker)'")
        }
        if let trailing = lines[(endIndex + 1)...].firstIndex(where: { !$0.isEmpty }) {
            throw .malformedArmor(line: trailing + 1, reason: "text after the end of the signature")
        }
        guard let decoded = Data(base64Encoded: body) else {
            throw .malformedArmor(line: beginIndex + 2, reason: "the base64 body does not decode")
        }
        try self.init(binary: Array(decoded))
    }

    /// Reads the binary SSHSIG blob (the armor's decoded body).
    ///
    /// - Throws: the errors of ``init(armored:)`` other than armor errors.
    public init(binary bytes: [UInt8]) throws(SignatureError) {
        guard bytes.starts(with: Self.magic) else {
            throw .malformedSignature(field: "SSHSIG header")
        }
        var reader = SSHWireReader(Array(bytes.dropFirst(Self.magic.count)))
        do {
            let version = try reader.readUInt32("version")
            guard version == 1 else {
                throw SignatureError.unsupportedSignatureVersion(version)
            }
            publicKey = try SSHPublicKey(blob: reader.readString("public key"))
            namespace = try reader.readText("namespace")
            reserved = try reader.readString("reserved field")
            let hashName = try reader.readText("hash algorithm")
            guard let hash = HashAlgorithm(rawValue: hashName) else {
                throw SignatureError.unsupportedHashAlgorithm(hashName)
            }
            hashAlgorithm = hash
            signature = try reader.readString("signature")
            guard reader.isAtEnd else {
                throw SSHWireError(field: "end (extra bytes follow the signature)")
            }
        } catch let error as SignatureError {
            throw error
        } catch let error as SSHWireError {
            throw .malformedSignature(field: error.field)
        } catch {
            throw .malformedSignature(field: "content")
        }
    }

    private init(publicKey: SSHPublicKey, namespace: String, hashAlgorithm: HashAlgorithm, signature: [UInt8]) {
        self.publicKey = publicKey
        self.namespace = namespace
        self.hashAlgorithm = hashAlgorithm
        reserved = []
        self.signature = signature
    }

    /// Signs `message` in `namespace` with SHA-512, as `ssh-keygen -Y sign` does by default.
    ///
    /// - Throws: ``SignatureError/malformedPrivateKey(reason:)`` if the key cannot sign.
    public static func sign(_ message: [UInt8], namespace: String = tollgateNamespace, with key: SSHPrivateKey) throws(SignatureError) -> SSHSignature {
        let data = signedData(message: message, namespace: namespace, reserved: [], hash: .sha512)
        let blob = try key.signatureBlob(for: data)
        return SSHSignature(publicKey: key.publicKey, namespace: namespace, hashAlgorithm: .sha512, signature: blob)
    }

    /// Signs the UTF-8 bytes of `message`; as the byte form does.
    public static func sign(_ message: String, namespace: String = tollgateNamespace, with key: SSHPrivateKey) throws(SignatureError) -> SSHSignature {
        try sign(Array(message.utf8), namespace: namespace, with: key)
    }

    /// Checks that this signature was made in `namespace` over exactly `message` by the key it
    /// names; it does not say whether that key is trusted (see ``verify(message:namespace:allowedKeys:)``).
    ///
    /// - Throws: ``SignatureError/wrongNamespace(found:expected:)`` or
    ///   ``SignatureError/doesNotMatchMessage(fingerprint:)``.
    public func verify(message: [UInt8], namespace expected: String = tollgateNamespace) throws(SignatureError) {
        guard namespace == expected else {
            throw .wrongNamespace(found: namespace, expected: expected)
        }
        let data = Self.signedData(message: message, namespace: namespace, reserved: reserved, hash: hashAlgorithm)
        guard try publicKey.isValidSignature(signature, for: data) else {
            throw .doesNotMatchMessage(fingerprint: publicKey.fingerprint)
        }
    }

    /// Checks the signature as ``verify(message:namespace:)`` does and also that the signing key
    /// is one of `allowedKeys`; returns that listed key (with its comment from the listing).
    ///
    /// - Throws: ``SignatureError/wrongNamespace(found:expected:)``,
    ///   ``SignatureError/keyNotListed(fingerprint:)`` or
    ///   ``SignatureError/doesNotMatchMessage(fingerprint:)``.
    @discardableResult
    public func verify(message: [UInt8], namespace expected: String = tollgateNamespace, allowedKeys: some Sequence<SSHPublicKey>) throws(SignatureError) -> SSHPublicKey {
        guard namespace == expected else {
            throw .wrongNamespace(found: namespace, expected: expected)
        }
        guard let listed = allowedKeys.first(where: { $0 == publicKey }) else {
            throw .keyNotListed(fingerprint: publicKey.fingerprint)
        }
        try verify(message: message, namespace: expected)
        return listed
    }

    /// Checks the signature over the UTF-8 bytes of `message`; as the byte form does.
    public func verify(message: String, namespace expected: String = tollgateNamespace) throws(SignatureError) {
        try verify(message: Array(message.utf8), namespace: expected)
    }

    /// The binary SSHSIG blob.
    public var binary: [UInt8] {
        var writer = SSHWireWriter()
        writer.writeRaw(Self.magic)
        writer.writeUInt32(1)
        writer.writeString(publicKey.blob)
        writer.writeString(namespace)
        writer.writeString(reserved)
        writer.writeString(hashAlgorithm.rawValue)
        writer.writeString(signature)
        return writer.bytes
    }

    /// The armored text, wrapped at 70 columns like ssh-keygen's, ending with a newline.
    public var armored: String {
        let encoded = Data(binary).base64EncodedString()
        var lines = [Self.beginMarker]
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(70)))
            rest = rest.dropFirst(70)
        }
        lines.append(Self.endMarker)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bytes actually signed: the SSHSIG preamble and the hash of the message, which binds
    /// the namespace into the signature.
    private static func signedData(message: [UInt8], namespace: String, reserved: [UInt8], hash: HashAlgorithm) -> [UInt8] {
        let digest: [UInt8] = switch hash {
        case .sha256: Array(SHA256.hash(data: message))
        case .sha512: Array(SHA512.hash(data: message))
        }
        var writer = SSHWireWriter()
        writer.writeRaw(magic)
        writer.writeString(namespace)
        writer.writeString(reserved)
        writer.writeString(hash.rawValue)
        writer.writeString(digest)
        return writer.bytes
    }
}

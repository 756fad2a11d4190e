import Crypto
import Foundation

/// An SSH public key as listed for a reviewer in `reviewers.yaml`, in authorized_keys form.
///
/// Identity in Tollgate is "whoever holds the private half of a listed key", so the key is
/// compared by its wire blob, never by its comment, and shown by the same SHA256 fingerprint
/// that `ssh-keygen -l` prints so that people can match it by eye.
public struct SSHPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The key types Tollgate can verify with swift-crypto.
    public enum Algorithm: String, Sendable, CaseIterable, Codable {
        /// Ed25519, the key type ssh-keygen makes by default.
        case ed25519 = "ssh-ed25519"
        /// ECDSA on P-256, common on hardware tokens.
        case ecdsaP256 = "ecdsa-sha2-nistp256"
    }

    /// The key's type.
    public let algorithm: Algorithm
    /// The key in SSH wire encoding, exactly as base64-encoded in authorized_keys.
    public let blob: [UInt8]
    /// The free text after the key on its line; not part of the key's identity.
    public let comment: String
    /// The raw public key: 32 bytes for Ed25519, the 65-byte uncompressed point for P-256.
    let keyBytes: [UInt8]

    /// Parses one authorized_keys line: leading options are ignored, then key type, base64 blob
    /// and an optional comment.
    ///
    /// - Throws: ``SignatureError/malformedPublicKey(reason:)`` for text that is not a key and
    ///   ``SignatureError/unsupportedKeyType(_:)`` for a key type Tollgate cannot verify.
    public init(authorizedKeysLine line: String) throws(SignatureError) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else {
            throw .malformedPublicKey(reason: "the line is empty")
        }
        if let key = try Self.parseKeyFields(trimmed) {
            self = key
            return
        }
        // OpenSSH too first tries the line as a bare key, then skips one options field.
        let afterOptions = Self.dropOptionsField(trimmed)
        if let key = try Self.parseKeyFields(afterOptions) {
            self = key
            return
        }
        let firstWord = afterOptions.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        if Self.otherKnownTypes.contains(firstWord) {
            throw .unsupportedKeyType(firstWord)
        }
        throw .malformedPublicKey(reason: "expected 'ssh-ed25519 AAAA... comment' or 'ecdsa-sha2-nistp256 AAAA... comment'")
    }

    /// Reads a key from its SSH wire blob, as found inside signatures and private key files.
    ///
    /// - Throws: ``SignatureError/malformedPublicKey(reason:)`` or
    ///   ``SignatureError/unsupportedKeyType(_:)``.
    public init(blob: [UInt8], comment: String = "") throws(SignatureError) {
        var reader = SSHWireReader(blob)
        do {
            let typeName = try reader.readText("key type")
            guard let algorithm = Algorithm(rawValue: typeName) else {
                throw SignatureError.unsupportedKeyType(typeName)
            }
            switch algorithm {
            case .ed25519:
                let key = try reader.readString("Ed25519 key")
                guard key.count == 32 else {
                    throw SignatureError.malformedPublicKey(reason: "an Ed25519 key has 32 bytes, this one \(key.count)")
                }
                keyBytes = key
            case .ecdsaP256:
                let curve = try reader.readText("curve name")
                guard curve == "nistp256" else {
                    throw SignatureError.malformedPublicKey(reason: "curve '\(curve)' does not match key type ecdsa-sha2-nistp256")
                }
                let point = try reader.readString("P-256 point")
                guard (try? P256.Signing.PublicKey(x963Representation: point)) != nil else {
                    throw SignatureError.malformedPublicKey(reason: "the P-256 point is not on the curve")
                }
                keyBytes = point
            }
            guard reader.isAtEnd else {
                throw SignatureError.malformedPublicKey(reason: "extra bytes after the key")
            }
            self.algorithm = algorithm
        } catch let error as SignatureError {
            throw error
        } catch {
            throw .malformedPublicKey(reason: "the key blob is cut short")
        }
        self.blob = blob
        self.comment = comment
    }

    /// The fingerprint as `ssh-keygen -l` prints it: `SHA256:` and unpadded base64.
    public var fingerprint: String {
        let digest = SHA256.hash(data: blob)
        var encoded = Data(digest).base64EncodedString()
        while encoded.hasSuffix("=") {
            encoded.removeLast()
        }
        return "SHA256:" + encoded
    }

    /// The key as one authorized_keys line, without options.
    public var authorizedKeysLine: String {
        let base = algorithm.rawValue + " " + Data(blob).base64EncodedString()
        return comment.isEmpty ? base : base + " " + comment
    }

    /// The type and fingerprint, which is how people recognise a key.
    public var description: String { "\(algorithm.rawValue) \(fingerprint)" }

    /// Keys are equal when their blobs are, whatever their comments.
    public static func == (lhs: SSHPublicKey, rhs: SSHPublicKey) -> Bool {
        lhs.blob == rhs.blob
    }

    /// Hashes the blob only, matching ``==``.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(blob)
    }

    /// Checks an SSH signature (`string type, string data`) made by this key over `data`.
    func isValidSignature(_ signature: [UInt8], for data: [UInt8]) throws(SignatureError) -> Bool {
        var reader = SSHWireReader(signature)
        do {
            let typeName = try reader.readText("signature type")
            guard typeName == algorithm.rawValue else {
                return false
            }
            let raw = try reader.readString("signature")
            guard reader.isAtEnd else {
                throw SSHWireError(field: "signature")
            }
            switch algorithm {
            case .ed25519:
                guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes) else {
                    return false
                }
                return key.isValidSignature(raw, for: data)
            case .ecdsaP256:
                var inner = SSHWireReader(raw)
                let r = try inner.readPositiveMPInt(width: 32, "ECDSA r")
                let s = try inner.readPositiveMPInt(width: 32, "ECDSA s")
                guard inner.isAtEnd,
                      let key = try? P256.Signing.PublicKey(x963Representation: keyBytes),
                      let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: r + s)
                else {
                    return false
                }
                return key.isValidSignature(parsed, for: data)
            }
        } catch let error as SSHWireError {
            throw .malformedSignature(field: error.field)
        } catch {
            throw .malformedSignature(field: "signature")
        }
    }

    /// Key type names OpenSSH knows but Tollgate does not verify, so that such a line gets a
    /// precise "unsupported" error rather than "malformed".
    private static let otherKnownTypes: Set<String> = [
        "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// Parses `type base64 [comment]`; nil when the text does not start with a key at all.
    private static func parseKeyFields(_ text: String) throws(SignatureError) -> SSHPublicKey? {
        let fields = text.split(maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 2, let blob = Data(base64Encoded: fields[1]) else {
            return nil
        }
        var reader = SSHWireReader(Array(blob))
        guard let typeName = try? reader.readText("key type"), typeName == fields[0] else {
            return nil
        }
        guard Algorithm(rawValue: typeName) != nil else {
            throw .unsupportedKeyType(typeName)
        }
        let comment = fields.count > 2 ? fields[2].trimmingCharacters(in: .whitespaces) : ""
        return try SSHPublicKey(blob: Array(blob), comment: comment)
    }

    /// Removes the leading options field, whose quoted values may contain spaces.
    private static func dropOptionsField(_ text: String) -> String {
        var inQuotes = false
        var escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if !inQuotes, character == " " || character == "\t" {
                break
            }
            index = text.index(after: index)
        }
        return String(text[index...]).trimmingCharacters(in: .whitespaces)
    }
}

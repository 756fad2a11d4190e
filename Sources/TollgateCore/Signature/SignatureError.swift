/// Why an SSH key, private key or signature was refused: each case says what is wrong in words
/// a reviewer can act on, because a refused approval is otherwise a silent dead end.
public enum SignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `-----BEGIN SSH SIGNATURE-----` armor is broken at the given 1-based line.
    case malformedArmor(line: Int, reason: String)
    /// The signature's binary content is cut short or holds an impossible value in `field`.
    case malformedSignature(field: String)
    /// The SSHSIG version is not the one OpenSSH writes (1).
    case unsupportedSignatureVersion(UInt32)
    /// The signature hashed the message with an algorithm other than sha256 or sha512.
    case unsupportedHashAlgorithm(String)
    /// The key type is not one Tollgate verifies (ssh-ed25519, ecdsa-sha2-nistp256).
    case unsupportedKeyType(String)
    /// The signature was made for another purpose than the one being checked.
    case wrongNamespace(found: String, expected: String)
    /// The signing key is not among the keys the policy in force lists.
    case keyNotListed(fingerprint: String)
    /// The cryptographic check failed: the text signed differs from the text checked, or the
    /// signature was altered.
    case doesNotMatchMessage(fingerprint: String)
    /// An authorized_keys line could not be read.
    case malformedPublicKey(reason: String)
    /// An OpenSSH private key file could not be read.
    case malformedPrivateKey(reason: String)
    /// The private key file is protected by a passphrase, which Tollgate does not handle.
    case encryptedPrivateKey(cipher: String)

    /// One sentence saying what is wrong and, where known, what to do.
    public var description: String {
        switch self {
        case let .malformedArmor(line, reason):
            return "malformed SSH signature armor at line \(line): \(reason)"
        case let .malformedSignature(field):
            return "malformed SSH signature: its \(field) is cut short or invalid; the file may have been altered"
        case let .unsupportedSignatureVersion(version):
            return "unsupported SSH signature version \(version), expected 1 (as written by ssh-keygen -Y sign)"
        case let .unsupportedHashAlgorithm(name):
            return "unsupported SSH signature hash algorithm '\(name)', expected sha256 or sha512"
        case let .unsupportedKeyType(name):
            return "unsupported SSH key type '\(name)'; use ssh-ed25519 or ecdsa-sha2-nistp256"
        case let .wrongNamespace(found, expected):
            return "wrong namespace '\(found)', expected '\(expected)'; sign with ssh-keygen -Y sign -n \(expected)"
        case let .keyNotListed(fingerprint):
            return "signed by a key not listed for any reviewer (\(fingerprint))"
        case let .doesNotMatchMessage(fingerprint):
            return "signature by \(fingerprint) does not match the message: it was made for another change set or the file was altered"
        case let .malformedPublicKey(reason):
            return "malformed SSH public key: \(reason)"
        case let .malformedPrivateKey(reason):
            return "malformed OpenSSH private key: \(reason)"
        case let .encryptedPrivateKey(cipher):
            return "the private key is encrypted (\(cipher)); sign with ssh-keygen -Y sign -n tollgate and pass the result with --signature instead"
        }
    }
}

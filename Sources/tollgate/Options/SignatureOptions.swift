import ArgumentParser
import Foundation
import TollgateCore

/// How a reviewer proves who they are: Tollgate signs with their private key, or they give a
/// signature that `ssh-keygen -Y sign -n tollgate` made.
struct SignatureOptions: ParsableArguments {
    init() {}

    init(key: String?, signature: String?) {
        self.key = key
        self.signature = signature
    }

    @Option(help: ArgumentHelp(
        "Sign with this unencrypted OpenSSH private key (ssh-ed25519 or ecdsa-sha2-nistp256).",
        valueName: "path"))
    var key: String?

    @Option(help: ArgumentHelp(
        "Use this signature of the approval text, made with ssh-keygen -Y sign -n tollgate.",
        discussion: "Works with passphrase-protected keys, ssh-agent and hardware keys: see tollgate show ID --approval-text.",
        valueName: "file"))
    var signature: String?

    func validate() throws {
        if (key == nil) == (signature == nil) {
            throw ValidationError("Give exactly one of --key PATH (Tollgate signs) or --signature FILE (ssh-keygen signed).")
        }
    }

    /// The signature over `text`: made now with --key, or read from --signature.
    ///
    /// - Throws: ``SignatureInputError`` naming the file when it cannot be read or used.
    func signature(for text: String) throws -> SSHSignature {
        if let key {
            let keyText = try Self.read(key)
            do {
                return try SSHSignature.sign(text, with: try SSHPrivateKey(openSSHText: keyText))
            } catch {
                throw SignatureInputError.unusableKey(path: key, reason: error.description)
            }
        }
        let path = signature ?? ""
        let armored = try Self.read(path)
        do {
            return try SSHSignature(armored: armored)
        } catch {
            throw SignatureInputError.unusableSignature(path: path, reason: error.description)
        }
    }

    private static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SignatureInputError.unreadable(path: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SignatureInputError.notText(path: path)
        }
        return text
    }
}

/// How an operator proves who did an act outside review (`init`, `cancel`): optional unless the
/// act or the policy asks for it.
struct OperatorSignatureOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Sign the act with this unencrypted OpenSSH private key listed in Policies/reviewers.yaml.",
        valueName: "path"))
    var key: String?

    @Option(help: ArgumentHelp(
        "Use this signature of the act's text (see --print-text), made with ssh-keygen -Y sign -n tollgate.",
        valueName: "file"))
    var signature: String?

    @Flag(help: "Print only the text to sign for this act, and do nothing.")
    var printText = false

    func validate() throws {
        if key != nil && signature != nil {
            throw ValidationError("Give at most one of --key PATH (Tollgate signs) or --signature FILE (ssh-keygen signed).")
        }
    }

    /// The signature over `text`, or nil when neither --key nor --signature was given.
    func signature(for text: String) throws -> SSHSignature? {
        guard key != nil || signature != nil else { return nil }
        return try SignatureOptions(key: key, signature: signature).signature(for: text)
    }
}

/// A key or signature file that cannot be used, named so the reviewer can fix it.
enum SignatureInputError: Error, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(path: String)
    /// The file is not UTF-8 text, so it is neither an OpenSSH key nor an armored signature.
    case notText(path: String)
    /// The private key cannot sign.
    case unusableKey(path: String, reason: String)
    /// The signature file is not an SSH signature Tollgate can check.
    case unusableSignature(path: String, reason: String)

    var description: String {
        switch self {
        case .unreadable(let path):
            return "\(path): the file does not exist or cannot be read."
        case .notText(let path):
            return "\(path): the file is not text; give an OpenSSH private key or an armored SSH signature."
        case .unusableKey(let path, let reason):
            return "\(path): cannot sign with this key: \(reason)."
        case .unusableSignature(let path, let reason):
            return "\(path): not a usable SSH signature: \(reason)."
        }
    }
}

/// `--verdict` choices for the text to sign.
enum VerdictChoice: String, ExpressibleByArgument, CaseIterable {
    case approve, reject

    var verdict: ApprovalVerdict {
        self == .approve ? .approve : .reject
    }
}

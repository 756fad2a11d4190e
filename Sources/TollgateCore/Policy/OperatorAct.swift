/// Something an operator does outside review, which a signature can prove: trusting a policy
/// with `tollgate init`, or cancelling a change set.
///
/// The text to sign names the act and exactly what it touches, so a signature for one act cannot
/// be replayed for another: `tollgate init --print-text` and `tollgate cancel --print-text` print
/// it for `ssh-keygen -Y sign -n tollgate`.
public enum OperatorAct: Sendable, Hashable {
    /// Trusting the `Policies/` of `commit`, replacing the revision in force if there is one.
    case trust(commit: String, replacing: String?)
    /// Cancelling change set `changeSetID`, whose digest is `digest`.
    case cancel(changeSetID: String, digest: String, reason: String)

    /// The exact text an operator signs.
    public var text: String {
        switch self {
        case let .trust(commit, replacing):
            return "tollgate operator act v1\naction: trust policy\ncommit: \(commit)\nreplacing: \(replacing ?? "-")\n"
        case let .cancel(changeSetID, digest, reason):
            // The reason's length comes first, so a reason cannot end the text early.
            return "tollgate operator act v1\naction: cancel\nchange set: \(changeSetID)\ndigest: \(digest)\nreason: \(reason.utf8.count):\(reason)\n"
        }
    }

    /// The person whose key listed in `directory` made `signature` over ``text``.
    ///
    /// - Throws: ``SignatureError`` when the signature does not verify or its key is not listed.
    public func signer(of signature: SSHSignature, in directory: ReviewerDirectory) throws(SignatureError) -> Reviewer {
        let key = try signature.verify(message: Array(text.utf8), allowedKeys: directory.allKeys)
        guard let holder = directory.person(holding: key) else { throw .keyNotListed(fingerprint: key.fingerprint) }
        return holder
    }
}

/// Whether a signed-in reviewer may approve a stack's change set with one click in the web page,
/// and the keys the server signs those approvals with: `session-approvals:` and `server-keys:` at
/// the top of `Policies/approvals.yaml`.
///
/// ```yaml
/// session-approvals: true
/// server-keys:
///   - ssh-ed25519 AAAA... tollgate@server
/// ```
///
/// The server records such an approval as an SSHSIG made with its own key over
/// ``ApprovalText/attested(changeSetID:stack:digest:reviewer:)``, which names the reviewer who
/// clicked, so every approval in the record can still be verified offline. It counts only while
/// the policy in force allows session approvals and lists that server key. A change to
/// `Policies/` always needs each reviewer's own signature.
public struct SessionApprovals: Sendable, Hashable {
    /// Whether one-click approvals attested by the server count.
    public let isAllowed: Bool
    /// The public keys of the servers' signing keys; never a reviewer's key.
    public let serverKeys: [SSHPublicKey]

    /// No session approvals and no server key: what a policy without these fields means.
    public static let off = SessionApprovals(isAllowed: false, serverKeys: [])

    /// Creates the setting from parts already validated.
    public init(isAllowed: Bool, serverKeys: [SSHPublicKey]) {
        self.isAllowed = isAllowed
        self.serverKeys = serverKeys
    }

    /// Whether `key` is listed as a server's key.
    public func isServerKey(_ key: SSHPublicKey) -> Bool {
        serverKeys.contains(key)
    }

    /// Reads `session-approvals` and `server-keys` from the top-level fields of approvals.yaml.
    ///
    /// - Throws: ``PolicyError`` naming file, line and field for a value that is not true or
    ///   false, `session-approvals: true` without `server-keys`, an unreadable or repeated key,
    ///   and a key `reviewers.yaml` lists for a person (a server key proves nobody's own approval).
    static func parse(_ fields: [String: PolicyYAMLNode], directory: ReviewerDirectory) throws(PolicyError) -> SessionApprovals {
        let allowedNode = fields["session-approvals"]
        let isAllowed = try allowedNode?.bool() ?? false
        var keys: [SSHPublicKey] = []
        if let keysNode = fields["server-keys"] {
            for keyNode in try keysNode.scalarOrSequence() {
                let key: SSHPublicKey
                do {
                    key = try SSHPublicKey(authorizedKeysLine: keyNode.nonEmptyString())
                } catch let error as PolicyError {
                    throw error
                } catch {
                    throw keyNode.error("is not a usable SSH public key: \(error)")
                }
                if let holder = directory.person(holding: key) {
                    throw keyNode.error("(\(key.fingerprint)) is listed for '\(holder.id)' in \(ReviewerDirectory.path); a server key must be the server's alone")
                }
                guard !keys.contains(key) else {
                    throw keyNode.error("(\(key.fingerprint)) is listed twice")
                }
                keys.append(key)
            }
            guard !keys.isEmpty else {
                throw keysNode.error("must list at least one key; leave server-keys out when no server signs approvals")
            }
        }
        if isAllowed, keys.isEmpty, let allowedNode {
            throw allowedNode.error("is true, but server-keys lists no key; add the public key of the key passed to tollgate serve --server-key")
        }
        return SessionApprovals(isAllowed: isAllowed, serverKeys: keys)
    }
}

extension ApprovalText {
    /// The text a server signs to attest that `reviewer`, signed in to its web page, approved a
    /// stack's change set: the approval text with a last line naming the reviewer, so that the
    /// server's signature for one reviewer cannot be passed off as another's.
    public static func attested(changeSetID: String, stack: String, digest: String, reviewer: String) -> String {
        make(changeSetID: changeSetID, stack: stack, digest: digest, verdict: .approve) + "attested-session-approval-by: \(reviewer)\n"
    }
}

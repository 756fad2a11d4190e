public import TollgateCore
import TollgateStore

extension ReviewService {
    /// Records that `reviewer`, signed in to the server's web page, approved change set
    /// `changeSetID` with one click: the server signs ``ApprovalText/attested(changeSetID:stack:digest:reviewer:)``
    /// with `serverKey`, and the approval is stored like a reviewer's own, so `explain`, `apply`
    /// and anyone holding the policy can verify it offline.
    ///
    /// Everything is checked under the policy in force, never the change under review: it must
    /// say `session-approvals: true` and list `serverKey`'s public half in `server-keys`, and the
    /// reviewer must be one whose approval counts (a rule names them, they wrote no commit of it,
    /// they have not approved yet). The audit trail gets an ``AuditAction/sessionApprovalAttested``
    /// entry naming the server key in the same transaction.
    /// - Throws: ``ReviewError/verdictRefused(changeSetID:reason:)`` when the policy does not
    ///   allow it or the approval would not count, ``ReviewError/notReviewable(changeSetID:status:)``,
    ///   ``ReviewError/policyChangedMeanwhile(changeSetID:)``, ``ReviewError/noPolicyInForce``, ``StoreError``.
    public func recordSessionApproval(
        changeSetID: String, reviewer: String, serverKey: SSHPrivateKey, repository: ManagedRepository
    ) async throws -> ReviewEvaluation {
        let record = try await store.checkedChangeSet(id: changeSetID)
        guard record.status == .pending else { throw ReviewError.notReviewable(changeSetID: record.id, status: record.status) }
        let policy = try await PolicyInForce.load(from: store, repository: repository)
        let session = policy.policy.approvals.sessionApprovals
        func refuse(_ reason: String) -> ReviewError {
            .verdictRefused(changeSetID: record.id, reason: reason)
        }
        guard session.isAllowed else {
            throw refuse("the policy in force (\(ApprovalPolicy.path) at commit \(policy.commit.prefix(7))) does not allow session approvals; approve with your own ssh-keygen signature")
        }
        guard session.isServerKey(serverKey.publicKey) else {
            throw refuse("this server's key (\(serverKey.publicKey.fingerprint)) is not listed in server-keys of \(ApprovalPolicy.path) in the policy in force; list it there or start tollgate serve with a listed --server-key")
        }
        guard record.kind == .stack else {
            throw refuse("a change to Policies/ needs each reviewer's own signature")
        }
        guard policy.policy.reviewers.person(id: reviewer) != nil else {
            throw refuse("'\(reviewer)' is not listed in \(ReviewerDirectory.path)")
        }
        let subject = try await subject(for: record, repository: repository)
        let text = ApprovalText.attested(changeSetID: record.id, stack: record.stack, digest: record.digest, reviewer: reviewer)
        let signature = try SSHSignature.sign(text, with: serverKey)
        let attestation = AuditEvent(
            actor: reviewer, action: .sessionApprovalAttested, stack: record.stack, changeSetID: record.id, commit: record.targetCommit,
            digest: record.digest,
            details: [
                "server_key": serverKey.publicKey.fingerprint,
                "signature_sha256": auditFingerprint(signature.armored),
                "session": "true",
            ])
        return try await commitVerdict(
            .approve, record: record, subject: subject, policy: policy, signature: signature, reviewer: reviewer,
            reason: "approved in a signed-in session, attested by the server key \(serverKey.publicKey.fingerprint)", attestation: attestation)
    }
}

extension AuditAction {
    /// A server attested an approval a signed-in reviewer gave with one click; written right after
    /// the approval's own entry, with `details["server_key"]` the fingerprint of the key that signed it.
    public static let sessionApprovalAttested = AuditAction(rawValue: "approval.session_attested")
}

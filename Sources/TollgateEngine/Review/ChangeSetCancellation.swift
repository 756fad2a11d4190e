public import TollgateCore
public import TollgateStore

/// Cancels change sets: an operator's act, not a verdict on the content, so it is audited with
/// who did it and, when signed, proven.
public struct ChangeSetCancellation: Sendable {
    /// The store that holds the change set.
    public let store: any StateStore

    /// Creates the use case over `store`.
    public init(store: any StateStore) {
        self.store = store
    }

    /// The text an operator signs to cancel change set `id` for `reason`.
    ///
    /// - Throws: ``StoreError`` for an unknown or tampered change set.
    public func textToSign(changeSetID id: String, reason: String) async throws -> String {
        let record = try await store.checkedChangeSet(id: id)
        return OperatorAct.cancel(changeSetID: record.id, digest: record.digest, reason: reason).text
    }

    /// Moves change set `id` to CANCELLED with `reason`, in one transaction with its audit entry.
    ///
    /// `sign` is given the act's text (``OperatorAct/cancel(changeSetID:digest:reason:)``) and returns
    /// the operator's signature of it, or nil when they give none. A signature must verify with a
    /// key the policy in force lists, and the audit trail names its holder; under
    /// `operators-must-sign: true` a signature is required.
    /// - Parameter policy: the policy in force, nil before `tollgate init`.
    /// - Throws: ``ReviewError/operatorSignatureRequired(act:text:)``,
    ///   ``ReviewError/operatorSignatureRefused(act:reason:)``, ``StoreError``.
    public func cancel(
        changeSetID id: String, reason: String, actor: String, policy: PolicyInForce?,
        sign: (String) throws -> SSHSignature?
    ) async throws -> ChangeSetRecord {
        let record = try await store.checkedChangeSet(id: id)
        let act = OperatorAct.cancel(changeSetID: record.id, digest: record.digest, reason: reason)
        var actor = actor
        if let signature = try sign(act.text) {
            guard let policy else {
                throw ReviewError.operatorSignatureRefused(act: "cancelling \(id)", reason: "no policy is in force to list your key")
            }
            do {
                actor = try act.signer(of: signature, in: policy.policy.reviewers).id
            } catch {
                throw ReviewError.operatorSignatureRefused(act: "cancelling \(id)", reason: "\(error)")
            }
        } else if policy?.policy.approvals.operatorsMustSign == true {
            throw ReviewError.operatorSignatureRequired(act: "Cancelling \(id) (operators-must-sign: true)", text: act.text)
        }
        let signer = actor
        return try await store.transaction { transaction in
            let current = try await transaction.changeSet(id: id)
            guard current.digest == record.digest else { throw ReviewError.policyChangedMeanwhile(changeSetID: id) }
            return try await transaction.transition(changeSetID: id, to: .cancelled, actor: signer, reason: reason)
        }
    }
}

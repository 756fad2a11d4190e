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

    /// Moves change set `id` to CANCELLED with `reason`, in one transaction with its audit entry;
    /// an APPLYING one gets a cancel request on its running execution instead, which the applying
    /// process acts on (``awaitEnd(of:clock:pollInterval:)`` waits for it).
    ///
    /// `sign` is given the act's text (``OperatorAct/cancel(changeSetID:digest:reason:)``) and returns
    /// the operator's signature of it, or nil when they give none. A signature must verify with a
    /// key the policy in force lists, and the audit trail names its holder; under
    /// `operators-must-sign: true` a signature is required.
    /// - Parameter policy: the policy in force, nil before `tollgate init`.
    /// - Parameter actingAs: the reviewer a front end knows the caller to be (a server's bearer
    ///   token); a signature made with another person's key is then refused, and nothing recorded.
    /// - Throws: ``ReviewError/operatorSignatureRequired(act:text:)``,
    ///   ``ReviewError/operatorSignatureRefused(act:reason:)``, ``StoreError``.
    public func cancel(
        changeSetID id: String, reason: String, actor: String, policy: PolicyInForce?, actingAs: String? = nil,
        sign: (String) throws -> SSHSignature?
    ) async throws -> ChangeSetCancelling {
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
            if let actingAs, actor != actingAs {
                throw ReviewError.operatorSignatureRefused(
                    act: "cancelling \(id)", reason: "it is made with the key of \(actor), but the request acts as \(actingAs)")
            }
        } else if policy?.policy.approvals.operatorsMustSign == true {
            throw ReviewError.operatorSignatureRequired(act: "Cancelling \(id) (operators-must-sign: true)", text: act.text)
        }
        let signer = actor
        return try await store.transaction { transaction in
            let current = try await transaction.changeSet(id: id)
            guard current.digest == record.digest else { throw ReviewError.policyChangedMeanwhile(changeSetID: id) }
            // A running apply is not cut off from here: its process stops the provider first.
            if current.status == .applying,
               let execution = try await transaction.executions(changeSetID: id).last(where: { $0.finishedAt == nil }) {
                return ChangeSetCancelling(changeSet: current, execution: try await transaction.requestCancel(executionID: execution.id, actor: signer, reason: reason))
            }
            return ChangeSetCancelling(changeSet: try await transaction.transition(changeSetID: id, to: .cancelled, actor: signer, reason: reason), execution: nil)
        }
    }

    /// Waits until the apply asked to stop by ``cancel(changeSetID:reason:actor:policy:sign:)`` has
    /// ended, looking every `pollInterval`: its process stops the provider and records the end.
    ///
    /// - Returns: the execution as it ended (CANCELLED, or APPLIED or FAILED when the provider
    ///   finished first).
    /// - Throws: ``ApplyError/holderGone(changeSetID:executionID:)`` when no live process holds
    ///   the stack's lock any more, so nothing will see the request until `apply --resume`.
    public func awaitEnd(of execution: ExecutionRecord, clock: any WallClock = SystemWallClock(), pollInterval: Duration = .seconds(1)) async throws -> ExecutionRecord {
        while true {
            let current = try await store.execution(id: execution.id)
            if current.finishedAt != nil { return current }
            let lock = try await store.stackLock(current.stack)
            guard let lock, lock.executionID == current.id, lock.isLive(at: clock.now()) else {
                throw ApplyError.holderGone(changeSetID: current.changeSetID, executionID: current.id)
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}

/// What `cancel` did: a change set cancelled outright, or a running apply asked to stop.
public struct ChangeSetCancelling: Sendable {
    /// The change set: CANCELLED, or still APPLYING until its apply stops.
    public let changeSet: ChangeSetRecord
    /// The running execution asked to stop, with the request; nil when nothing was running.
    public let execution: ExecutionRecord?
}

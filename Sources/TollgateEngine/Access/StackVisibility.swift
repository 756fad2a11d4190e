public import TollgateCore
public import TollgateStore

/// Which stacks one reviewer may see, under the `visible-to:` lists of the policy in force.
///
/// Every front end that shows stacks to a signed-in reviewer (the JSON API, the web page) asks
/// this one value, so a stack limited to some groups is hidden the same way everywhere. A hidden
/// stack and its change sets, executions and audit entries look as if they did not exist: the
/// lookups here throw the same "unknown" errors as for an id nobody made, so the server answers
/// 404 rather than telling an outsider that something is there. `Policies/` change sets are seen
/// by everyone, since every reviewer works under that policy.
public struct StackVisibility: Sendable {
    /// The reviewer whose view this is.
    public let reviewer: String
    /// The policy in force; nil before `tollgate init`, when nothing is limited.
    public let policy: PolicySet?

    /// Creates the view of `reviewer` under `policy`.
    public init(reviewer: String, policy: PolicySet?) {
        self.reviewer = reviewer
        self.policy = policy
    }

    /// The view of `reviewer` under the policy in force in `store`, read from `repository`.
    ///
    /// - Throws: ``ReviewError/invalidPolicy(commit:error:)`` and the errors of reading the store
    ///   and the policy's commit.
    public static func of(reviewer: String, store: any StateStore, repository: ManagedRepository) async throws -> StackVisibility {
        guard try await store.policyInForce() != nil else { return StackVisibility(reviewer: reviewer, policy: nil) }
        return StackVisibility(reviewer: reviewer, policy: try await PolicyInForce.load(from: store, repository: repository).policy)
    }

    /// The view of `reviewer` under the policy of `policyCommit` (nil before `init`), read from
    /// `repository`, which keeps the policy it parsed last.
    ///
    /// - Throws: ``ReviewError/invalidPolicy(commit:error:)`` and the errors of reading the commit.
    public static func of(reviewer: String, policyCommit: String?, repository: ManagedRepository) async throws -> StackVisibility {
        guard let policyCommit else { return StackVisibility(reviewer: reviewer, policy: nil) }
        return StackVisibility(reviewer: reviewer, policy: try await PolicyInForce.read(commit: policyCommit, repository: repository).policy)
    }

    /// Whether the reviewer may see stack `stack`.
    public func allows(stack: String) -> Bool {
        guard let policy, stack != StackLayout.policiesFolder else { return true }
        return policy.approvals.isVisible(stack: stack, to: reviewer, in: policy.reviewers)
    }

    /// `report` without the stacks the reviewer may not see.
    public func filter(_ report: StatusReport) -> StatusReport {
        var report = report
        report.stacks = report.stacks.filter { allows(stack: $0.stack) }
        return report
    }

    /// `entries` without those about a stack the reviewer may not see.
    public func filter(_ entries: [AuditEntry]) -> [AuditEntry] {
        entries.filter { entry in entry.stack.map(allows(stack:)) ?? true }
    }

    /// Change set `id`, when the reviewer may see its stack.
    ///
    /// - Throws: ``StoreError/unknownChangeSet(_:)`` for an id nobody made and for a change set
    ///   of a stack hidden from the reviewer alike.
    public func changeSet(id: String, in store: any StateStore) async throws -> ChangeSetRecord {
        let record = try await store.changeSet(id: id)
        guard allows(stack: record.stack) else { throw StoreError.unknownChangeSet(id) }
        return record
    }

    /// Execution `id`, when the reviewer may see its stack.
    ///
    /// - Throws: ``StoreError/unknownExecution(_:)`` for an id nobody made and for an execution
    ///   of a stack hidden from the reviewer alike.
    public func execution(id: String, in store: any StateStore) async throws -> ExecutionRecord {
        let record = try await store.execution(id: id)
        guard allows(stack: record.stack) else { throw StoreError.unknownExecution(id) }
        return record
    }
}

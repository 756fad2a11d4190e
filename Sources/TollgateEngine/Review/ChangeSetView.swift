import Foundation
public import TollgateCore
public import TollgateStore

/// One change set as a reviewer sees it: its commits, changes, verdicts and executions, and for an
/// open change set where it stands under the policy in force now. What `tollgate show` prints and
/// what a change set page shows.
public struct ChangeSetView: Sendable {
    /// A commit the change set covers, with the merge that brought it onto the branch.
    public struct Commit: Sendable {
        /// The commit's author, committer and summary.
        public let summary: CommitSummary
        /// The merge on the branch's first-parent line that brought it in; nil for a commit on that line.
        public let mergedBy: String?
    }

    /// One apply of the change set, with who started it and what its provider reported.
    public struct Execution: Sendable {
        /// The execution as stored.
        public let record: ExecutionRecord
        /// Who started it, from the audit trail; nil when the trail has no start entry for it.
        public let actor: String?
        /// The provider's recorded events and output lines, oldest first.
        public let events: [String]
    }

    /// The change set as stored.
    public let record: ChangeSetRecord
    /// The commits it covers, oldest first.
    public let commits: [Commit]
    /// The CloudFormation-shaped changes of a stack change set; nil for a policy change set or one
    /// whose stack could not be planned.
    public let changes: ChangeSet?
    /// Why the stack could not be planned, for a change set recorded FAILED at its creation.
    public let planFailure: PlanFailure?
    /// The verdicts given, in the order recorded.
    public let approvals: [ApprovalRecord]
    /// Its applies, oldest first.
    public let executions: [Execution]
    /// For an open change set under a policy in force, the status `explain` computes now.
    public let currentStatus: ReviewStatus?
    /// The guard rules' results under the policy in force, for an open stack change set.
    public let guards: GuardReport?
}

/// A change set with its review under the policy in force, evaluated once (see
/// ``ReviewService/reviewedView(changeSetID:repository:)``).
public struct ReviewedChangeSetView: Sendable {
    /// What `tollgate show` prints.
    public let view: ChangeSetView
    /// What `tollgate explain` prints, for an open change set under a policy in force; nil otherwise.
    public let evaluation: ReviewEvaluation?
    /// Whether the policy in force lets a signed-in reviewer approve with one click, and with which server keys.
    public let sessionApprovals: SessionApprovals
}

extension ReviewService {
    /// The change set `id` with its commits, changes, verdicts and executions; an open change set
    /// (PENDING or APPROVED) is also judged under the policy in force now, when one is.
    ///
    /// - Throws: ``StoreError/unknownChangeSet(_:)``, ``StoreError/tamperedRecord(location:disagreement:)``,
    ///   ``ReviewError/commitGone(commit:changeSetID:)`` and the errors of reading the change set from git.
    public func view(changeSetID id: String, repository: ManagedRepository) async throws -> ChangeSetView {
        try await reviewedView(changeSetID: id, repository: repository).view
    }

    /// ``view(changeSetID:repository:)`` and, for an open change set under a policy in force, what
    /// ``explain(changeSetID:repository:)`` reports, from one evaluation: what a change set page shows.
    ///
    /// - Throws: the errors of ``view(changeSetID:repository:)``.
    public func reviewedView(changeSetID id: String, repository: ManagedRepository) async throws -> ReviewedChangeSetView {
        let record = try await store.checkedChangeSet(id: id)
        var policy: PolicyInForce?
        var review: ReviewVerdict?
        if record.status == .pending || record.status == .approved, try await store.policyInForce() != nil {
            let inForce = try await PolicyInForce.load(from: store, repository: repository)
            policy = inForce
            review = try await currentVerdict(of: record, policy: inForce, repository: repository)
        }
        let view = try await view(of: record, review: review, repository: repository)
        var evaluation: ReviewEvaluation?
        if let policy, let review {
            evaluation = ReviewEvaluation(changeSet: record, policyCommit: policy.commit, verdict: review)
        }
        return ReviewedChangeSetView(view: view, evaluation: evaluation, sessionApprovals: policy?.policy.approvals.sessionApprovals ?? .off)
    }

    private func view(of record: ChangeSetRecord, review: ReviewVerdict?, repository: ManagedRepository) async throws -> ChangeSetView {
        let id = record.id
        let approvals = try await store.approvals(changeSetID: id)
        let executions = try await store.executions(changeSetID: id)
        let attributed = try await store.stackCommits(stack: record.stack)
        let started = try await store.auditEntries(AuditFilter(changeSetID: id)).filter { $0.action == .executionStarted }
        let mergedBy = Dictionary(attributed.map { ($0.commit, $0.mergedBy) }, uniquingKeysWith: { first, _ in first })
        let summaries = try await repository.read { try $0.commitSummaries(of: record) }
        return ChangeSetView(
            record: record,
            commits: summaries.map { ChangeSetView.Commit(summary: $0, mergedBy: mergedBy[$0.id] ?? nil) },
            changes: try record.stackChangeSet(),
            planFailure: record.planFailure,
            approvals: approvals,
            executions: executions.map { execution in
                ChangeSetView.Execution(
                    record: execution,
                    actor: started.first { $0.detailValues["execution"] == execution.id }?.actor,
                    events: Self.events(in: execution.providerOutput))
            },
            currentStatus: review?.status,
            guards: record.kind == .stack ? review?.guards : nil)
    }

    /// The exact text a reviewer signs to give `verdict` on change set `id`.
    ///
    /// - Throws: ``StoreError/unknownChangeSet(_:)``, ``StoreError/tamperedRecord(location:disagreement:)``.
    public func approvalText(changeSetID id: String, verdict: ApprovalVerdict) async throws -> String {
        try await store.checkedChangeSet(id: id).approvalText(for: verdict)
    }

    /// The provider's output as its lines: one event per line, without the empty last line a
    /// trailing newline leaves.
    static func events(in output: String?) -> [String] {
        guard let output, !output.isEmpty else { return [] }
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

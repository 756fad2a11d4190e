public import Foundation
public import TollgateCore
public import TollgateStore

/// One change set as `tollgate show --json` and `GET /api/change-sets/{id}` give it: its commits,
/// changes, verdicts, executions and, for an open one, the status explain computes now.
///
/// Storage rows are copied into it, never encoded directly.
public struct ChangeSetView: Codable, Sendable {
    /// A commit the change set covers.
    public struct Commit: Codable, Sendable {
        public var id: String
        public var author: String
        public var email: String
        public var committerEmail: String
        public var summary: String
        /// The merge that brought the commit onto the branch; nil for a commit on its first-parent line.
        public var mergedBy: String?
    }

    /// A reviewer's verdict.
    public struct Approval: Codable, Sendable {
        public var reviewer: String
        public var verdict: String
        public var digest: String
        public var reason: String?
        public var signature: String?
        public var recordedAt: Date
    }

    /// An apply of the change set.
    public struct Execution: Codable, Sendable {
        public var id: String
        public var startedAt: Date
        public var finishedAt: Date?
        public var result: String?
        public var providerOutput: String?
    }

    public var id: String
    public var kind: String
    public var stack: String
    /// For an open change set, the status `explain` computes under the policy in force now.
    public var status: String
    /// The stored status, when it differs from ``status``: the policy changed since it was decided.
    public var storedStatus: String?
    public var statusReason: String?
    public var digest: String
    public var targetCommit: String
    public var baseStateVersion: Int64
    public var createdAt: Date
    public var updatedAt: Date
    public var commits: [Commit]
    public var changes: ChangeSet?
    /// Why the stack could not be planned, for a change set that FAILED at its creation.
    public var planFailure: String?
    public var approvals: [Approval]
    public var executions: [Execution]
    /// The guard rules' failures under the policy in force, for an open stack change set.
    public var guards: GuardReport?

    /// Reads change set `id` from `store`, its commits from `repository`, and judges an open one
    /// under the policy in force.
    ///
    /// - Throws: ``StoreError/unknownChangeSet(_:)`` for an unknown id, ``ReviewError`` when the
    ///   policy in force cannot be read, ``GitError`` when a commit cannot be read.
    public static func load(id: String, store: any StateStore, repository: ManagedRepository) async throws -> ChangeSetView {
        let record = try await store.checkedChangeSet(id: id)
        // An open change set is shown as explain judges it now (its status and guard results),
        // beside its stored status.
        var review: ReviewVerdict?
        if record.status == .pending || record.status == .approved, try await store.policyInForce() != nil {
            let policy = try await PolicyInForce.load(from: store, repository: repository)
            review = try await ReviewService(store: store).currentVerdict(of: record, policy: policy, repository: repository)
        }
        let approvals = try await store.approvals(changeSetID: id)
        let executions = try await store.executions(changeSetID: id)
        let attributed = try await store.stackCommits(stack: record.stack)
        let mergedBy = Dictionary(attributed.map { ($0.commit, $0.mergedBy) }, uniquingKeysWith: { first, _ in first })
        let commits = try repository.commitSummaries(of: record).map {
            Commit(
                id: $0.id, author: $0.authorName, email: $0.authorEmail, committerEmail: $0.committerEmail, summary: $0.summary,
                mergedBy: mergedBy[$0.id] ?? nil)
        }
        var view = ChangeSetView(
            record: record, commits: commits, changes: try record.stackChangeSet(), planFailure: record.planFailure?.reason,
            approvals: approvals, executions: executions)
        if let computed = review?.status, computed.rawValue != record.status.rawValue {
            view.status = computed.rawValue
            view.storedStatus = record.status.rawValue
        }
        if record.kind == .stack { view.guards = review?.guards }
        return view
    }

    init(
        record: ChangeSetRecord, commits: [Commit], changes: ChangeSet?, planFailure: String?, approvals: [ApprovalRecord],
        executions: [ExecutionRecord]
    ) {
        id = record.id
        kind = record.kind.rawValue
        stack = record.stack
        status = record.status.rawValue
        statusReason = record.statusReason
        digest = record.digest
        targetCommit = record.targetCommit
        baseStateVersion = record.baseStateVersion
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        self.commits = commits
        self.changes = changes
        self.planFailure = planFailure
        self.approvals = approvals.map {
            Approval(reviewer: $0.reviewer, verdict: $0.verdict.rawValue, digest: $0.digest, reason: $0.reason, signature: $0.signature, recordedAt: $0.recordedAt)
        }
        self.executions = executions.map {
            Execution(id: $0.id, startedAt: $0.startedAt, finishedAt: $0.finishedAt, result: $0.result?.rawValue, providerOutput: $0.providerOutput)
        }
    }
}

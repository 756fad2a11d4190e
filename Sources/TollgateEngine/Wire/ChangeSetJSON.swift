public import Foundation
public import TollgateCore
public import TollgateStore

/// One change set as `tollgate show --json` and `GET /api/change-sets/{id}` give it: its commits,
/// changes, verdicts, executions with their events and, for an open one, the status explain
/// computes now. Storage rows are copied into it, never encoded directly.
public struct ChangeSetJSON: Codable, Sendable {
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
        public var verdict: Verdict
        public var digest: String
        public var reason: String?
        public var signature: String?
        public var recordedAt: Date
    }

    /// An apply of the change set.
    public struct Execution: Codable, Sendable {
        public var id: String
        /// Who started the apply; nil when the audit trail names no one.
        public var actor: String?
        public var startedAt: Date
        public var finishedAt: Date?
        public var result: ExecutionResult?
        public var providerOutput: String?
        /// The provider's recorded events and output lines, oldest first.
        public var events: [String]
    }

    public var id: String
    public var kind: ChangeSetKind
    public var stack: String
    /// For an open change set, the status `explain` computes under the policy in force now.
    public var status: ChangeSetStanding
    /// The stored status, when it differs from ``status``: the policy changed since it was decided.
    public var storedStatus: ChangeSetStatus?
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

    /// Copies the engine's view of one change set into its wire form.
    public init(_ view: ChangeSetView) {
        let record = view.record
        id = record.id
        kind = record.kind
        stack = record.stack
        status = ChangeSetStanding(record.status)
        statusReason = record.statusReason
        digest = record.digest
        targetCommit = record.targetCommit
        baseStateVersion = record.baseStateVersion
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        commits = view.commits.map {
            Commit(
                id: $0.summary.id, author: $0.summary.authorName, email: $0.summary.authorEmail,
                committerEmail: $0.summary.committerEmail, summary: $0.summary.summary, mergedBy: $0.mergedBy)
        }
        changes = view.changes
        planFailure = view.planFailure?.reason
        approvals = view.approvals.map {
            Approval(reviewer: $0.reviewer, verdict: $0.verdict, digest: $0.digest, reason: $0.reason, signature: $0.signature, recordedAt: $0.recordedAt)
        }
        executions = view.executions.map {
            Execution(
                id: $0.record.id, actor: $0.actor, startedAt: $0.record.startedAt, finishedAt: $0.record.finishedAt,
                result: $0.record.result, providerOutput: $0.record.providerOutput, events: $0.events)
        }
        if let computed = view.currentStatus, computed.rawValue != record.status.rawValue {
            status = ChangeSetStanding(computed)
            storedStatus = record.status
        }
        guards = view.guards
    }
}

/// Where a change set stands as `show` gives it: its stored status, or for an open change set what
/// its review under the policy in force says now, which adds `UNAPPROVABLE`.
public enum ChangeSetStanding: String, Codable, Sendable, CaseIterable {
    case pending = "PENDING"
    case approved = "APPROVED"
    case applying = "APPLYING"
    case applied = "APPLIED"
    case failed = "FAILED"
    case rejected = "REJECTED"
    case cancelled = "CANCELLED"
    case superseded = "SUPERSEDED"
    /// No approval can make it pass under the policy in force.
    case unapprovable = "UNAPPROVABLE"

    /// The stored status.
    public init(_ status: ChangeSetStatus) {
        self = switch status {
        case .pending: .pending
        case .approved: .approved
        case .applying: .applying
        case .applied: .applied
        case .failed: .failed
        case .rejected: .rejected
        case .cancelled: .cancelled
        case .superseded: .superseded
        }
    }

    /// What a review says now.
    public init(_ status: ReviewStatus) {
        self = switch status {
        case .pending: .pending
        case .approved: .approved
        case .rejected: .rejected
        case .unapprovable: .unapprovable
        }
    }
}

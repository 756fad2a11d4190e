public import Foundation
public import TollgateCore
public import TollgateStore

/// The answer of `approve`, `reject` and `explain` (`--json`, and the API's verdict and
/// explanation bodies): the change set's stored status and its review under the policy in force.
public struct ReviewJSON: Codable, Sendable {
    /// The change set's id.
    public var changeSet: String
    /// `stack` or `policy`.
    public var kind: ChangeSetKind
    /// The stack, or `Policies/`.
    public var stack: String
    /// The stored status after the operation.
    public var status: ChangeSetStatus
    /// The commit whose `Policies/` decided.
    public var policyCommit: String
    /// Who gave the verdict just recorded; nil for an explanation.
    public var reviewer: String?
    /// Each rule, its approvals so far and what is still needed from whom, the stack policy's
    /// verdict and the change window.
    public var review: ReviewReport

    /// Copies an evaluation into its wire form.
    public init(_ evaluation: ReviewEvaluation, reviewer: String? = nil) {
        changeSet = evaluation.changeSet.id
        kind = evaluation.changeSet.kind
        stack = evaluation.changeSet.stack
        status = evaluation.changeSet.status
        policyCommit = evaluation.policyCommit
        self.reviewer = reviewer
        review = evaluation.verdict.report
    }
}

/// One apply as `tollgate execution --json` and `GET /api/executions/{id}` give it.
public struct ExecutionJSON: Codable, Sendable {
    /// The execution's id.
    public var id: String
    /// The change set applied.
    public var changeSet: String
    /// Its stack.
    public var stack: String
    /// When it started.
    public var startedAt: Date
    /// When it ended; nil while it runs or if its process died.
    public var finishedAt: Date?
    /// `SUCCEEDED`, `FAILED` or `CANCELLED` once it ended.
    public var result: ExecutionResult?
    /// What the provider reported.
    public var providerOutput: String?
    /// While it runs: when its lock lapses unless renewed.
    public var lockExpiresAt: Date?

    /// Creates the answer from its parts.
    public init(
        id: String, changeSet: String, stack: String, startedAt: Date, finishedAt: Date?, result: ExecutionResult?, providerOutput: String?,
        lockExpiresAt: Date?
    ) {
        self.id = id
        self.changeSet = changeSet
        self.stack = stack
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.result = result
        self.providerOutput = providerOutput
        self.lockExpiresAt = lockExpiresAt
    }
}

/// The answer of `tollgate cancel --json` and `POST /api/change-sets/{id}/cancel`.
public struct CancelledChangeSet: Codable, Sendable {
    /// The change set's id.
    public var id: String
    /// Its stack.
    public var stack: String
    /// `CANCELLED`, or `APPLYING` while its running apply stops.
    public var status: ChangeSetStatus
    /// Why it was cancelled.
    public var reason: String
    /// The running execution asked to stop, when the change set was applying.
    public var execution: String?

    /// Creates the answer from its parts.
    public init(id: String, stack: String, status: ChangeSetStatus, reason: String, execution: String?) {
        self.id = id
        self.stack = stack
        self.status = status
        self.reason = reason
        self.execution = execution
    }
}

public import Foundation
public import TollgateCore
public import TollgateStore

/// Everything `tollgate status` shows: the policy in force on a line of its own, then every stack.
public struct StatusReport: Sendable, Codable, Equatable {
    /// The policy revision in force and the policy change set open against it; nil before `init`.
    public var policy: PolicyStatus?
    /// One row per stack, sorted by name.
    public var stacks: [StackStatus]

    enum CodingKeys: String, CodingKey {
        case policy, stacks
    }

    /// A report of `stacks` under `policy`.
    public init(policy: PolicyStatus?, stacks: [StackStatus]) {
        self.policy = policy
        self.stacks = stacks
    }

    /// Writes `policy` as `null` before `init`, so that `--json` always has both keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(policy, forKey: .policy)
        try container.encode(stacks, forKey: .stacks)
    }
}

extension StatusReport {
    /// The report with only the stacks whose name contains `text` (every stack when nil), as a
    /// search keeps them (``StatusReader/name(_:matches:)``).
    public func matching(_ text: String?) -> StatusReport {
        StatusReport(policy: policy, stacks: stacks.filter { StatusReader.name($0.stack, matches: text) })
    }
}

/// The policy in force at a glance.
public struct PolicyStatus: Sendable, Codable, Equatable {
    /// The revision number, 1 for the revision `init` trusted.
    public var revision: Int64
    /// The commit whose `Policies/` and `tollgate.yaml` are in force.
    public var commit: String
    /// Who trusted or applied it.
    public var actor: String
    /// When it was put in force.
    public var recordedAt: Date
    /// The policy change set whose apply put it in force; nil for a revision trusted by `init`.
    public var appliedChangeSet: String?
    /// The open policy change set, if any.
    public var pendingChangeSet: String?
    /// Where the open policy change set stands, as `explain` computes it now.
    public var status: StackCondition?
    /// The status stored for the open policy change set, when it differs from ``status``.
    public var storedStatus: ChangeSetStatus?

    enum CodingKeys: String, CodingKey {
        case revision, commit, actor, recordedAt, appliedChangeSet, pendingChangeSet, status, storedStatus
    }

    /// Writes every field, `null` for nothing, so that `--json` always has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(revision, forKey: .revision)
        try container.encode(commit, forKey: .commit)
        try container.encode(actor, forKey: .actor)
        try container.encode(recordedAt, forKey: .recordedAt)
        try container.encode(appliedChangeSet, forKey: .appliedChangeSet)
        try container.encode(pendingChangeSet, forKey: .pendingChangeSet)
        try container.encode(status, forKey: .status)
        try container.encode(storedStatus, forKey: .storedStatus)
    }
}

/// One stack at a glance, as `tollgate status` lists it in text and in `--json`.
public struct StackStatus: Sendable, Codable, Equatable {
    /// The stack's name.
    public var stack: String
    /// Where the stack stands, from its open change set (as `explain` computes it now) and its
    /// last execution.
    public var status: StackCondition
    /// The status stored for the open change set, when it differs from what `explain` computes:
    /// the policy changed since, or the store was edited.
    public var storedStatus: ChangeSetStatus?
    /// The open change set, waiting for review or for its apply.
    public var pendingChangeSet: String?
    /// The change set recorded FAILED because the stack's newest files could not be planned, while
    /// nothing newer is open.
    public var failedChangeSet: String?
    /// The recorded state version, nil for a stack never applied.
    public var stateVersion: Int64?
    /// The last execution's id.
    public var lastExecution: String?
    /// When the last execution started.
    public var startedAt: Date?
    /// When it ended; nil while it runs or if its process died.
    public var finishedAt: Date?
    /// How it ended.
    public var result: ExecutionResult?
    /// An APPLYING stack whose execution holds no live lock: its process died, and
    /// `tollgate apply ID --resume` finishes it.
    public var executionStalled: Bool = false

    enum CodingKeys: String, CodingKey {
        case stack, status, storedStatus, pendingChangeSet, failedChangeSet, stateVersion, lastExecution, startedAt, finishedAt, result
        case executionStalled
    }

    /// Writes every field, `null` for nothing, so that `--json` rows all have the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stack, forKey: .stack)
        try container.encode(status, forKey: .status)
        try container.encode(storedStatus, forKey: .storedStatus)
        try container.encode(pendingChangeSet, forKey: .pendingChangeSet)
        try container.encode(failedChangeSet, forKey: .failedChangeSet)
        try container.encode(stateVersion, forKey: .stateVersion)
        try container.encode(lastExecution, forKey: .lastExecution)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(result, forKey: .result)
        try container.encode(executionStalled, forKey: .executionStalled)
    }
}

/// The one word that says where a stack stands, in the order that matters to an operator: an
/// apply in progress first, then a change waiting, then the outcome of the last apply.
public enum StackCondition: String, Sendable, Codable, CaseIterable {
    /// An apply has started and not reported its end.
    case applying = "APPLYING"
    /// A change set waits for review.
    case pending = "PENDING"
    /// A change set is approved and waits for its apply.
    case approved = "APPROVED"
    /// The open change set counts as rejected under the policy in force, though not stored so.
    case rejected = "REJECTED"
    /// No approval can make the open change set pass under the policy in force.
    case unapprovable = "UNAPPROVABLE"
    /// The open change set disagrees with the audit trail: the store was edited outside Tollgate.
    case tampered = "TAMPERED"
    /// The stack's newest files could not be planned, and nothing newer is open.
    case planFailed = "PLAN_FAILED"
    /// The last apply failed and nothing new is open.
    case failed = "FAILED"
    /// The last apply succeeded and nothing new is open.
    case applied = "APPLIED"
    /// The stack is in the repository but nothing was ever applied or proposed for it.
    case notApplied = "NOT_APPLIED"

    /// The condition of an open change set whose review stands at `status`.
    init(_ status: ReviewStatus) {
        switch status {
        case .pending: self = .pending
        case .approved: self = .approved
        case .rejected: self = .rejected
        case .unapprovable: self = .unapprovable
        }
    }
}

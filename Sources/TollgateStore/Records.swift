public import Foundation
public import TollgateCore

/// What Tollgate last applied to one stack: the baseline every new change set is planned against.
public struct StackStateRecord: Sendable, Hashable {
    /// The stack's name, the folder under `Stacks/`.
    public var stack: String
    /// The template text as applied.
    public var template: String
    /// The parameters after resolution, by name.
    public var parameters: [String: String]
    /// The stack's tags, by key.
    public var tags: [String: String]
    /// The commit the applied template and configuration came from.
    public var commit: String
    /// Starts at 1 and grows by one with every recorded apply, so that a change set planned against
    /// an older state can be recognised as stale.
    public var stateVersion: Int64
    /// When this state was recorded.
    public var recordedAt: Date
    /// Whether the last apply removed the stack; the record stays so that the state version keeps
    /// growing if the stack comes back.
    public var isRemoved: Bool
    /// What the provider reported once it applied this state, such as CloudFormation's stack
    /// outputs, by name; empty for the record provider.
    public var outputs: [String: String]

    /// Creates a record as stored.
    public init(
        stack: String, template: String, parameters: [String: String], tags: [String: String],
        commit: String, stateVersion: Int64, recordedAt: Date, isRemoved: Bool = false, outputs: [String: String] = [:]
    ) {
        self.isRemoved = isRemoved
        self.outputs = outputs
        self.stack = stack
        self.template = template
        self.parameters = parameters
        self.tags = tags
        self.commit = commit
        self.stateVersion = stateVersion
        self.recordedAt = recordedAt
    }
}

/// One revision of `Policies/` (and `tollgate.yaml`) put in force: trusted by `tollgate init` or
/// applied through a policy change set. The newest is the policy in force.
public struct PolicyRevisionRecord: Sendable, Hashable {
    /// Starts at 1 and grows by one with every revision put in force, so that a policy change set
    /// planned against an older revision can be recognised as stale.
    public var revision: Int64
    /// The commit whose `Policies/` and `tollgate.yaml` are in force.
    public var commit: String
    /// The applied policy change set that put it in force; nil for a revision trusted by `init`.
    public var changeSetID: String?
    /// Who trusted or applied it.
    public var actor: String
    /// When it was put in force.
    public var recordedAt: Date

    /// Creates a record as stored.
    public init(revision: Int64, commit: String, changeSetID: String?, actor: String, recordedAt: Date) {
        self.revision = revision
        self.commit = commit
        self.changeSetID = changeSetID
        self.actor = actor
        self.recordedAt = recordedAt
    }
}

/// Whether a change set changes a stack or the policies that govern every stack.
public enum ChangeSetKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// A change to one stack's template or configuration.
    case stack
    /// A change to `Policies/`, reviewed under the policy already in force.
    case policy
}

/// A change set through its whole life, as the store keeps it.
public struct ChangeSetRecord: Sendable, Hashable {
    /// Short and typeable, such as `cs-3f9a0c1e`; made by the caller with ``newID()``.
    public var id: String
    /// What the change set changes.
    public var kind: ChangeSetKind
    /// The stack it changes (for a policy change set, the name the engine gives the policies).
    public var stack: String
    /// The commits it covers, oldest first.
    public var commits: [String]
    /// The ``StackStateRecord/stateVersion`` it was planned against, 0 for a stack never applied; for
    /// a policy change set, the ``PolicyRevisionRecord/revision`` in force, 0 before `init`.
    public var baseStateVersion: Int64
    /// The commit whose content it would apply.
    public var targetCommit: String
    /// The content digest that approvals name.
    public var digest: String
    /// The change set in its JSON form, kept verbatim.
    public var json: String
    /// Where it stands in its life.
    public var status: ChangeSetStatus
    /// Why it reached its current status, when someone said (a rejection or cancellation reason).
    public var statusReason: String?
    /// When it was created.
    public var createdAt: Date
    /// When its status last changed.
    public var updatedAt: Date

    /// Creates a record; `createdAt` and `updatedAt` are replaced by the store's clock on insert.
    public init(
        id: String, kind: ChangeSetKind, stack: String, commits: [String], baseStateVersion: Int64,
        targetCommit: String, digest: String, json: String, status: ChangeSetStatus = .pending,
        statusReason: String? = nil, createdAt: Date = Date(timeIntervalSince1970: 0),
        updatedAt: Date = Date(timeIntervalSince1970: 0)
    ) {
        self.id = id
        self.kind = kind
        self.stack = stack
        self.commits = commits
        self.baseStateVersion = baseStateVersion
        self.targetCommit = targetCommit
        self.digest = digest
        self.json = json
        self.status = status
        self.statusReason = statusReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A fresh id: `cs-` and 8 random hex digits, short enough to type and read aloud.
    ///
    /// Collisions are unlikely but possible; inserting a duplicate id fails with
    /// ``StoreError/duplicateChangeSetID(_:)`` and the caller makes a new id.
    public static func newID() -> String {
        "cs-" + randomHex(digits: 8)
    }
}

/// A reviewer's verdict on a change set.
public enum Verdict: String, Sendable, Codable, CaseIterable, Hashable {
    /// The reviewer agrees to the change.
    case approve
    /// The reviewer refuses the change.
    case reject
}

/// One reviewer's approval or rejection, bound to the change set digest it was given for.
public struct ApprovalRecord: Sendable, Hashable {
    /// The change set reviewed.
    public var changeSetID: String
    /// The reviewer's id from `Policies/reviewers.yaml`.
    public var reviewer: String
    /// Approve or reject.
    public var verdict: Verdict
    /// The digest the reviewer saw; it must equal the change set's, or the store refuses the record.
    public var digest: String
    /// The SSH signature (or server token proof) as text, when one was given.
    public var signature: String?
    /// The reviewer's words, required by convention for a rejection.
    public var reason: String?
    /// When it was recorded; replaced by the store's clock on insert.
    public var recordedAt: Date

    /// Creates a record.
    public init(
        changeSetID: String, reviewer: String, verdict: Verdict, digest: String, signature: String? = nil,
        reason: String? = nil, recordedAt: Date = Date(timeIntervalSince1970: 0)
    ) {
        self.changeSetID = changeSetID
        self.reviewer = reviewer
        self.verdict = verdict
        self.digest = digest
        self.signature = signature
        self.reason = reason
        self.recordedAt = recordedAt
    }
}

/// How an apply ended.
public enum ExecutionResult: String, Sendable, Codable, CaseIterable, Hashable {
    /// The stack reached the change set's target state.
    case succeeded = "SUCCEEDED"
    /// It did not.
    case failed = "FAILED"
    /// An operator cancelled it and the provider stopped before reaching the target.
    case cancelled = "CANCELLED"

    /// The status an execution that ended so leaves its change set in.
    public var changeSetStatus: ChangeSetStatus {
        switch self {
        case .succeeded: .applied
        case .failed: .failed
        case .cancelled: .cancelled
        }
    }
}

/// An operator's request that a running apply stop, waiting on its execution until the applying
/// process sees it.
public struct CancelRequest: Sendable, Hashable {
    /// Who asked.
    public var actor: String
    /// Why.
    public var reason: String
    /// When.
    public var requestedAt: Date

    /// Creates a request as stored.
    public init(actor: String, reason: String, requestedAt: Date) {
        self.actor = actor
        self.reason = reason
        self.requestedAt = requestedAt
    }
}

/// One apply of a change set.
public struct ExecutionRecord: Sendable, Hashable {
    /// Such as `ex-0b41d2aa`; made by the caller with ``newID()``.
    public var id: String
    /// The change set applied.
    public var changeSetID: String
    /// The stack it applied to.
    public var stack: String
    /// When it started.
    public var startedAt: Date
    /// When it ended; nil while it runs or if the process died during it.
    public var finishedAt: Date?
    /// How it ended; nil while it runs.
    public var result: ExecutionResult?
    /// What the provider reported last, kept so that an interrupted apply can be explained.
    public var providerOutput: String?
    /// An operator's request that it stop; nil when none was made.
    public var cancelRequest: CancelRequest?

    /// Creates a record as stored.
    public init(
        id: String, changeSetID: String, stack: String, startedAt: Date, finishedAt: Date?,
        result: ExecutionResult?, providerOutput: String?, cancelRequest: CancelRequest? = nil
    ) {
        self.cancelRequest = cancelRequest
        self.id = id
        self.changeSetID = changeSetID
        self.stack = stack
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.result = result
        self.providerOutput = providerOutput
    }

    /// A fresh id: `ex-` and 8 random hex digits.
    public static func newID() -> String {
        "ex-" + randomHex(digits: 8)
    }
}

/// The lease one apply holds on a stack, so that no second apply of the stack runs meanwhile.
public struct StackLock: Sendable, Hashable {
    /// The stack locked.
    public var stack: String
    /// The execution holding it.
    public var executionID: String
    /// Who holds it: host and process id, for messages and to tell a dead holder.
    public var holder: String
    /// When it was taken.
    public var acquiredAt: Date
    /// When it lapses unless renewed; a lapsed lock may be taken over.
    public var expiresAt: Date

    /// Creates a lock as stored.
    public init(stack: String, executionID: String, holder: String, acquiredAt: Date, expiresAt: Date) {
        self.stack = stack
        self.executionID = executionID
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}

/// A commit that a sync attributed to a stack because it changed the stack's files.
public struct StackCommit: Sendable, Hashable, Codable {
    /// The 40-hex commit id.
    public var commit: String
    /// The merge on the branch's first-parent line that brought the commit in, when it came from a
    /// merged branch; nil for a commit on the first-parent line itself.
    public var mergedBy: String?

    /// Creates an attribution.
    public init(commit: String, mergedBy: String? = nil) {
        self.commit = commit
        self.mergedBy = mergedBy
    }
}

/// Which audit entries to read; every criterion given must hold.
public struct AuditFilter: Sendable, Hashable {
    /// Only entries about this stack.
    public var stack: String?
    /// Only entries caused by this actor.
    public var actor: String?
    /// Only entries written at or after this time.
    public var since: Date?
    /// Only entries about this change set.
    public var changeSetID: String?

    /// Creates a filter; with no arguments it matches every entry.
    public init(stack: String? = nil, actor: String? = nil, since: Date? = nil, changeSetID: String? = nil) {
        self.stack = stack
        self.actor = actor
        self.since = since
        self.changeSetID = changeSetID
    }
}

private func randomHex(digits: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return String((0..<digits).map { _ in "0123456789abcdef".randomElement(using: &generator) ?? "0" })
}

/// A bearer token bound to one reviewer, as stored: only the SHA-256 of the token is kept, so the
/// store never holds anything that could act as the reviewer.
public struct AccessTokenRecord: Sendable, Hashable {
    /// The token's public id, such as `tok-3f9a0c1e`, for listing and revoking.
    public var id: String
    /// The reviewer the token acts as, a person id in `Policies/reviewers.yaml`.
    public var reviewer: String
    /// The lower-case hex SHA-256 of the token.
    public var tokenSHA256: String
    /// When it was issued.
    public var createdAt: Date
    /// When it stops working; nil for never.
    public var expiresAt: Date?
    /// When it was revoked; nil while it is not.
    public var revokedAt: Date?

    /// Creates a record.
    public init(id: String, reviewer: String, tokenSHA256: String, createdAt: Date, expiresAt: Date?, revokedAt: Date? = nil) {
        self.id = id
        self.reviewer = reviewer
        self.tokenSHA256 = tokenSHA256
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// A fresh random token id, `tok-` and 8 hex digits.
    public static func newID() -> String {
        "tok-" + randomHex(digits: 8)
    }
}

public import TollgateCore
public import TollgateStore

/// What one `tollgate sync` did, shared by its text and `--json` output.
public struct SyncReport: Sendable, Codable, Equatable {
    /// The branch synced.
    public var branch: String
    /// The last commit synced before this run; nil on the first sync.
    public var previousCursor: String?
    /// The branch's tip, now the last commit synced.
    public var cursor: String
    /// How many commits after the previous cursor changed a stack or a policy.
    public var relevantCommits: Int
    /// The change sets created, stacks by name first, then the policy change set.
    public var created: [SyncedChangeSet]
    /// Stacks whose files changed but whose change set against the recorded state would be empty,
    /// with no open change set to replace: nothing was created for them.
    public var unchanged: [String]
    /// Open change sets withdrawn as superseded because their stack was deleted before it was ever
    /// applied, so there is nothing to remove.
    public var withdrawn: [String]

    /// Whether the run found nothing to record.
    public var isNothingNew: Bool {
        previousCursor == cursor
    }
}

/// One change set that a sync created.
public struct SyncedChangeSet: Sendable, Codable, Equatable {
    /// The new change set's id.
    public var id: String
    /// A stack change set or a policy change set.
    public var kind: ChangeSetKind
    /// The stack, or `Policies/` for a policy change set.
    public var stack: String
    /// `CREATE`, `UPDATE`, `POLICY`, or `FAILED` for a stack that could not be planned.
    public var type: SyncedChangeSetType
    /// PENDING, or FAILED when the stack's files could not be planned at the target commit.
    public var status: ChangeSetStatus
    /// The commits it covers, oldest first.
    public var commits: [String]
    /// The newest of them, whose content it would apply.
    public var targetCommit: String
    /// The digest approvals name.
    public var digest: String
    /// The recorded state version it was planned against, 0 for a stack never applied.
    public var baseStateVersion: Int64
    /// The open change set it superseded, if there was one.
    public var supersedes: String?
    /// One line on what it does, such as `Plan: 1 to add, 0 to modify, 0 to remove`.
    public var summary: String
}

/// What a change set created by a sync does.
public enum SyncedChangeSetType: String, Sendable, Codable, Equatable {
    /// It creates the stack.
    case create = "CREATE"
    /// It updates the stack.
    case update = "UPDATE"
    /// It changes `Policies/`.
    case policy = "POLICY"
    /// The stack's files could not be planned; the change set is recorded FAILED.
    case failed = "FAILED"

    /// CloudFormation's type of a stack change set.
    init(_ type: ChangeSetType) {
        self = switch type {
        case .create: .create
        case .update: .update
        }
    }
}

public import TollgateCore

/// A sync that cannot run as asked.
public enum SyncError: TollgateError, Equatable, Sendable {
    /// A start commit was given, but the branch has been synced before and carries on from its cursor.
    case alreadySynced(branch: String, cursor: String)
    /// The last synced commit is no longer on the branch, as after a force-push.
    case cursorNotOnBranch(branch: String, cursor: String)
    /// The start commit is not on the branch's history.
    case startNotOnBranch(revision: String, branch: String)
    /// The stored cursor is not where the audit trail last moved it: the store was edited.
    case cursorTampered(branch: String, stored: String?, trail: String?)
    /// Other tollgate processes kept changing the store while this one planned.
    case keptChanging(branch: String, attempts: Int)

    public var description: String {
        switch self {
        case .alreadySynced(let branch, let cursor):
            return "Branch \(branch) was synced up to commit \(cursor.prefix(7)) already."
        case .cursorNotOnBranch(let branch, let cursor):
            return "The last synced commit \(cursor.prefix(7)) is no longer on branch \(branch) (was it force-pushed?); restore the branch or sync into a new store."
        case .startNotOnBranch(let revision, let branch):
            return "'\(revision)' is not on the history of branch \(branch)."
        case .cursorTampered(let branch, let stored, let trail):
            return "The stored scan cursor of branch \(branch) is \(stored.map { String($0.prefix(10)) } ?? "absent"), but the audit trail last moved it to \(trail.map { String($0.prefix(10)) } ?? "nowhere"): the store was edited outside tollgate, so nothing was synced. Run tollgate audit verify."
        case .keptChanging(let branch, let attempts):
            return "Other tollgate processes changed the store for branch \(branch) during each of \(attempts) attempts; run sync again."
        }
    }
}

extension SyncError {
    public var kind: ErrorKind {
        switch self {
        case .alreadySynced, .cursorNotOnBranch: .conflict
        case .startNotOnBranch: .invalidInput
        case .cursorTampered: .refused
        case .keptChanging: .unavailable
        }
    }

    public var remedy: ErrorRemedy? {
        switch self {
        case .alreadySynced: .omitSyncStart
        case .startNotOnBranch: .chooseSyncStart
        default: nil
        }
    }
}

public import TollgateCore

/// A history that cannot be read as asked.
public enum HistoryError: TollgateError, Equatable, Sendable {
    /// The start of the history is not an ancestor of the branch.
    case notAnAncestor(revision: String, branch: String)
    /// The start of the history is an ancestor that lies on a merged branch, not on the branch's own line.
    case notOnFirstParentHistory(revision: String, branch: String)
    /// A settings file given instead of the repository's own cannot be read.
    case unreadableSettings(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAnAncestor(let revision, let branch):
            return "'\(revision)' is not an ancestor of '\(branch)'."
        case .notOnFirstParentHistory(let revision, let branch):
            return "'\(revision)' is not on the first-parent history of '\(branch)' (it came in through a merge)."
        case .unreadableSettings(let path, let reason):
            return "Cannot read the settings file '\(path)': \(reason)."
        }
    }
}

extension HistoryError {
    public var kind: ErrorKind { .invalidInput }

    public var remedy: ErrorRemedy? {
        switch self {
        case .notAnAncestor: .chooseHistoryStart
        case .notOnFirstParentHistory: .chooseMergeAsHistoryStart
        case .unreadableSettings: nil
        }
    }
}

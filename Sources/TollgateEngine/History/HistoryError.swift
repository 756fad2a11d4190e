/// A history that cannot be read as asked.
public enum HistoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--since` names a commit that is not an ancestor of the branch.
    case notAnAncestor(revision: String, branch: String)
    /// `--since` names an ancestor that lies on a merged branch, not on the branch's own line.
    case notOnFirstParentHistory(revision: String, branch: String)
    /// A settings file given with `--config` cannot be read.
    case unreadableSettings(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAnAncestor(let revision, let branch):
            return "'\(revision)' is not an ancestor of '\(branch)'; --since must name a commit on the branch."
        case .notOnFirstParentHistory(let revision, let branch):
            return "'\(revision)' is not on the first-parent history of '\(branch)' (it came in through a merge); pass the merge commit to --since instead."
        case .unreadableSettings(let path, let reason):
            return "Cannot read the settings file '\(path)': \(reason)."
        }
    }
}

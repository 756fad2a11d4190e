public import TollgateCore

/// Following a remote repository stopped for a reason that is the engine's, not the network's.
public enum RemoteFollowError: TollgateError, Equatable, Sendable {
    /// The remote branch no longer contains the last synced commit: a force-push rewrote history
    /// that change sets were already made from. Nothing is followed until the branch contains it
    /// again.
    case historyRewritten(url: String, branch: String, synced: String, fetched: String)
    /// The token file is empty.
    case emptyTokenFile(path: String)

    public var description: String {
        switch self {
        case .historyRewritten(let url, let branch, let synced, let fetched):
            return "Refused to follow \(url): branch '\(branch)' now points at \(fetched.prefix(12)), which does not contain the last synced commit \(synced.prefix(12)); its history was rewritten (a force-push). Nothing new is synced until the remote branch contains \(synced.prefix(12)) again: push the rewritten changes as new commits on top of it (git revert, not git push --force)."
        case .emptyTokenFile(let path):
            return "The token file '\(path)' is empty."
        }
    }

    public var kind: ErrorKind {
        switch self {
        case .historyRewritten: .refused
        case .emptyTokenFile: .invalidInput
        }
    }

    public var remedy: ErrorRemedy? {
        switch self {
        case .historyRewritten: nil
        case .emptyTokenFile: .giveRemoteToken
        }
    }
}

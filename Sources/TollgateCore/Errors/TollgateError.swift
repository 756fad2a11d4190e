/// What sort of failure an error is, so that each front end answers every error of one sort the
/// same way: the server maps a kind to one HTTP status, the command line to its exit and wording.
public enum ErrorKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// What was asked for does not exist: an unknown change set, stack, commit, branch or store.
    case notFound
    /// The request clashes with the current state: a change set in another status, a verdict given
    /// already, a lock held, a record made meanwhile by another process.
    case conflict
    /// The request or the file it names is malformed, or names something that cannot be used.
    case invalidInput
    /// A rule says no: a signature that does not verify, a verdict that would not count, a closed
    /// change window, a store edited outside Tollgate.
    case refused
    /// A resource Tollgate depends on failed or is unreachable: the database, the repository's
    /// objects, a provider; trying again later, or repairing it, may help.
    case unavailable
}

/// What the person can change to get past an error, said in no front end's words: the command
/// line turns it into the flag to pass, a server into the field or setting to fix.
public enum ErrorRemedy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Name another repository.
    case chooseRepository
    /// Name another branch to follow.
    case chooseBranch
    /// Name another state store file.
    case chooseStore
    /// Name another PostgreSQL database.
    case chooseDatabase
    /// Start the history at a commit on the branch.
    case chooseHistoryStart
    /// Start the history at the merge that brought the commit in.
    case chooseMergeAsHistoryStart
    /// Start the first sync of a branch at a commit on it.
    case chooseSyncStart
    /// Leave out the start commit: only a branch's first sync takes one.
    case omitSyncStart
    /// Trust another policy revision on purpose, replacing the one in force.
    case trustAgainOnPurpose
    /// Sign the operator's act with a key the policy lists.
    case signOperatorAct
    /// Resume the apply that never finished before starting another.
    case resumeApply
    /// Resume the apply whose process died, once its lock has lapsed.
    case resumeLapsedApply
    /// Give the remote's token from a file or the environment, never in its URL.
    case giveRemoteToken
    /// Name the SSH private key to fetch with.
    case chooseSSHKey
    /// Name the file holding the SSH key's passphrase.
    case chooseSSHPassphrase
    /// Name the known_hosts file that lists the remote host's key.
    case chooseKnownHosts
    /// Name another directory for Tollgate's own clone of the remote.
    case chooseCloneDirectory
    /// Name the PEM file of the certificate authority that issued the HTTPS remote's certificate.
    case chooseCAFile
    /// Allow a fetch more time.
    case raiseFetchTimeout
}

/// An error every front end can answer without knowing its type: one sentence for a person
/// (``description``, which names no command-line flag and shows no raw database text), a
/// ``kind`` to map to a status once, an optional ``remedy``, and the underlying detail for logs
/// (``debugDescription``).
public protocol TollgateError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    /// What sort of failure it is.
    var kind: ErrorKind { get }
    /// What the person can change to get past it, when there is one thing to change.
    var remedy: ErrorRemedy? { get }
}

extension TollgateError {
    /// Most errors name no remedy beyond what their description says.
    public var remedy: ErrorRemedy? { nil }
    /// The description, unless the error keeps an underlying cause worth logging.
    public var debugDescription: String { description }
}

public import TollgateCore
import Foundation

/// Every way the state store can fail, each with a message that says where and what to do.
///
/// Errors from SQLite and PostgreSQL are wrapped here and never reach the user raw; `location` is the
/// database file or the PostgreSQL URL without its password.
public enum StoreError: TollgateError, Sendable, Equatable {
    /// The SQLite file could not be opened or created.
    case cannotOpen(location: String, reason: String)
    /// The file exists but is not an SQLite database, or is damaged.
    case notADatabase(location: String)
    /// A row disagrees with the audit trail: a table was edited outside Tollgate.
    case tamperedRecord(location: String, disagreement: TableDisagreement)
    /// The file exists and is empty: not a store, and never silently taken for a new one.
    case emptyFile(location: String)
    /// A reading command found no store at the location.
    case noStore(location: String)
    /// A reading command found a store whose schema an older Tollgate wrote; only a writing
    /// command may bring it forward.
    case schemaTooOld(location: String, found: Int, supported: Int)
    /// The `--database` or `TOLLGATE_DATABASE_URL` value is not a usable PostgreSQL URL.
    case invalidURL(String, reason: String)
    /// No PostgreSQL server answered at that address.
    case unreachable(location: String, reason: String)
    /// The PostgreSQL server refused the login or the database.
    case loginRefused(location: String, reason: String)
    /// The store was made or migrated by a newer Tollgate.
    case schemaTooNew(location: String, found: Int, supported: Int)
    /// Another process held the store's write lock for longer than the wait allows.
    case busy(location: String)
    /// The store was called again from inside one of its own transactions, which would wait for itself.
    case nestedCall(location: String)
    /// No change set has this id.
    case unknownChangeSet(String)
    /// No execution has this id.
    case unknownExecution(String)
    /// The lifecycle forbids the status change.
    case illegalTransition(IllegalTransitionError)
    /// A change set with this id exists already.
    case duplicateChangeSetID(String)
    /// A change set for the same stack, target commit and base state exists already, or the stack
    /// has a pending one: typically another process created it at the same moment.
    case duplicateChangeSet(stack: String, targetCommit: String, baseStateVersion: Int64)
    /// The reviewer has already given a verdict on this change set.
    case duplicateApproval(changeSetID: String, reviewer: String)
    /// The approval names a different digest than the change set has.
    case digestMismatch(changeSetID: String, expected: String, given: String)
    /// The change set is not in a status that accepts this operation.
    case notReviewable(changeSetID: String, status: ChangeSetStatus)
    /// The execution has finished already.
    case executionFinished(String)
    /// Another apply holds the stack's lock.
    case stackLocked(StackLock)
    /// The apply's lock on the stack lapsed and another process took it.
    case lockLost(stack: String, executionID: String)
    /// A stored value could not be read back, which means the database was edited by hand.
    case corruptRecord(location: String, what: String)
    /// The database ran out of space (a full disk or quota); the transaction was rolled back whole.
    case full(location: String)
    /// Any other database failure, with the operation that failed; `message` is the database's own
    /// text, kept for logs (``debugDescription``) and never in ``description``.
    case database(location: String, operation: String, message: String)
    /// A check of the audit trail could not write or read the scratch file it keeps beside memory.
    case scratchFile(path: String, reason: String)
    /// No access token has this id.
    case unknownAccessToken(String)
    /// The access token was revoked before; revoking is done once.
    case accessTokenRevoked(String)
    /// No notification in the outbox has this id.
    case unknownNotification(Int64)
    /// Only a failed notification can be retried.
    case notificationNotFailed(id: Int64, state: NotificationState)

    public var description: String {
        switch self {
        case .cannotOpen(let location, let reason):
            return "Cannot open the state store \(location): \(reason); check the path and its permissions."
        case .tamperedRecord(let location, let disagreement):
            return "The state store \(location) was edited outside tollgate: \(disagreement); nothing was done with it. Run tollgate audit verify to see the whole extent."
        case .emptyFile(let location):
            return "The state store \(location) is an empty file (0 bytes), not a Tollgate store; if you mean to start afresh, delete it and run tollgate init and tollgate sync, or restore it from a backup."
        case .noStore(let location):
            return "There is no state store at \(location) yet; run tollgate init and tollgate sync first."
        case .schemaTooOld(let location, let found, let supported):
            return "The state store \(location) has schema version \(found) and this tollgate reads version \(supported); run a writing command such as tollgate sync once to bring it forward."
        case .notADatabase(let location):
            return "The state store \(location) is not a readable SQLite database (damaged or a different kind of file); restore it from a backup."
        case .invalidURL(let url, let reason):
            return "The database URL \(url) is not usable: \(reason); write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE."
        case .unreachable(let location, let reason):
            return "Cannot reach PostgreSQL at \(location): \(reason); check that the server runs."
        case .loginRefused(let location, let reason):
            return "PostgreSQL at \(location) refused the login: \(reason); check the user, password and database in the URL."
        case .schemaTooNew(let location, let found, let supported):
            return "The state store \(location) has schema version \(found), but this tollgate understands up to version \(supported); upgrade tollgate before using this store."
        case .busy(let location):
            return "The state store \(location) stayed locked by another tollgate process; try again when it has finished."
        case .nestedCall(let location):
            return "The state store \(location) was called from inside one of its own transactions; use the transaction's methods there instead."
        case .unknownChangeSet(let id):
            return "No change set has the id \(id); `tollgate status` lists the change sets."
        case .unknownExecution(let id):
            return "No execution has the id \(id)."
        case .illegalTransition(let error):
            return error.description
        case .duplicateChangeSetID(let id):
            return "A change set with the id \(id) exists already; create the new one with a fresh id."
        case .duplicateChangeSet(let stack, let commit, let version):
            return "Stack \(stack) already has a change set for commit \(commit) on state version \(version), or another pending change set; another tollgate process probably created it at the same time."
        case .duplicateApproval(let id, let reviewer):
            return "Reviewer \(reviewer) has already given a verdict on change set \(id)."
        case .digestMismatch(let id, let expected, let given):
            return "The verdict names digest \(given), but change set \(id) has digest \(expected); review the change set as it is now."
        case .notReviewable(let id, let status):
            return "Change set \(id) is \(status.rawValue) and takes no verdicts any more."
        case .executionFinished(let id):
            return "Execution \(id) has finished already; its outcome cannot change."
        case .stackLocked(let lock):
            let time = ISO8601DateFormatter.string(from: lock.acquiredAt, timeZone: .gmt, formatOptions: [.withInternetDateTime])
            return "Stack \(lock.stack) is being applied by execution \(lock.executionID) (\(lock.holder), since \(time)); wait for it to finish."
        case .lockLost(let stack, let execution):
            return "Execution \(execution) lost its lock on stack \(stack): it lapsed and another process took it over."
        case .corruptRecord(let location, let what):
            return "The state store \(location) holds an unreadable \(what); it was changed outside tollgate, restore it from a backup."
        case .database(let location, let operation, _):
            return "The state store \(location) failed while \(operation)."
        case .full(let location):
            return "The state store \(location) ran out of space (disk or quota full) and nothing of that transaction was written; free some space."
        case .scratchFile(let path, let reason):
            return "The audit check cannot use its scratch file \(path): \(reason); set TMPDIR to a folder with room and run it again. The store was not changed."
        case .unknownAccessToken(let id):
            return "No access token has the id \(id); `tollgate token list` lists them."
        case .accessTokenRevoked(let id):
            return "Access token \(id) is revoked already."
        case .unknownNotification(let id):
            return "No notification in the outbox has the id \(id)."
        case .notificationNotFailed(let id, let state):
            return "Notification \(id) is \(state.rawValue), not failed; only a failed notification is retried."
        }
    }
}

extension StoreError {
    public var kind: ErrorKind {
        switch self {
        case .noStore, .unknownChangeSet, .unknownExecution, .unknownAccessToken, .unknownNotification: .notFound
        case .illegalTransition, .duplicateChangeSetID, .duplicateChangeSet, .duplicateApproval, .digestMismatch,
             .notReviewable, .executionFinished, .stackLocked, .lockLost, .accessTokenRevoked,
             .notificationNotFailed:
            .conflict
        case .invalidURL: .invalidInput
        case .tamperedRecord: .refused
        case .cannotOpen, .notADatabase, .emptyFile, .schemaTooOld, .unreachable, .loginRefused, .schemaTooNew, .busy,
             .nestedCall, .corruptRecord, .database, .full, .scratchFile:
            .unavailable
        }
    }

    public var remedy: ErrorRemedy? {
        switch self {
        case .cannotOpen, .noStore, .notADatabase: .chooseStore
        case .unreachable: .chooseDatabase
        case .stackLocked: .resumeLapsedApply
        default: nil
        }
    }

    /// The description with the database's own text, for logs and an operator's terminal.
    public var debugDescription: String {
        guard case .database(let location, let operation, let message) = self else { return description }
        return "The state store \(location) failed while \(operation): \(message)."
    }
}

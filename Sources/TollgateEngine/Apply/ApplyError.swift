public import Foundation
public import TollgateCore
public import TollgateStore

/// Why `tollgate apply` refused to start, each naming what failed; nothing was deployed.
public enum ApplyError: TollgateError, Equatable {
    /// Only an APPROVED change set is applied.
    case notApproved(changeSetID: String, status: ChangeSetStatus)
    /// Its approvals no longer satisfy the policy in force (a key removed, a rule made stricter).
    case approvalsNoLongerHold(changeSetID: String, status: String, blockers: [String])
    /// The change a fresh plan gives is not the one approved.
    case digestChanged(changeSetID: String, approved: String, planned: String)
    /// The stack's recorded state moved on since the change set was planned; it is now SUPERSEDED.
    case stale(changeSetID: String, stack: String, planned: Int64, current: Int64)
    /// No change window is open now.
    case windowClosed(changeSetID: String, reasons: [String])
    /// An earlier execution of the stack never finished.
    case unfinishedExecution(stack: String, executionID: String, startedAt: Date)
    /// A resume was asked for a change set that is not APPLYING.
    case nothingToResume(changeSetID: String, status: ChangeSetStatus)
    /// A resume found the lock held by a live process whose lease has not lapsed.
    case lockStillHeld(StackLock)
    /// A cancel was asked of an apply whose process no longer holds the stack's lock.
    case holderGone(changeSetID: String, executionID: String)
    /// The provider ran, but its outcome could not be recorded (a full disk, a lost connection);
    /// the change set stays APPLYING until a resume records it.
    case outcomeNotRecorded(changeSetID: String, executionID: String, providerSucceeded: Bool, cause: String)
    /// The provider deployments.yaml names is not available in this build.
    case providerUnavailable(stack: String, provider: String, reason: String)

    public var description: String {
        switch self {
        case .notApproved(let id, let status):
            return "Change set \(id) is \(status.rawValue); only an APPROVED change set is applied (tollgate explain \(id) says what it still needs)."
        case .approvalsNoLongerHold(let id, let status, let blockers):
            return "Change set \(id) is stored as APPROVED, but under the policy in force it is \(status): \(blockers.joined(separator: "; ")); nothing was applied."
        case .digestChanged(let id, let approved, let planned):
            return "Change set \(id) was approved with digest \(approved), but planning it again gives \(planned); nothing was applied. Run tollgate sync to plan it again for review."
        case .stale(let id, let stack, let planned, let current):
            return "Change set \(id) was planned against state version \(planned) of stack \(stack), which is now at version \(current); it is marked SUPERSEDED and the next tollgate sync plans it again."
        case .windowClosed(let id, let reasons):
            return "Change set \(id) is approved, but no change window is open now: \(reasons.joined(separator: "; "))."
        case .unfinishedExecution(let stack, let execution, let started):
            let time = ISO8601DateFormatter.string(from: started, timeZone: .gmt, formatOptions: [.withInternetDateTime])
            return "Stack \(stack) has execution \(execution), started \(time), that never finished."
        case .nothingToResume(let id, let status):
            return "Change set \(id) is \(status.rawValue), not APPLYING; there is nothing to resume."
        case .lockStillHeld(let lock):
            return StoreError.stackLocked(lock).description
        case .holderGone(let id, let execution):
            return "The process applying change set \(id) (execution \(execution)) is gone; the cancel is recorded and its resume finishes the record."
        case .outcomeNotRecorded(let id, let execution, let succeeded, let cause):
            let outcome = succeeded ? "reported success" : "reported failure"
            return "Execution \(execution) of change set \(id) ran and its provider \(outcome), but recording that failed: \(cause) The change set stays APPLYING and nothing is lost: its resume records the outcome once the store takes writes again."
        case .providerUnavailable(let stack, let provider, let reason):
            return "Stack \(stack) is deployed with provider \(provider) by Policies/deployments.yaml, which \(reason); nothing was applied."
        }
    }
}

extension ApplyError {
    public var kind: ErrorKind {
        switch self {
        case .notApproved, .digestChanged, .stale, .unfinishedExecution, .nothingToResume, .lockStillHeld, .holderGone: .conflict
        case .approvalsNoLongerHold, .windowClosed: .refused
        case .providerUnavailable, .outcomeNotRecorded: .unavailable
        }
    }

    public var remedy: ErrorRemedy? {
        switch self {
        case .unfinishedExecution, .holderGone, .outcomeNotRecorded: .resumeApply
        case .lockStillHeld: .resumeLapsedApply
        default: nil
        }
    }
}

/// Where a change set stands in its life, from creation to a final outcome.
///
/// The raw values are the upper-case names of the design's lifecycle diagram; they are what the
/// store records and what `--json` shows, so they never change once written.
///
/// ```
/// PENDING ──▶ APPROVED ──▶ APPLYING ──▶ APPLIED
///    │            │             ├──────▶ FAILED
///    │            │             └──────▶ CANCELLED (the provider stopped on an operator's cancel)
///    ├────────────┴──▶ SUPERSEDED (a newer commit for the stack)
///    ├────────────┴──▶ CANCELLED  (an operator cancels)
///    └──▶ REJECTED                (a reviewer rejects)
/// ```
public enum ChangeSetStatus: String, Sendable, Codable, CaseIterable, Hashable {
    /// Waiting for the approvals its policy requires.
    case pending = "PENDING"
    /// Approved by enough reviewers; waiting to be applied.
    case approved = "APPROVED"
    /// An apply has started and has not reported its outcome yet.
    case applying = "APPLYING"
    /// The apply finished and the stack now has the change set's target state.
    case applied = "APPLIED"
    /// The apply finished without reaching the target state.
    case failed = "FAILED"
    /// A reviewer refused the change set.
    case rejected = "REJECTED"
    /// An operator withdrew the change set; unlike a rejection this says nothing about its content.
    case cancelled = "CANCELLED"
    /// A newer commit for the same stack replaced it; its approvals do not carry over.
    case superseded = "SUPERSEDED"

    /// The statuses this one may move to; empty for a terminal status.
    ///
    /// An approved change set may still be superseded or cancelled because nothing has touched the
    /// stack yet; once an apply has started only its outcome may follow, so that no apply is
    /// forgotten: CANCELLED then means the provider stopped short when an operator asked it to.
    public var successors: Set<ChangeSetStatus> {
        switch self {
        case .pending: return [.approved, .rejected, .cancelled, .superseded]
        case .approved: return [.applying, .cancelled, .superseded]
        case .applying: return [.applied, .failed, .cancelled]
        case .applied, .failed, .rejected, .cancelled, .superseded: return []
        }
    }

    /// Whether nothing can follow this status.
    public var isTerminal: Bool {
        successors.isEmpty
    }

    /// Whether a change set in this status may move to `next`.
    public func canTransition(to next: ChangeSetStatus) -> Bool {
        successors.contains(next)
    }

    /// Checks the move from this status to `next` for the change set `changeSetID`.
    ///
    /// - Throws: ``IllegalTransitionError`` when the lifecycle does not allow the move, so that a
    ///   caller can never change a status silently.
    public func validateTransition(to next: ChangeSetStatus, changeSetID: String) throws(IllegalTransitionError) {
        guard canTransition(to: next) else {
            throw IllegalTransitionError(changeSetID: changeSetID, from: self, to: next)
        }
    }
}

/// A change of status that the lifecycle forbids, such as applying a rejected change set.
public struct IllegalTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The change set whose status was to change.
    public let changeSetID: String
    /// The status it has.
    public let from: ChangeSetStatus
    /// The status that was asked for.
    public let to: ChangeSetStatus

    /// Creates the error for the change set `changeSetID` moving from `from` to `to`.
    public init(changeSetID: String, from: ChangeSetStatus, to: ChangeSetStatus) {
        self.changeSetID = changeSetID
        self.from = from
        self.to = to
    }

    public var description: String {
        let allowed = from.successors.map(\.rawValue).sorted()
        let hint = allowed.isEmpty
            ? "\(from.rawValue) is final"
            : "from \(from.rawValue) it can only become \(allowed.joined(separator: ", "))"
        return "Change set \(changeSetID) cannot move from \(from.rawValue) to \(to.rawValue): \(hint)."
    }
}

/// What an audit entry records, such as a change set's creation or an approval.
///
/// A struct rather than an enum because later versions add actions while old entries must still be
/// read and verified; the raw value is what the trail stores and what auditors filter on.
public struct AuditAction: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The stored name, dotted and lower-case, for example `changeset.created`.
    public let rawValue: String

    /// Creates an action from its stored name.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// A stack's recorded state was written, normally after an apply.
    public static let stateRecorded = AuditAction(rawValue: "state.recorded")
    /// A revision of `Policies/` was put in force; `details["revision"]` numbers it, and the entry
    /// names the applied policy change set (none when `tollgate init` trusted it).
    public static let policyRevisionRecorded = AuditAction(rawValue: "policy.revision_recorded")
    /// The scan of a branch moved on to a newer commit.
    public static let scanAdvanced = AuditAction(rawValue: "scan.advanced")
    /// A sync attributed commits to a stack because they changed its files.
    public static let commitsAttributed = AuditAction(rawValue: "commits.attributed")
    /// A change set was created.
    public static let changeSetCreated = AuditAction(rawValue: "changeset.created")
    /// A change set moved to another status; `details["from"]` and `details["to"]` say which.
    public static let changeSetTransitioned = AuditAction(rawValue: "changeset.transitioned")
    /// A reviewer approved a change set.
    public static let approvalRecorded = AuditAction(rawValue: "approval.recorded")
    /// A reviewer rejected a change set.
    public static let rejectionRecorded = AuditAction(rawValue: "rejection.recorded")
    /// An apply started.
    public static let executionStarted = AuditAction(rawValue: "execution.started")
    /// An apply finished, successfully or not.
    public static let executionFinished = AuditAction(rawValue: "execution.finished")
    /// An operator asked a running apply to stop.
    public static let executionCancelRequested = AuditAction(rawValue: "execution.cancel_requested")
    /// An access token was issued to a reviewer; `details` name the token id, never the token.
    public static let tokenIssued = AuditAction(rawValue: "token.issued")
    /// An access token was revoked; `details["token"]` names it.
    public static let tokenRevoked = AuditAction(rawValue: "token.revoked")
    /// An operator queued a failed notification again (`tollgate notifications retry`);
    /// `details["notification"]` names it, the entry its change set.
    public static let notificationRetried = AuditAction(rawValue: "notification.retried")
    /// The store's schema was created or migrated.
    public static let storeMigrated = AuditAction(rawValue: "store.migrated")
}

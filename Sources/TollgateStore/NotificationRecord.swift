public import Foundation
public import TollgateCore

/// One notification in the outbox: a change set's status change that the receivers named by the
/// policy in force are to be told about.
///
/// The store writes it in the transaction that records the status change, so that no change is
/// recorded without its notification, nor a notification sent for a change that never happened.
public struct NotificationRecord: Sendable, Hashable {
    /// Grows by one with every notification.
    public var id: Int64
    /// What happened.
    public var event: NotificationEvent
    /// The change set's stack (`Policies/` for a policy change set).
    public var stack: String
    /// The change set.
    public var changeSetID: String
    /// The change set's target commit.
    public var commit: String
    /// Who caused the change.
    public var actor: String
    /// The reason recorded with the change, such as a rejection's or a failure's.
    public var reason: String?
    /// When the change was recorded.
    public var createdAt: Date
    /// Where its delivery stands.
    public var state: NotificationState
    /// Delivery attempts made so far.
    public var attempts: Int
    /// When the next attempt is due, while ``state`` is ``NotificationState/queued``.
    public var nextAttemptAt: Date
    /// The receivers already told (the dispatcher's keys for them), so that a retry tells only
    /// those that did not answer.
    public var deliveredTo: [String]
    /// Why the last attempt failed, if it did.
    public var lastError: String?
    /// When it was delivered, or given up on.
    public var finishedAt: Date?

    /// Creates a record as stored.
    public init(
        id: Int64, event: NotificationEvent, stack: String, changeSetID: String, commit: String, actor: String, reason: String?,
        createdAt: Date, state: NotificationState, attempts: Int, nextAttemptAt: Date, deliveredTo: [String] = [],
        lastError: String? = nil, finishedAt: Date? = nil
    ) {
        self.id = id
        self.event = event
        self.stack = stack
        self.changeSetID = changeSetID
        self.commit = commit
        self.actor = actor
        self.reason = reason
        self.createdAt = createdAt
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.deliveredTo = deliveredTo
        self.lastError = lastError
        self.finishedAt = finishedAt
    }
}

/// Where a notification's delivery stands.
public enum NotificationState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Waiting for its first or next attempt.
    case queued
    /// Every receiver answered with success (or the policy in force named none).
    case delivered
    /// Attempts ran out; kept, and shown by `tollgate notifications list --failed`, until retried.
    case failed
}

/// What one delivery attempt came to, for ``StoreTransaction/recordNotificationAttempt(id:holder:outcome:)``.
public enum NotificationOutcome: Sendable, Hashable {
    /// Every receiver was told; `deliveredTo` lists them.
    case delivered(deliveredTo: [String])
    /// Some receiver did not answer with success: try again `retryAfterSeconds` from now.
    case retry(deliveredTo: [String], retryAfterSeconds: Int, error: String)
    /// Attempts ran out: the notification is kept as failed.
    case failed(deliveredTo: [String], error: String)
}

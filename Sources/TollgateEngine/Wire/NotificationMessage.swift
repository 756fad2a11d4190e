public import Foundation
public import TollgateCore
public import TollgateStore

/// The body posted to a receiver: Slack's incoming-webhook shape (`text` in Slack's markup), with
/// the same facts as plain fields under `tollgate` for receivers that are not Slack.
public struct NotificationMessage: Codable, Sendable, Hashable {
    /// One line in Slack's markup, with a link to the change set's page when the server knows its
    /// public URL.
    public var text: String
    /// The facts, unescaped.
    public var tollgate: Facts

    /// What the notification says, as plain fields.
    public struct Facts: Codable, Sendable, Hashable {
        /// The outbox id; a receiver can drop a repeat with it.
        public var id: Int64
        public var event: NotificationEvent
        public var stack: String
        public var changeSet: String
        /// The status the change set entered, as `tollgate status` shows it.
        public var status: ChangeSetStatus
        public var actor: String
        public var commit: String
        public var reason: String?
        /// The change set's page, when the server knows its public URL.
        public var url: String?
        public var recordedAt: Date
    }

    /// The message for `notification`; `publicURL` without a trailing slash.
    public init(_ notification: NotificationRecord, publicURL: String?) {
        let status = Self.status(of: notification.event)
        let page = publicURL.map { "\($0)/change-sets/\(notification.changeSetID)" }
        tollgate = Facts(
            id: notification.id, event: notification.event, stack: notification.stack, changeSet: notification.changeSetID,
            status: status, actor: notification.actor, commit: notification.commit, reason: notification.reason, url: page,
            recordedAt: notification.createdAt)
        let changeSet = page.map { "<\(Self.escape($0))|\(Self.escape(notification.changeSetID))>" } ?? Self.escape(notification.changeSetID)
        var line = "Change set \(changeSet) of stack *\(Self.escape(notification.stack))* is \(status.rawValue)"
        switch notification.event {
        case .pending: line += " and waits for review"
        case .approved, .rejected, .cancelled: line += " (\(Self.escape(notification.actor)))"
        case .applied, .failed: line += " (applied by \(Self.escape(notification.actor)))"
        }
        line += ", commit \(notification.commit.prefix(12))"
        if let reason = notification.reason, !reason.isEmpty { line += ": " + Self.escape(reason) }
        text = line
    }

    /// The body as sent: sorted keys, ISO 8601 times.
    public var json: [UInt8] {
        (try? Array(WireJSON.encoder().encode(self))) ?? Array(#"{"text":"tollgate notification"}"#.utf8)
    }

    /// Slack's escaping for text that came from commits and people: `&`, `<` and `>` would
    /// otherwise make links and mentions (`<!channel>`) out of a commit message or a reason.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func status(of event: NotificationEvent) -> ChangeSetStatus {
        switch event {
        case .pending: .pending
        case .approved: .approved
        case .rejected: .rejected
        case .applied: .applied
        case .failed: .failed
        case .cancelled: .cancelled
        }
    }
}

/// A notification of the outbox as `tollgate notifications list --json` shows it.
public struct NotificationJSON: Codable, Sendable, Hashable {
    public var id: Int64
    public var event: NotificationEvent
    public var stack: String
    public var changeSet: String
    public var actor: String
    public var state: NotificationState
    public var attempts: Int
    public var createdAt: Date
    /// When the next attempt is due; only while queued.
    public var nextAttemptAt: Date?
    public var finishedAt: Date?
    public var lastError: String?

    /// The wire shape of `record`.
    public init(_ record: NotificationRecord) {
        id = record.id
        event = record.event
        stack = record.stack
        changeSet = record.changeSetID
        actor = record.actor
        state = record.state
        attempts = record.attempts
        createdAt = record.createdAt
        nextAttemptAt = record.state == .queued ? record.nextAttemptAt : nil
        finishedAt = record.finishedAt
        lastError = record.lastError
    }
}

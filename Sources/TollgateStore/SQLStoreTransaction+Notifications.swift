import Foundation
import TollgateCore

/// The notification outbox: rows written with the status changes they announce, claimed by one
/// dispatcher at a time under a lease.
extension SQLStoreTransaction {
    /// Queues the notification of `changeSet` entering `status`, at `time`, in the caller's
    /// transaction; statuses nobody is told about queue nothing.
    func enqueueNotification(_ changeSet: ChangeSetRecord, status: ChangeSetStatus, actor: String, reason: String?, at time: Int64) async throws {
        guard let event = NotificationEvent(status: status) else { return }
        let id = (try await session.query("SELECT MAX(id) AS id FROM notification_outbox", []).first?.optionalInteger("id") ?? 0) + 1
        try await session.execute(
            """
            INSERT INTO notification_outbox (id, event, stack, change_set_id, commit_id, actor, reason, created_at, state, attempts,
                next_attempt_at, delivered_to)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '[]')
            """,
            [.integer(id), .text(event.rawValue), .text(changeSet.stack), .text(changeSet.id), .text(changeSet.targetCommit),
             .text(actor), SQLValue(reason), .integer(time), .text(NotificationState.queued.rawValue), .integer(time)])
    }

    func notifications(states: Set<NotificationState>, limit: Int) async throws -> [NotificationRecord] {
        var clause = ""
        var binds: [SQLValue] = []
        if !states.isEmpty {
            let names = states.map(\.rawValue).sorted()
            clause = " WHERE state IN (" + names.map { _ in "?" }.joined(separator: ", ") + ")"
            binds = names.map(SQLValue.text)
        }
        return try await session.query(
            "SELECT * FROM notification_outbox\(clause) ORDER BY id DESC LIMIT ?", binds + [.integer(Int64(limit))]
        ).map(notificationRecord)
    }

    func notificationBacklog() async throws -> Int {
        Int(try await session.query(
            "SELECT COUNT(*) AS backlog FROM notification_outbox WHERE state = ?", [.text(NotificationState.queued.rawValue)]
        ).first?.optionalInteger("backlog") ?? 0)
    }

    func nextNotificationDue() async throws -> Date? {
        try await session.query(
            "SELECT MIN(next_attempt_at) AS due FROM notification_outbox WHERE state = ?", [.text(NotificationState.queued.rawValue)]
        ).first?.optionalInteger("due").map(date)
    }

    func claimNotifications(holder: String, leaseSeconds: Int, limit: Int) async throws -> [NotificationRecord] {
        let time = now
        // Write transactions are serialised across every process sharing the store, so a row
        // whose lease is taken here cannot be taken by another dispatcher until it lapses.
        let due = try await session.query(
            """
            SELECT * FROM notification_outbox
            WHERE state = ? AND next_attempt_at <= ? AND (claim_expires_at IS NULL OR claim_expires_at <= ?)
            ORDER BY id LIMIT ?
            """,
            [.text(NotificationState.queued.rawValue), .integer(time), .integer(time), .integer(Int64(limit))]
        ).map(notificationRecord)
        for record in due {
            try await session.execute(
                "UPDATE notification_outbox SET claimed_by = ?, claim_expires_at = ? WHERE id = ?",
                [.text(holder), .integer(time + Int64(leaseSeconds) * 1000), .integer(record.id)])
        }
        return due
    }

    func recordNotificationAttempt(id: Int64, holder: String, outcome: NotificationOutcome) async throws -> Bool {
        let time = now
        let state: NotificationState
        let deliveredTo: [String]
        var next = time
        var error: String?
        var finished: Int64?
        switch outcome {
        case .delivered(let receivers):
            (state, deliveredTo, finished) = (.delivered, receivers, time)
        case .retry(let receivers, let seconds, let message):
            (state, deliveredTo, error) = (.queued, receivers, message)
            next = time + Int64(seconds) * 1000
        case .failed(let receivers, let message):
            (state, deliveredTo, error, finished) = (.failed, receivers, message, time)
        }
        let updated = try await session.query(
            """
            UPDATE notification_outbox SET state = ?, attempts = attempts + 1, next_attempt_at = ?, delivered_to = ?, last_error = ?,
                finished_at = ?, claimed_by = NULL, claim_expires_at = NULL
            WHERE id = ? AND claimed_by = ? AND state = ? RETURNING id
            """,
            [.text(state.rawValue), .integer(next), .text(try encode(deliveredTo)), SQLValue(error), SQLValue(finished),
             .integer(id), .text(holder), .text(NotificationState.queued.rawValue)])
        return !updated.isEmpty
    }

    func retryNotification(id: Int64, actor: String) async throws -> NotificationRecord {
        let time = now
        let updated = try await session.query(
            """
            UPDATE notification_outbox SET state = ?, attempts = 0, next_attempt_at = ?, finished_at = NULL, claimed_by = NULL,
                claim_expires_at = NULL
            WHERE id = ? AND state = ? RETURNING *
            """,
            [.text(NotificationState.queued.rawValue), .integer(time), .integer(id), .text(NotificationState.failed.rawValue)])
        if let row = updated.first {
            let record = try notificationRecord(row)
            var details = ["notification": String(id), "event": record.event.rawValue]
            if let error = record.lastError { details["last_error"] = error }
            _ = try await appendAudit(
                AuditEvent(
                    actor: actor, action: .notificationRetried, stack: record.stack, changeSetID: record.changeSetID,
                    commit: record.commit, details: details))
            return record
        }
        guard let row = try await session.query("SELECT * FROM notification_outbox WHERE id = ?", [.integer(id)]).first else {
            throw StoreError.unknownNotification(id)
        }
        throw StoreError.notificationNotFailed(id: id, state: try notificationRecord(row).state)
    }

    func deleteDeliveredNotifications(olderThanSeconds seconds: Int) async throws -> Int {
        // A retention too long for milliseconds reaches back before any time: nothing is old enough.
        let (span, overflow) = Int64(seconds).multipliedReportingOverflow(by: 1000)
        let cutoff = overflow ? Int64.min : now.subtractingReportingOverflow(span).overflow ? Int64.min : now - span
        return try await session.query(
            "DELETE FROM notification_outbox WHERE state = ? AND finished_at <= ? RETURNING id",
            [.text(NotificationState.delivered.rawValue), .integer(cutoff)]
        ).count
    }

    private func notificationRecord(_ row: SQLRow) throws -> NotificationRecord {
        let id = try row.integer("id")
        guard let event = NotificationEvent(rawValue: try row.text("event")) else {
            throw StoreError.corruptRecord(location: session.location, what: "event of notification \(id)")
        }
        guard let state = NotificationState(rawValue: try row.text("state")) else {
            throw StoreError.corruptRecord(location: session.location, what: "state of notification \(id)")
        }
        return NotificationRecord(
            id: id, event: event, stack: try row.text("stack"), changeSetID: try row.text("change_set_id"),
            commit: try row.text("commit_id"), actor: try row.text("actor"), reason: try row.optionalText("reason"),
            createdAt: date(try row.integer("created_at")), state: state, attempts: Int(try row.integer("attempts")),
            nextAttemptAt: date(try row.integer("next_attempt_at")),
            deliveredTo: try decode([String].self, try row.text("delivered_to"), what: "receivers of notification \(id)"),
            lastError: try row.optionalText("last_error"), finishedAt: try row.optionalInteger("finished_at").map(date))
    }
}

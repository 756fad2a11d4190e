import Foundation
import Testing
import TollgateCore
import TollgateStore
import TollgateTestSupport

/// The outbox is written by the store itself, with the status change it announces.
@Suite("Notification outbox in the store")
struct NotificationOutboxStoreTests {
    @Test("creating, approving and applying a change set queues one notification each, in order; superseding queues none",
          arguments: StoreKind.allCases)
    func writtenWithTransitions(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let first = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(commit: "c1"), actor: "tollgate") }.changeSet
        _ = try await store.transaction { try await $0.transition(changeSetID: first.id, to: .approved, actor: "amara", reason: nil) }
        // A newer commit supersedes the approved one: nobody is told about SUPERSEDED, only about the new PENDING.
        let second = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(commit: "c2"), actor: "tollgate") }.changeSet
        _ = try await store.transaction { try await $0.transition(changeSetID: second.id, to: .rejected, actor: "bastien", reason: "not <now>") }

        let listed = try await store.notifications(states: [], limit: 10)
        #expect(listed.map(\.event) == [.rejected, .pending, .approved, .pending])
        #expect(listed.map(\.changeSetID) == [second.id, second.id, first.id, first.id])
        #expect(listed.first?.actor == "bastien")
        #expect(listed.first?.reason == "not <now>")
        #expect(listed.first?.commit == "c2")
        #expect(listed.allSatisfy { $0.state == .queued && $0.attempts == 0 })
        #expect(try await store.notificationBacklog() == 4)
        if case .tampered(let defect, _) = try await store.verifyAuditTrail() {
            Issue.record("the trail does not verify: \(defect)")
        }
        try await fixture.close()
    }

    @Test("a transition that fails queues nothing", arguments: StoreKind.allCases)
    func failedTransitionQueuesNothing(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let record = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(), actor: "tollgate") }.changeSet
        await #expect(throws: StoreError.self) {
            try await store.transaction { tx in
                _ = try await tx.transition(changeSetID: record.id, to: .approved, actor: "amara", reason: nil)
                // The lifecycle forbids this; the whole transaction, approval and its notification, rolls back.
                _ = try await tx.transition(changeSetID: record.id, to: .applied, actor: "amara", reason: nil)
            }
        }
        #expect(try await store.changeSet(id: record.id).status == .pending)
        #expect(try await store.notifications(states: [], limit: 10).map(\.event) == [.pending])
        try await fixture.close()
    }

    @Test("a claimed notification is leased to one holder until its lease lapses; its outcome is recorded only by that holder",
          arguments: StoreKind.allCases)
    func claimsAreLeases(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        _ = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(), actor: "tollgate") }
        let other = try await fixture.openAnother()

        let mine = try await store.transaction { try await $0.claimNotifications(holder: "a", leaseSeconds: 60, limit: 10) }
        #expect(mine.count == 1)
        #expect(try await other.transaction { try await $0.claimNotifications(holder: "b", leaseSeconds: 60, limit: 10) }.isEmpty)
        fixture.clock.advance(by: 120)
        let taken = try await other.transaction { try await $0.claimNotifications(holder: "b", leaseSeconds: 60, limit: 10) }
        #expect(taken.map(\.id) == mine.map(\.id))
        let id = try #require(mine.first?.id)
        // The first holder's lease lapsed: what it found out is not recorded over the second's claim.
        #expect(try await store.transaction {
            try await $0.recordNotificationAttempt(id: id, holder: "a", outcome: .delivered(deliveredTo: []))
        } == false)
        #expect(try await other.transaction {
            try await $0.recordNotificationAttempt(id: id, holder: "b", outcome: .retry(deliveredTo: ["k1"], retryAfterSeconds: 30, error: "HTTP 500"))
        })
        let retried = try #require(try await store.notifications(states: [.queued], limit: 1).first)
        #expect(retried.attempts == 1)
        #expect(retried.deliveredTo == ["k1"])
        #expect(retried.lastError == "HTTP 500")
        #expect(try await store.transaction { try await $0.claimNotifications(holder: "a", leaseSeconds: 60, limit: 10) }.isEmpty,
                "not due before its backoff has passed")
        fixture.clock.advance(by: 31)
        #expect(try await store.transaction { try await $0.claimNotifications(holder: "a", leaseSeconds: 60, limit: 10) }.count == 1)
        try await other.close()
        try await fixture.close()
    }

    @Test("a notification whose attempts ran out is kept as failed and can be queued again", arguments: StoreKind.allCases)
    func failedAndRetried(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        _ = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(), actor: "tollgate") }
        let claimed = try await store.transaction { try await $0.claimNotifications(holder: "a", leaseSeconds: 60, limit: 10) }
        let id = try #require(claimed.first?.id)
        _ = try await store.transaction {
            try await $0.recordNotificationAttempt(id: id, holder: "a", outcome: .failed(deliveredTo: [], error: "gave up"))
        }
        let failed = try await store.notifications(states: [.failed], limit: 10)
        #expect(failed.map(\.id) == [id])
        #expect(failed.first?.finishedAt != nil)
        #expect(try await store.notificationBacklog() == 0)
        await #expect(throws: StoreError.notificationNotFailed(id: id + 1, state: .queued)) {
            _ = try await store.transaction { tx in
                _ = try await tx.createChangeSet(sampleChangeSet(stack: "other"), actor: "tollgate")
                return try await tx.retryNotification(id: id + 1, actor: "ops")
            }
        }
        await #expect(throws: StoreError.unknownNotification(999)) {
            try await store.transaction { try await $0.retryNotification(id: 999, actor: "ops") }
        }
        let retriedEntries = { try await store.auditEntries(AuditFilter()).filter { $0.action == .notificationRetried } }
        #expect(try await retriedEntries().isEmpty, "a refused retry audits nothing")
        let again = try await store.transaction { try await $0.retryNotification(id: id, actor: "ops") }
        #expect(again.state == .queued)
        #expect(again.attempts == 0)
        #expect(try await store.notificationBacklog() == 1)

        let entry = try #require(try await retriedEntries().first)
        #expect(try await retriedEntries().count == 1)
        #expect(entry.actor == "ops")
        #expect(entry.details["notification"] == String(id))
        #expect(entry.details["event"] == "pending")
        #expect(entry.details["last_error"] == "gave up")
        #expect(entry.changeSetID == again.changeSetID)
        #expect(entry.stack == "network")
        let (chain, tables) = try await store.verifyAuditTrailAndTables()
        guard case .intact = chain else {
            Issue.record("the trail does not verify after a retry: \(chain)")
            return
        }
        #expect(tables == nil, "\(String(describing: tables))")
        try await fixture.close()
    }

    @Test("a retry whose transaction rolls back leaves neither the retry nor its audit entry", arguments: StoreKind.allCases)
    func retryAndAuditTogether(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        _ = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(), actor: "tollgate") }
        let id = try #require(try await store.transaction { try await $0.claimNotifications(holder: "a", leaseSeconds: 60, limit: 10) }.first?.id)
        _ = try await store.transaction {
            try await $0.recordNotificationAttempt(id: id, holder: "a", outcome: .failed(deliveredTo: [], error: "gave up"))
        }
        let entriesBefore = try await store.auditEntries(AuditFilter()).count
        await #expect(throws: StoreError.unknownNotification(999)) {
            try await store.transaction { tx in
                _ = try await tx.retryNotification(id: id, actor: "ops")
                return try await tx.retryNotification(id: 999, actor: "ops")
            }
        }
        #expect(try await store.notifications(states: [.failed], limit: 10).map(\.id) == [id])
        #expect(try await store.auditEntries(AuditFilter()).count == entriesBefore)
        try await fixture.close()
    }

    @Test("retention deletes only delivered notifications older than the limit; queued and failed ones stay whatever their age",
          arguments: StoreKind.allCases)
    func retentionDeletesOnlyOldDelivered(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let day = 86_400
        let first = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(commit: "c1"), actor: "tollgate") }.changeSet
        _ = try await store.transaction { try await $0.transition(changeSetID: first.id, to: .approved, actor: "amara", reason: nil) }
        _ = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(stack: "other"), actor: "tollgate") }
        let claimed = try await store.transaction { try await $0.claimNotifications(holder: "a", leaseSeconds: 60, limit: 10) }.map(\.id)
        #expect(claimed.count == 3)
        let (oldDelivered, oldFailed, oldQueued) = (claimed[0], claimed[1], claimed[2])
        _ = try await store.transaction { tx in
            _ = try await tx.recordNotificationAttempt(id: oldDelivered, holder: "a", outcome: .delivered(deliveredTo: ["k1"]))
            _ = try await tx.recordNotificationAttempt(id: oldFailed, holder: "a", outcome: .failed(deliveredTo: [], error: "gave up"))
            // Still queued long after: its next attempt is due in 100 days.
            _ = try await tx.recordNotificationAttempt(
                id: oldQueued, holder: "a", outcome: .retry(deliveredTo: [], retryAfterSeconds: 100 * day, error: "HTTP 503"))
        }
        fixture.clock.advance(by: TimeInterval(10 * day))
        _ = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(stack: "third"), actor: "tollgate") }
        let recent = try #require(try await store.transaction { try await $0.claimNotifications(holder: "a", leaseSeconds: 60, limit: 10) }.first?.id)
        _ = try await store.transaction {
            try await $0.recordNotificationAttempt(id: recent, holder: "a", outcome: .delivered(deliveredTo: []))
        }
        let never = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(stack: "fourth"), actor: "tollgate") }
        #expect(never.changeSet.status == .pending)

        fixture.clock.advance(by: TimeInterval(25 * day))
        let remaining = { Set(try await store.notifications(states: [], limit: 100).map(\.id)) }
        let all = try await remaining()
        #expect(all.count == 5)
        #expect(try await store.transaction { try await $0.deleteDeliveredNotifications(olderThanSeconds: .max) } == 0, "a retention past any time deletes nothing, and does not trap")
        #expect(try await store.transaction { try await $0.deleteDeliveredNotifications(olderThanSeconds: 30 * day) } == 1)
        #expect(try await remaining() == all.subtracting([oldDelivered]))

        fixture.clock.advance(by: TimeInterval(6 * day))
        #expect(try await store.transaction { try await $0.deleteDeliveredNotifications(olderThanSeconds: 30 * day) } == 1)
        #expect(try await remaining() == all.subtracting([oldDelivered, recent]))
        #expect(try await store.notifications(states: [.failed], limit: 10).map(\.id) == [oldFailed])
        #expect(try await store.notificationBacklog() == 2, "the old queued one and the one never attempted")
        fixture.clock.advance(by: TimeInterval(1_000 * day))
        #expect(try await store.transaction { try await $0.deleteDeliveredNotifications(olderThanSeconds: 30 * day) } == 0)
        #expect(try await remaining().count == 3)
        try await fixture.close()
    }
}

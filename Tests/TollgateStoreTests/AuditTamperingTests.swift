import Foundation
import Testing
import TollgateCore
@testable import TollgateStore

/// Someone with write access to the database changes the trail; verification must name the place.
@Suite("Audit trail tampering")
struct AuditTamperingTests {
    enum Tampering: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case edit, delete, swap, insert, truncate

        var testDescription: String { rawValue }
    }

    /// A store whose trail has ten entries: the migration and nine events.
    static func storeWithTrail(_ kind: StoreKind) async throws -> StoreFixture {
        let fixture = try await StoreFixture.make(kind)
        for index in 1...9 {
            _ = try await fixture.store.transaction { transaction in
                try await transaction.appendAudit(AuditEvent(
                    actor: "alice", action: .scanAdvanced, stack: "network", commit: "c\(index)",
                    details: ["index": String(index)]))
            }
        }
        return fixture
    }

    @Test("every kind of tampering is found at its first bad sequence number", arguments: StoreKind.allCases, Tampering.allCases)
    func tampering(kind: StoreKind, tampering: Tampering) async throws {
        let fixture = try await Self.storeWithTrail(kind)
        let store = fixture.store
        let original = try await store.auditEntries(AuditFilter())
        let head = try #require(original.last).hash
        #expect(try await store.verifyAuditTrail(expectedHead: head) == .intact(count: 10, head: head))

        let expected: AuditDefect
        switch tampering {
        case .edit:
            try await fixture.tamper("UPDATE audit_entries SET actor = 'mallory' WHERE sequence = 5")
            expected = AuditDefect(sequence: 5, kind: .contentMismatch)
        case .delete:
            try await fixture.tamper("DELETE FROM audit_entries WHERE sequence = 5")
            expected = AuditDefect(sequence: 5, kind: .missing(next: 6))
        case .swap:
            try await fixture.tamper("UPDATE audit_entries SET sequence = -3 WHERE sequence = 3")
            try await fixture.tamper("UPDATE audit_entries SET sequence = 3 WHERE sequence = 4")
            try await fixture.tamper("UPDATE audit_entries SET sequence = 4 WHERE sequence = -3")
            expected = AuditDefect(sequence: 3, kind: .brokenLink)
        case .insert:
            // A careful forger: the new entry links to entry 4 and carries a correct hash, and the
            // later entries are renumbered to make room.
            let forged = AuditEntry(
                sequence: 5, time: original[3].time, event: AuditEvent(actor: "mallory", action: .approvalRecorded),
                previousHash: original[3].hash)
            try await fixture.tamper("UPDATE audit_entries SET sequence = sequence + 100 WHERE sequence >= 5")
            try await fixture.tamper("UPDATE audit_entries SET sequence = sequence - 99 WHERE sequence >= 105")
            try await fixture.tamper("""
                INSERT INTO audit_entries (sequence, recorded_at, actor, action, details, previous_hash, hash)
                VALUES (5, \(forged.epochMilliseconds), 'mallory', '\(forged.action.rawValue)', '{}',
                        '\(forged.previousHash)', '\(forged.hash)')
                """)
            expected = AuditDefect(sequence: 6, kind: .brokenLink)
        case .truncate:
            try await fixture.tamper("DELETE FROM audit_entries WHERE sequence > 7")
            // Without the exported head a cut tail looks like a shorter, intact trail.
            #expect(try await store.verifyAuditTrail() == .intact(count: 7, head: original[6].hash))
            expected = AuditDefect(sequence: 8, kind: .headNotFound(head))
        }
        let verdict = try await store.verifyAuditTrail(expectedHead: head)
        guard case .tampered(let defect, _) = verdict else {
            Issue.record("\(tampering.rawValue) was not detected: \(verdict)")
            return
        }
        #expect(defect == expected)
        // One read of the trail for both checks gives the same verdict and checks no table.
        let (combined, tables) = try await store.verifyAuditTrailAndTables(expectedHead: head)
        #expect(combined == verdict)
        #expect(tables == nil)
        try await fixture.close()
    }

    @Test("a trail longer than one page verifies across the page boundary", arguments: StoreKind.allCases)
    func paging(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        try await store.transaction { transaction in
            // One page and a bit: the checks below must carry the chain across the page boundary.
            for index in 0..<(auditPageSize + 50) {
                _ = try await transaction.appendAudit(AuditEvent(actor: "bench", action: .scanAdvanced, commit: "c\(index)"))
            }
        }
        let head = try #require(try await store.auditHead())
        #expect(head.sequence == Int64(auditPageSize + 51))
        #expect(try await store.verifyAuditTrail(expectedHead: head.hash) == .intact(count: auditPageSize + 51, head: head.hash))
        try await fixture.tamper("UPDATE audit_entries SET commit_id = 'c9' WHERE sequence = \(auditPageSize + 50)")
        #expect(try await store.verifyAuditTrail()
            == .tampered(AuditDefect(sequence: Int64(auditPageSize + 50), kind: .contentMismatch), verifiedCount: auditPageSize + 49))
        try await fixture.close()
    }
}

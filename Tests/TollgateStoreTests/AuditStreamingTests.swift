import Foundation
import Testing
import TollgateCore
@testable import TollgateStore

/// Verification streams the trail page by page and reads details in the store's own shape as text;
/// the verdicts must be those of reading every entry into a dictionary.
@Suite("Audit verification streams the trail")
struct AuditStreamingTests {
    @Test("details rewritten as equivalent JSON keep the trail intact; a changed value is found at its entry", arguments: StoreKind.allCases)
    func equivalentDetails(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        for index in 1...4 {
            _ = try await store.transaction { transaction in
                try await transaction.appendAudit(AuditEvent(
                    actor: "alice", action: .scanAdvanced, commit: "c\(index)", details: ["a": "\(index)", "branch": "main"]))
            }
        }
        let head = try #require(try await store.auditHead()).hash
        // Spaces, keys out of order and an escaped character: the same details, read three ways.
        try await fixture.tamper(#"UPDATE audit_entries SET details = ' { "a" : "1" , "branch" : "main" } ' WHERE sequence = 2"#)
        try await fixture.tamper(#"UPDATE audit_entries SET details = '{"branch":"main","a":"2"}' WHERE sequence = 3"#)
        try await fixture.tamper(#"UPDATE audit_entries SET details = '{"a":"\u0033","branch":"main"}' WHERE sequence = 4"#)
        #expect(try await store.verifyAuditTrail(expectedHead: head) == .intact(count: 5, head: head))
        #expect(try await store.verifyAuditTrailAndTables(expectedHead: head).0 == .intact(count: 5, head: head))

        try await fixture.tamper(#"UPDATE audit_entries SET details = '{"a":"9","branch":"main"}' WHERE sequence = 5"#)
        let defect = AuditDefect(sequence: 5, kind: .contentMismatch)
        #expect(try await store.verifyAuditTrail(expectedHead: head) == .tampered(defect, verifiedCount: 4))
        #expect(try await store.verifyAuditTrailAndTables(expectedHead: head).0 == .tampered(defect, verifiedCount: 4))
        try await fixture.close()
    }

    @Test("a trail of several pages is verified whole, and an edit on a later page is found", arguments: StoreKind.allCases)
    func severalPages(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let count = auditPageSize * 2 + 7
        _ = try await store.transaction { transaction in
            for index in 1..<count {
                _ = try await transaction.appendAudit(AuditEvent(
                    actor: "tollgate", action: .scanAdvanced, commit: "c\(index)", details: ["branch": "main", "index": "\(index)"]))
            }
        }
        let head = try #require(try await store.auditHead()).hash
        #expect(try await store.verifyAuditTrail(expectedHead: head) == .intact(count: count, head: head))
        let (verification, tables) = try await store.verifyAuditTrailAndTables(expectedHead: head)
        #expect(verification == .intact(count: count, head: head))
        // The scan cursor the trail implies is missing: the table check ran over every page.
        #expect(tables?.table == "scan_cursors")
        #expect(tables?.sequence == Int64(count))

        let edited = Int64(auditPageSize * 2 + 3)
        try await fixture.tamper("UPDATE audit_entries SET actor = 'mallory' WHERE sequence = \(edited)")
        let defect = AuditDefect(sequence: edited, kind: .contentMismatch)
        #expect(try await store.verifyAuditTrail(expectedHead: head) == .tampered(defect, verifiedCount: Int(edited) - 1))
        #expect(try await store.verifyAuditTrailAndTables(expectedHead: head) == (.tampered(defect, verifiedCount: Int(edited) - 1), nil))
        try await fixture.close()
    }

    /// A row that cannot be read (a time written as text: SQLite keeps what it is given, which
    /// PostgreSQL's typed columns refuse) stops the check with an error only when no entry before
    /// it broke the chain, on the same page as the row or on an earlier one (pages of three
    /// entries stand for a long trail's pages).
    @Test("a row that cannot be read is reported after the entries before it were checked", arguments: [nil, 5, 7] as [Int64?])
    func unreadableRow(edited: Int64?) async throws {
        let fixture = try await StoreFixture.make(.sqlite)
        let store = fixture.store
        for index in 1...9 {
            _ = try await store.transaction { transaction in
                try await transaction.appendAudit(AuditEvent(actor: "alice", action: .scanAdvanced, commit: "c\(index)"))
            }
        }
        try await fixture.tamper("UPDATE audit_entries SET recorded_at = 'noon' WHERE sequence = 8")
        if let edited { try await fixture.tamper("UPDATE audit_entries SET actor = 'mallory' WHERE sequence = \(edited)") }
        let memory = AuditCheckMemory(rows: 50_000, pageSize: 3)
        let defect = edited.map { AuditDefect(sequence: $0, kind: .contentMismatch) }
        do {
            let chain = try await store.verifyAuditTrail(expectedHead: nil, memory: memory)
            #expect(defect.map { .tampered($0, verifiedCount: Int($0.sequence) - 1) } == chain)
        } catch StoreError.corruptRecord(_, let what) {
            #expect(defect == nil, "the edit before the unreadable row went unreported")
            #expect(what == "value in column recorded_at of audit entry 8")
        }
        // Both checks: the table check, which reads the trail beside the chain check, meets the
        // unreadable row too; the broken chain is still the verdict.
        do {
            let (chain, tables) = try await store.verifyAuditTrailAndTables(expectedHead: nil, memory: memory)
            #expect(defect.map { .tampered($0, verifiedCount: Int($0.sequence) - 1) } == chain)
            #expect(tables == nil)
        } catch StoreError.corruptRecord(_, let what) {
            #expect(defect == nil, "the edit before the unreadable row went unreported")
            #expect(what == "value in column recorded_at of audit entry 8")
        }
        try await fixture.close()
    }

    @Test("a change set's commit list reads as JSONDecoder reads it", arguments: [
        "[]", #"["a"]"#, #"["a","b"]"#, #"["a",]"#, #"["a" ,"b"]"#, #"["a\"b"]"#, "[1]", #"["a","b""#, "x", #"[""]"#,
        #"["a","","b"]"#, #"[,"a"]"#, "[", "{}",
    ])
    func commitList(text: String) {
        let decoder = JSONDecoder()
        let expected = (try? decoder.decode([String].self, from: Data(text.utf8)))?.joined(separator: " ")
        #expect(SQLStoreTransaction.joinedCommits(text, decoder: decoder) == expected)
    }
}

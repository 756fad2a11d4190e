import Foundation
import Testing
import TollgateCore
@testable import TollgateStore

/// The audit trail is the record: an edit of any table it governs is found by replaying it, and
/// reading a tampered change set is refused.
@Suite("Table tampering")
struct TableTamperingTests {
    enum Tampering: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case approveStatus, rewriteBody, deleteApproval, emptyCommits, moveCursor, reopenCancelled, editState, forgeExecution, dropAttribution,
            swapPolicy, dropPolicyRevision

        var testDescription: String { rawValue }
    }

    /// A store with one pending change set with a verdict, one cancelled, a state, a cursor,
    /// attributed commits and a finished execution.
    static func populated(_ kind: StoreKind) async throws -> (StoreFixture, pending: String, cancelled: String) {
        let fixture = try await StoreFixture.make(kind)
        let pending = sampleChangeSet(stack: "network", commit: "c0ffee1")
        let cancelled = sampleChangeSet(stack: "storage", commit: "c0ffee2")
        let applied = sampleChangeSet(stack: "queue", commit: "c0ffee3")
        try await fixture.store.transaction { tx in
            try await tx.attributeCommits([StackCommit(commit: "a11ce00"), StackCommit(commit: "c0ffee1", mergedBy: "beef")], stack: "network", actor: "tollgate")
            _ = try await tx.createChangeSet(pending, actor: "tollgate")
            _ = try await tx.createChangeSet(cancelled, actor: "tollgate")
            _ = try await tx.createChangeSet(applied, actor: "tollgate")
            _ = try await tx.recordVerdict(ApprovalRecord(
                changeSetID: pending.id, reviewer: "bob", verdict: .approve, digest: pending.digest, signature: "-----BEGIN SSH SIGNATURE-----"))
            _ = try await tx.transition(changeSetID: cancelled.id, to: .cancelled, actor: "alice", reason: "not now")
            _ = try await tx.transition(changeSetID: applied.id, to: .approved, actor: "bob", reason: nil)
            _ = try await tx.startExecution(id: "ex-00000001", changeSetID: applied.id, actor: "tollgate")
            _ = try await tx.finishExecution(id: "ex-00000001", result: .succeeded, providerOutput: nil, actor: "tollgate")
            _ = try await tx.recordStackState(stack: "queue", template: "Resources: {}", parameters: ["A": "1"], tags: [:], commit: "c0ffee3", actor: "tollgate")
            try await tx.setScanCursor(branch: "main", commit: "c0ffee3", actor: "tollgate")
            _ = try await tx.recordPolicyRevision(commit: "b0a4d01", changeSetID: nil, actor: "admin")
            _ = try await tx.recordPolicyRevision(commit: "b0a4d02", changeSetID: "cs-0000beef", actor: "bob")
        }
        return (fixture, pending.id, cancelled.id)
    }

    @Test("an untouched store agrees with its trail", arguments: StoreKind.allCases)
    func untouched(kind: StoreKind) async throws {
        let (fixture, pending, _) = try await Self.populated(kind)
        #expect(try await fixture.store.verifyTables() == nil)
        let (chain, tables) = try await fixture.store.verifyAuditTrailAndTables()
        #expect(chain.isIntact)
        #expect(tables == nil)
        #expect(try await fixture.store.verifyTables(memory: .writtenOut) == nil)
        #expect(try await fixture.store.verifyAuditTrailAndTables(expectedHead: nil, memory: .writtenOut).1 == nil)
        #expect(try await fixture.store.checkedChangeSet(id: pending).id == pending)
        try await fixture.close()
    }

    @Test("each table edit is named with the entry it contradicts", arguments: StoreKind.allCases, Tampering.allCases)
    func edit(kind: StoreKind, tampering: Tampering) async throws {
        let (fixture, pending, cancelled) = try await Self.populated(kind)
        let expected: (table: String, row: String, refused: String?)
        switch tampering {
        case .approveStatus:
            try await fixture.tamper("UPDATE change_sets SET status = 'APPROVED' WHERE id = '\(pending)'")
            expected = ("change_sets", pending, pending)
        case .rewriteBody:
            try await fixture.tamper("UPDATE change_sets SET body = '{\"Changes\":[]}' WHERE id = '\(pending)'")
            expected = ("change_sets", pending, pending)
        case .deleteApproval:
            try await fixture.tamper("DELETE FROM approvals WHERE change_set_id = '\(pending)'")
            expected = ("approvals", "\(pending)/bob", pending)
        case .emptyCommits:
            try await fixture.tamper("UPDATE change_sets SET commits = '[]' WHERE id = '\(pending)'")
            expected = ("change_sets", pending, pending)
        case .moveCursor:
            try await fixture.tamper("UPDATE scan_cursors SET commit_id = 'f00d' WHERE branch = 'main'")
            expected = ("scan_cursors", "main", nil)
        case .reopenCancelled:
            try await fixture.tamper("UPDATE change_sets SET status = 'PENDING' WHERE id = '\(cancelled)'")
            expected = ("change_sets", cancelled, cancelled)
        case .editState:
            try await fixture.tamper("UPDATE stack_states SET parameters = '{\"A\":\"2\"}' WHERE stack = 'queue'")
            expected = ("stack_states", "queue", nil)
        case .forgeExecution:
            try await fixture.tamper("UPDATE executions SET result = 'FAILED' WHERE id = 'ex-00000001'")
            expected = ("executions", "ex-00000001", nil)
        case .swapPolicy:
            try await fixture.tamper("UPDATE policy_revisions SET commit_id = 'ba5eba11' WHERE revision = 2")
            expected = ("policy_revisions", "2", nil)
        case .dropPolicyRevision:
            try await fixture.tamper("DELETE FROM policy_revisions WHERE revision = 2")
            expected = ("policy_revisions", "2", nil)
        case .dropAttribution:
            try await fixture.tamper("DELETE FROM stack_commits WHERE commit_id = 'a11ce00'")
            expected = ("stack_commits", "network a11ce00", nil)
        }
        #expect(try await fixture.store.verifyAuditTrail().isIntact)
        let found = try #require(try await fixture.store.verifyTables(), "\(tampering) went unnoticed")
        #expect(found.table == expected.table, "\(found)")
        #expect(found.row == expected.row, "\(found)")
        // One read of the trail for both checks finds the same row.
        let (chain, tables) = try await fixture.store.verifyAuditTrailAndTables()
        #expect(chain.isIntact)
        #expect(tables == found)
        // A summary written out after every entry, in partitions, finds the same row.
        #expect(try await fixture.store.verifyTables(memory: .writtenOut) == found)
        #expect(try await fixture.store.verifyAuditTrailAndTables(expectedHead: nil, memory: .writtenOut).1 == found)
        if let refused = expected.refused {
            await #expect(throws: StoreError.self) { _ = try await fixture.store.checkedChangeSet(id: refused) }
        }
        try await fixture.close()
    }
}

/// Each disagreement says what the row holds and what the trail says, and names the entry: the
/// check keeps only fingerprints of most rows, and must still name the field and value that differ.
@Suite("Table disagreements named")
struct TableDisagreementTextTests {
    enum Edit: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case targetCommit, statusReason, digest, approvalReason, approvalSignature, missingChangeSet, missingVerdict, missingAttribution,
            missingExecution

        var testDescription: String { rawValue }
    }

    @Test("the problem names the field, the stored value and the recorded one", arguments: StoreKind.allCases, Edit.allCases)
    func named(kind: StoreKind, edit: Edit) async throws {
        let (fixture, pending, cancelled) = try await TableTamperingTests.populated(kind)
        let entries = try await fixture.store.auditEntries(AuditFilter())
        func sequence(_ action: AuditAction, _ changeSet: String? = nil) -> Int64? {
            entries.last { $0.action == action && (changeSet == nil || $0.changeSetID == changeSet) }?.sequence
        }
        let expected: TableDisagreement
        switch edit {
        case .targetCommit:
            try await fixture.tamper("UPDATE change_sets SET target_commit = 'badc0de' WHERE id = '\(pending)'")
            expected = TableDisagreement(
                table: "change_sets", row: pending, problem: "target commit is badc0de, the trail says c0ffee1",
                sequence: sequence(.changeSetCreated, pending))
        case .statusReason:
            try await fixture.tamper("UPDATE change_sets SET status_reason = 'later' WHERE id = '\(cancelled)'")
            expected = TableDisagreement(
                table: "change_sets", row: cancelled, problem: "status reason is later, the trail says not now",
                sequence: sequence(.changeSetTransitioned, cancelled))
        case .digest:
            try await fixture.tamper("UPDATE change_sets SET digest = 'sha256:other' WHERE id = '\(pending)'")
            expected = TableDisagreement(
                table: "change_sets", row: pending, problem: "digest is sha256:other, the trail says sha256:network-c0ffee1-0",
                sequence: sequence(.changeSetCreated, pending))
        case .approvalReason:
            try await fixture.tamper("UPDATE approvals SET reason = 'because' WHERE change_set_id = '\(pending)'")
            expected = TableDisagreement(
                table: "approvals", row: "\(pending)/bob", problem: "reason differs from the one recorded",
                sequence: sequence(.approvalRecorded, pending))
        case .approvalSignature:
            try await fixture.tamper("UPDATE approvals SET signature = NULL WHERE change_set_id = '\(pending)'")
            expected = TableDisagreement(
                table: "approvals", row: "\(pending)/bob", problem: "signature differs from the one recorded",
                sequence: sequence(.approvalRecorded, pending))
        case .missingChangeSet:
            try await fixture.tamper("DELETE FROM change_sets WHERE id = '\(cancelled)'")
            expected = TableDisagreement(
                table: "change_sets", row: cancelled, problem: "the row is missing", sequence: sequence(.changeSetTransitioned, cancelled))
        case .missingVerdict:
            try await fixture.tamper("DELETE FROM approvals WHERE change_set_id = '\(pending)'")
            expected = TableDisagreement(
                table: "approvals", row: "\(pending)/bob", problem: "the row is missing", sequence: sequence(.approvalRecorded, pending))
        case .missingAttribution:
            try await fixture.tamper("DELETE FROM stack_commits WHERE commit_id = 'c0ffee1'")
            expected = TableDisagreement(
                table: "stack_commits", row: "network c0ffee1", problem: "the row is missing", sequence: sequence(.commitsAttributed))
        case .missingExecution:
            try await fixture.tamper("DELETE FROM executions WHERE id = 'ex-00000001'")
            expected = TableDisagreement(
                table: "executions", row: "ex-00000001", problem: "the row is missing", sequence: sequence(.executionFinished))
        }
        #expect(expected.sequence != nil)
        #expect(try await fixture.store.verifyTables() == expected)
        #expect(try await fixture.store.verifyAuditTrailAndTables().1 == expected)
        #expect(try await fixture.store.verifyTables(memory: .writtenOut) == expected)
        try await fixture.close()
    }
}

/// The policy in force has its own table; stores that kept it as the pseudo-stack `Policies/`
/// move it there when they migrate.
@Suite("Policy revisions")
struct PolicyRevisionTests {
    @Test("revisions are numbered, name the change set that applied them, and the newest is in force", arguments: StoreKind.allCases)
    func revisions(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        #expect(try await fixture.store.policyInForce() == nil)
        try await fixture.store.transaction { tx in
            _ = try await tx.recordPolicyRevision(commit: "b0a4d01", changeSetID: nil, actor: "admin")
            _ = try await tx.recordPolicyRevision(commit: "b0a4d02", changeSetID: "cs-0000beef", actor: "bob")
        }
        let inForce = try #require(try await fixture.store.policyInForce())
        #expect(inForce.revision == 2)
        #expect(inForce.commit == "b0a4d02")
        #expect(inForce.changeSetID == "cs-0000beef")
        #expect(inForce.actor == "bob")
        #expect(try await fixture.store.policyRevisions().map(\.revision) == [2, 1])
        #expect(try await fixture.store.stackStates().isEmpty, "the policy is not a stack state")
        let entries = try await fixture.store.auditEntries(AuditFilter()).filter { $0.action == .policyRevisionRecorded }
        #expect(entries.map { $0.details["revision"] } == ["1", "2"])
        #expect(entries.last?.changeSetID == "cs-0000beef")
        #expect(try await fixture.store.verifyTables() == nil)
        try await fixture.close()
    }

    @Test("a store that kept the policy as the pseudo-stack Policies/ moves it to its own table", arguments: StoreKind.allCases)
    func migration(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await fixture.store.transaction { tx in
            _ = try await tx.recordStackState(stack: "Policies/", template: "", parameters: [:], tags: [:], commit: "b0a4d01", actor: "admin")
            _ = try await tx.recordStackState(stack: "Policies/", template: "", parameters: [:], tags: [:], commit: "b0a4d02", actor: "carol")
            _ = try await tx.recordStackState(stack: "queue", template: "Resources: {}", parameters: [:], tags: [:], commit: "c0ffee3", actor: "tollgate")
        }
        // Back to schema 2, as a store written before policy revisions had a table.
        try await fixture.tamper("DROP TABLE policy_revisions")
        try await fixture.tamper("DROP TABLE stack_locks")
        for column in ["stack_states DROP COLUMN outputs", "executions DROP COLUMN cancel_requested_by",
                       "executions DROP COLUMN cancel_reason", "executions DROP COLUMN cancel_requested_at"] {
            try await fixture.tamper("ALTER TABLE \(column)")
        }
        if kind == .postgres {
            try await fixture.tamper("ALTER TABLE change_sets DROP CONSTRAINT change_sets_plan_key")
            try await fixture.tamper(
                "ALTER TABLE change_sets ADD CONSTRAINT change_sets_stack_target_commit_base_state_version_key UNIQUE (stack, target_commit, base_state_version)")
        }
        try await fixture.tamper("DROP TABLE access_tokens")
        try await fixture.tamper("DROP TABLE webhook_deliveries")
        try await fixture.tamper("DROP TABLE notification_outbox")
        try await fixture.tamper("DELETE FROM schema_migrations WHERE version >= 3")
        try await fixture.close()

        let store = try await fixture.location.open(clock: fixture.clock)
        let inForce = try #require(try await store.policyInForce())
        #expect(inForce.revision == 2)
        #expect(inForce.commit == "b0a4d02")
        #expect(inForce.actor == "carol")
        #expect(inForce.changeSetID == nil)
        #expect(try await store.stackStates().map(\.stack) == ["queue"])
        #expect(try await store.verifyTables() == nil)
        // Applying the next policy continues the numbering.
        let next = try await store.transaction { try await $0.recordPolicyRevision(commit: "b0a4d03", changeSetID: "cs-00000003", actor: "bob") }
        #expect(next.revision == 3)
        #expect(try await store.verifyTables() == nil)
        try await store.close()
    }
}

extension AuditVerification {
    var isIntact: Bool {
        if case .intact = self { return true }
        return false
    }
}

/// Tables are checked a page at a time; a row on a later page is checked like the first.
@Suite("Table tampering across pages")
struct TableTamperingPagingTests {
    @Test("an edit on the second or the third page of a table is found", arguments: StoreKind.allCases)
    func laterPages(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        // Two pages of rows and a bit: each page is read while the one before is checked.
        let commits = (1...(2 * SQLStoreTransaction.tablePageSize + 100)).map { StackCommit(commit: String(format: "c%06d", $0)) }
        try await fixture.store.transaction { tx in
            try await tx.attributeCommits(commits, stack: "network", actor: "tollgate")
        }
        #expect(try await fixture.store.verifyTables() == nil)
        // Fifty rows into the second page and into the third, whatever a page holds.
        let edited = [1, 2].map { String(format: "c%06d", $0 * SQLStoreTransaction.tablePageSize + 50) }
        for commit in edited {
            try await fixture.tamper("UPDATE stack_commits SET merged_by = 'f00d' WHERE commit_id = '\(commit)'")
            let found = try #require(try await fixture.store.verifyTables(), "an edit of \(commit) went unnoticed")
            #expect(found.table == "stack_commits")
            #expect(found.row == "network \(commit)")
            #expect(try await fixture.store.verifyTables(memory: .writtenOut) == found)
            try await fixture.tamper("UPDATE stack_commits SET merged_by = NULL WHERE commit_id = '\(commit)'")
        }
        #expect(try await fixture.store.verifyTables() == nil)
        try await fixture.close()
    }
}

/// A summary too large for memory is written out in partitions and compared one partition at a
/// time; what the check reports must not depend on it.
@Suite("Table check beyond memory")
struct TableCheckWrittenOutTests {
    /// A store with `count` change sets, each approved, applied by an execution, with attributed commits.
    static func busy(_ kind: StoreKind, count: Int) async throws -> (StoreFixture, ids: [String]) {
        let fixture = try await StoreFixture.make(kind)
        var ids: [String] = []
        try await fixture.store.transaction { tx in
            for index in 0..<count {
                let changeSet = sampleChangeSet(stack: "stack-\(index % 7)", commit: String(format: "c%06d", index))
                ids.append(changeSet.id)
                try await tx.attributeCommits([StackCommit(commit: String(format: "c%06d", index), mergedBy: "m\(index)")], stack: changeSet.stack, actor: "tollgate")
                _ = try await tx.createChangeSet(changeSet, actor: "tollgate")
                _ = try await tx.recordVerdict(ApprovalRecord(changeSetID: changeSet.id, reviewer: "bob", verdict: .approve, digest: changeSet.digest))
                _ = try await tx.transition(changeSetID: changeSet.id, to: .approved, actor: "bob", reason: nil)
                let execution = String(format: "ex-%08d", index)
                _ = try await tx.startExecution(id: execution, changeSetID: changeSet.id, actor: "tollgate")
                _ = try await tx.finishExecution(id: execution, result: .succeeded, providerOutput: nil, actor: "tollgate")
            }
        }
        return (fixture, ids)
    }

    /// Written out after every entry; every few entries; in parts of many pages; and into too few
    /// partitions, which the comparison splits again.
    static let memories: [AuditCheckMemory] = [
        .writtenOut, AuditCheckMemory(rows: 7, pageSize: 5), AuditCheckMemory(rows: 40, pageSize: 64),
        AuditCheckMemory(rows: 5, pageSize: 3, partitions: 2),
    ]

    @Test("several edits: the first row in key order is named, whatever the memory", arguments: StoreKind.allCases)
    func severalEdits(kind: StoreKind) async throws {
        let (fixture, ids) = try await Self.busy(kind, count: 24)
        for memory in Self.memories {
            #expect(try await fixture.store.verifyTables(memory: memory) == nil)
        }
        let sorted = ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let edited = [sorted[16], sorted[3], sorted[21]]
        for id in edited {
            try await fixture.tamper("UPDATE change_sets SET target_commit = 'badc0de' WHERE id = '\(id)'")
        }
        try await fixture.tamper("DELETE FROM executions WHERE id = 'ex-00000009'")
        let found = try #require(try await fixture.store.verifyTables())
        #expect(found.table == "change_sets")
        #expect(found.row == sorted[3])
        for memory in Self.memories {
            #expect(try await fixture.store.verifyTables(memory: memory) == found, "\(memory)")
            #expect(try await fixture.store.verifyAuditTrailAndTables(expectedHead: nil, memory: memory).1 == found, "\(memory)")
        }
        // With the change sets mended, the missing execution is next, named alike.
        for id in edited {
            let commit = String(format: "c%06d", try #require(ids.firstIndex(of: id)))
            try await fixture.tamper("UPDATE change_sets SET target_commit = '\(commit)' WHERE id = '\(id)'")
        }
        let missing = try #require(try await fixture.store.verifyTables())
        #expect(missing.table == "executions")
        #expect(missing.row == "ex-00000009")
        #expect(missing.problem == "the row is missing")
        for memory in Self.memories {
            #expect(try await fixture.store.verifyTables(memory: memory) == missing, "\(memory)")
        }
        try await fixture.close()
    }

    /// `audit verify` reads the trail in two halves at once; rows that all lie in one half, so
    /// that only that half's summary is written out, must be compared as one read in order does.
    @Test("rows made in one half of the trail are compared alike, whichever half writes them out",
          arguments: StoreKind.allCases, [true, false])
    func rowsInOneHalf(kind: StoreKind, rowsFirst: Bool) async throws {
        let fixture = try await StoreFixture.make(kind)
        // Entries that imply no row: half of the trail summarises to nothing.
        func retries() async throws {
            try await fixture.store.transaction { tx in
                for index in 0..<150 {
                    _ = try await tx.appendAudit(AuditEvent(actor: "tollgate", action: .notificationRetried, details: ["n": "\(index)"]))
                }
            }
        }
        if !rowsFirst { try await retries() }
        var ids: [String] = []
        try await fixture.store.transaction { tx in
            for index in 0..<24 {
                let changeSet = sampleChangeSet(stack: "stack-\(index)", commit: String(format: "c%06d", index))
                ids.append(changeSet.id)
                _ = try await tx.createChangeSet(changeSet, actor: "tollgate")
                _ = try await tx.recordVerdict(ApprovalRecord(changeSetID: changeSet.id, reviewer: "bob", verdict: .approve, digest: changeSet.digest))
                _ = try await tx.transition(changeSetID: changeSet.id, to: .approved, actor: "bob", reason: nil)
            }
        }
        if rowsFirst { try await retries() }
        let memories = [AuditCheckMemory(rows: 60, pageSize: 1_000), .writtenOut, .standard]
        for memory in memories {
            #expect(try await fixture.store.verifyAuditTrailAndTables(expectedHead: nil, memory: memory).1 == nil, "\(memory)")
        }
        try await fixture.tamper("UPDATE change_sets SET status = 'PENDING' WHERE id = '\(ids[5])'")
        try await fixture.tamper("DELETE FROM approvals WHERE change_set_id = '\(ids[9])'")
        let found = try #require(try await fixture.store.verifyTables())
        #expect(found.table == "change_sets")
        for memory in memories {
            let (chain, tables) = try await fixture.store.verifyAuditTrailAndTables(expectedHead: nil, memory: memory)
            guard case .intact = chain else {
                Issue.record("the chain is intact: \(chain)")
                continue
            }
            #expect(tables == found, "\(memory)")
        }
        try await fixture.close()
    }

    /// Partitions are compared in two tasks at once; what each found is merged, and the merge
    /// must report what one task comparing every partition in turn would have.
    @Test("findings of partitions compared side by side merge to what comes first, in either order")
    func mergedFindings() {
        func row(_ id: String) -> TableDisagreement {
            TableDisagreement(table: "change_sets", row: id, problem: "its digest is not the one recorded", sequence: 1)
        }
        var early = TableFindings()
        early.rows[.changeSets] = (ordinal: 3, row("cs-3"))
        early.missingChangeSet = ("cs-9", 40)
        early.missingVerdict = (AuditTableSummary.VerdictKey(changeSetID: "cs-5", reviewer: "bob"), 12)
        early.missingExecution = ("ex-2", 90)
        var late = TableFindings()
        late.rows[.changeSets] = (ordinal: 8, row("cs-8"))
        late.rows[.executions] = (ordinal: 2, TableDisagreement(table: "executions", row: "ex-1", problem: "result differs", sequence: 7))
        late.missingChangeSet = ("cs-4", 20)
        late.missingVerdict = (AuditTableSummary.VerdictKey(changeSetID: "cs-5", reviewer: "alice"), 30)
        late.missingAttribution = (AuditTableSummary.Fingerprint("stack", "c1"), 15)
        late.missingExecution = ("ex-3", 95)
        for (first, second) in [(early, late), (late, early)] {
            var merged = TableFindings()
            merged.take(first)
            merged.take(second)
            #expect(merged.rows[.changeSets]?.disagreement == row("cs-3"))
            #expect(merged.rows[.executions]?.ordinal == 2)
            #expect(merged.missingChangeSet?.id == "cs-4")
            #expect(merged.missingVerdict?.key.reviewer == "alice")
            #expect(merged.missingAttribution?.sequence == 15)
            #expect(merged.missingExecution?.id == "ex-2")
        }
    }

    @Test("a scratch folder that cannot be made is named, and nothing is reported as checked")
    func unwritableScratch() async throws {
        let (fixture, _) = try await Self.busy(.sqlite, count: 3)
        let folder = "/nonexistent-\(UInt32.random(in: 0...UInt32.max))/scratch"
        let memory = AuditCheckMemory(rows: 0, pageSize: 1, scratchFolder: folder)
        await #expect(throws: StoreError.scratchFile(path: folder, reason: "No such file or directory")) {
            _ = try await fixture.store.verifyAuditTrailAndTables(expectedHead: nil, memory: memory)
        }
        try await fixture.close()
    }
}

extension TableCheckWrittenOutTests {
    /// The table check runs beside the chain check; once the chain breaks, its findings, its
    /// errors and its scratch files are gone, whichever of the two ended first.
    @Test("a broken chain is the verdict, and the table check beside it leaves no scratch files", arguments: StoreKind.allCases)
    func brokenChainBesideTables(kind: StoreKind) async throws {
        let (fixture, _) = try await Self.busy(kind, count: 6)
        try await fixture.tamper("UPDATE change_sets SET target_commit = 'badc0de'")
        try await fixture.tamper("UPDATE audit_entries SET actor = 'mallory' WHERE sequence = 3")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-scratch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let defect = AuditDefect(sequence: 3, kind: .contentMismatch)
        for scratch in [folder, "/nonexistent-\(UInt32.random(in: 0...UInt32.max))/scratch"] {
            let memory = AuditCheckMemory(rows: 0, pageSize: 1, scratchFolder: scratch)
            let (chain, tables) = try await fixture.store.verifyAuditTrailAndTables(expectedHead: nil, memory: memory)
            #expect(chain == .tampered(defect, verifiedCount: 2))
            #expect(tables == nil)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        try await fixture.close()
    }
}

/// The scratch files a table check writes out: read back as written, and split without losing or
/// reordering what one key's records say.
@Suite("Audit check scratch files")
struct AuditTableSpillTests {
    static let columns = SQLStoreTransaction.comparedColumns

    static func changeSet(_ sequence: Int64, _ status: ChangeSetStatus) -> AuditTableSummary.ChangeSet {
        AuditTableSummary.ChangeSet(
            creation: .init("c\(sequence)"), reason: .init(""), sequence: sequence, status: status, recorded: [], isCreated: sequence == 1)
    }

    /// Every record of `spill`, partition by partition.
    static func contents(of spill: AuditTableSpill) throws -> [[String]] {
        try (0..<spill.partitionCount).map { partition in
            let records = try spill.records(of: partition)
            var read: [String] = []
            while let record = try records.next() { read.append(Self.describe(record)) }
            return read
        }
    }

    static func describe(_ record: SpillRecord) -> String {
        switch record {
        case .changeSet(let id, let changeSet): "change set \(id) \(changeSet.sequence) \(changeSet.status.rawValue) \(changeSet.isCreated)"
        case .supersession(let id): "supersession \(id)"
        case .verdict(let key, let verdict): "verdict \(key.changeSetID)/\(key.reviewer) \(verdict.approve) \(verdict.sequence)"
        case .execution(let id, let execution): "execution \(id) \(execution.result ?? "-") \(execution.changeSetID ?? "-") \(execution.isStarted)"
        case .attribution(let key, let attribution): "attribution \(key.low) \(attribution.sequence)"
        case .row(let table, let ordinal, let row): "row \(table) \(ordinal) \(row.values)"
        }
    }

    @Test("records read back as written, and a split keeps each key's records whole and in order")
    func roundTripAndSplit() throws {
        let spill = try AuditTableSpill(partitionCount: 1, under: NSTemporaryDirectory(), columns: Self.columns, location: "test")
        var written: [String] = []
        func write(_ record: SpillRecord) throws {
            try spill.write(record)
            written.append(Self.describe(record))
        }
        for index in 0..<40 {
            let id = "cs-\(index)"
            try write(.changeSet(id: id, Self.changeSet(1, .pending)))
            try write(.supersession(id: "cs-\(index + 1)"))
            try write(.verdict(.init(changeSetID: id, reviewer: "bob ü"), .init(fingerprint: .init(id), sequence: 2, approve: index % 2 == 0, hasDigest: true, hasSignature: false)))
            try write(.execution(id: "ex-\(index)", .init(changeSetID: index % 3 == 0 ? nil : id, result: "SUCCEEDED", sequence: 3, isStarted: false)))
            try write(.attribution(AuditTableSummary.attributionKey(stack: "s", commit: "c\(index)"), .init(mergedBy: .init(nil), sequence: 4)))
            try write(.changeSet(id: id, Self.changeSet(5, .applied)))
        }
        for index in 0..<40 {
            // A digest with an emoji, a NUL and an escape sequence reads back byte for byte.
            let values: [SQLValue] = [
                .text("cs-\(index)"), .text("APPLIED"), .text("s"), .text("stack"), .text("c"), .text("sha256:\u{1F600}\u{0}\u{1B}[31m"),
                .integer(Int64(index)), .text("[]"), .text("b0"), .null,
            ]
            try write(.row(.changeSets, ordinal: Int64(index + 1), SQLRow(columns: Self.columns[.changeSets]!, values: values, location: "test")))
        }
        try spill.flush()
        #expect(try Self.contents(of: spill) == [written])
        #expect(spill.summaryRecordCount(0) == 240)

        let split = try spill.split(0, into: 4)
        let parts = try Self.contents(of: split)
        #expect(parts.count == 4)
        #expect(parts.allSatisfy { !$0.isEmpty }, "one partition took nothing: \(parts.map(\.count))")
        #expect(parts.flatMap { $0 }.sorted() == written.sorted())
        // Each key's records stay in one partition, in the order written.
        for index in 0..<40 {
            let mentions = written.filter { $0.hasPrefix("change set cs-\(index) ") }
            let holding = parts.filter { $0.contains(mentions[0]) }
            #expect(holding.count == 1)
            #expect(holding.first?.filter { $0.hasPrefix("change set cs-\(index) ") } == mentions)
        }
        #expect((0..<4).reduce(0) { $0 + split.summaryRecordCount($1) } == 240)
    }

    @Test("a scratch file changed under the check is refused, naming it")
    func damagedFile() throws {
        let spill = try AuditTableSpill(partitionCount: 1, under: NSTemporaryDirectory(), columns: Self.columns, location: "test")
        try spill.write(.supersession(id: "cs-1"))
        try spill.flush()
        let records = try spill.records(of: 0)
        let path = records.path
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 4)
        try handle.close()
        #expect(throws: StoreError.scratchFile(path: path, reason: "it no longer holds what the check wrote")) { _ = try spill.records(of: 0).next() }
    }
}

extension AuditCheckMemory {
    /// A summary written out after every entry, the most parts a trail can be cut into.
    static let writtenOut = AuditCheckMemory(rows: 0, pageSize: 1)
}

import Foundation
import Testing
import TollgateCore
import TollgateStore
import TollgateTestSupport

/// Two writers on one database, as two tollgate processes would be, and a writer that dies.
@Suite("State store concurrency and crashes")
struct StoreConcurrencyTests {
    static let stacks = ["app", "db", "network"]
    static let commits = (1...8).map { "c\($0)" }

    /// What `tollgate sync` does per commit: read the cursor, create a change set for each changed
    /// stack, move the cursor, all in one transaction. Returns how many change sets it created.
    static func sync(_ store: any StateStore, actor: String) async throws -> Int {
        var created = 0
        for commit in commits {
            created += try await store.transaction { transaction in
                let cursor = try await transaction.scanCursor(branch: "main")
                let done = cursor.flatMap { commits.firstIndex(of: $0) } ?? -1
                guard let position = commits.firstIndex(of: commit), position > done else { return 0 }
                for stack in stacks {
                    let base = try await transaction.stackState(stack)?.stateVersion ?? 0
                    _ = try await transaction.createChangeSet(
                        sampleChangeSet(stack: stack, commit: commit, base: base), actor: actor)
                }
                try await transaction.setScanCursor(branch: "main", commit: commit, actor: actor)
                return stacks.count
            }
        }
        return created
    }

    @Test("two syncs at once create every change set exactly once", arguments: StoreKind.allCases)
    func twoSyncs(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let first = fixture.store
        let second = try await fixture.openAnother()
        async let one = Self.sync(first, actor: "sync-1")
        async let two = Self.sync(second, actor: "sync-2")
        let total = try await one + two
        #expect(total == Self.stacks.count * Self.commits.count)
        let all = try await first.changeSets(ChangeSetFilter())
        #expect(all.count == total)
        #expect(Set(all.map { "\($0.stack)@\($0.targetCommit)" }).count == total)
        #expect(all.filter { $0.status == .pending }.map(\.targetCommit) == ["c8", "c8", "c8"])
        #expect(try await first.scanCursor(branch: "main") == "c8")
        guard case .intact = try await second.verifyAuditTrail() else {
            Issue.record("the audit trail broke under two writers")
            return
        }
        try await second.close()
        try await fixture.close()
    }

    @Test("a transaction whose task is cancelled midway is rolled back whole, and the store takes the next one", arguments: StoreKind.allCases)
    func cancelledTransaction(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let cancelled = Task {
            try await store.transaction { transaction in
                _ = try await transaction.createChangeSet(sampleChangeSet(stack: "app", commit: "c1", base: 0), actor: "sync")
                withUnsafeCurrentTask { $0?.cancel() }
                try await transaction.setScanCursor(branch: "main", commit: "c1", actor: "sync")
            }
        }
        // SQLite's statements run on NIO's thread pool, which drops a cancelled task's work, so the
        // transaction fails there; PostgreSQL's client finishes it. Either way it is whole or absent.
        let outcome = await cancelled.result
        let stored = try await store.changeSets(ChangeSetFilter())
        let cursor = try await store.scanCursor(branch: "main")
        switch outcome {
        case .success:
            #expect(kind != .sqlite)
            #expect(stored.count == 1 && cursor == "c1")
        case .failure:
            #expect(stored.isEmpty && cursor == nil, "nothing of the cancelled transaction stays")
        }
        try await store.transaction { transaction in
            _ = try await transaction.createChangeSet(sampleChangeSet(stack: "db", commit: "c2", base: 0), actor: "sync")
        }
        #expect(try await store.changeSets(ChangeSetFilter()).count == stored.count + 1)
        guard case .intact = try await store.verifyAuditTrail() else {
            Issue.record("the audit trail broke after a cancelled transaction")
            return
        }
        try await fixture.close()
    }

    @Test("twin change sets from two writers: one wins, the other fails cleanly", arguments: StoreKind.allCases)
    func twins(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let stores = [fixture.store, try await fixture.openAnother()]
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for commit in Self.commits {
                for store in stores {
                    group.addTask {
                        do {
                            _ = try await store.transaction {
                                try await $0.createChangeSet(sampleChangeSet(commit: commit), actor: "twin")
                            }
                            return true
                        } catch StoreError.duplicateChangeSet(stack: "network", targetCommit: commit, baseStateVersion: 0) {
                            return false
                        }
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == Self.commits.count)
        #expect(try await fixture.store.changeSets(ChangeSetFilter()).count == Self.commits.count)
        #expect(try await fixture.store.changeSets(ChangeSetFilter(statuses: [.pending])).count == 1)
        try await stores[1].close()
        try await fixture.close()
    }

    @Test("a writer killed inside its transaction leaves nothing half written", arguments: StoreKind.allCases)
    func killedWriter(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        _ = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(commit: "c1", id: "cs-00000001"), actor: "tollgate") }
        let before = try await store.auditEntries(AuditFilter())

        // The writer takes the write lock exactly as the store does, writes a change set, an audit
        // entry and a cursor, and is killed with SIGKILL before it commits.
        let writes = """
            UPDATE change_sets SET status = 'SUPERSEDED' WHERE id = 'cs-00000001';
            INSERT INTO change_sets (id, kind, stack, commits, base_state_version, target_commit, digest, body, status, created_at, updated_at)
                VALUES ('cs-00000002', 'stack', 'network', '[]', 0, 'c2', 'd', '{}', 'PENDING', 0, 0);
            INSERT INTO audit_entries (sequence, recorded_at, actor, action, details, previous_hash, hash)
                VALUES (\(before.count + 1), 0, 'killed', 'changeset.created', '{}', 'x', 'y');
            INSERT INTO scan_cursors (branch, commit_id, updated_at) VALUES ('main', 'c2', 0);
            """
        let writer = try KilledWriter.start(fixture: fixture, writes: writes)
        writer.kill()

        #expect(try await store.changeSet(id: "cs-00000001").status == .pending)
        await #expect(throws: StoreError.unknownChangeSet("cs-00000002")) { try await store.changeSet(id: "cs-00000002") }
        #expect(try await store.scanCursor(branch: "main") == nil)
        #expect(try await store.auditEntries(AuditFilter()) == before)
        // The next run carries on: the lock is free and the same work succeeds.
        let creation = try await store.transaction {
            try await $0.createChangeSet(sampleChangeSet(commit: "c2", id: "cs-00000002"), actor: "tollgate")
        }
        #expect(creation.superseded?.id == "cs-00000001")
        guard case .intact(let count, _) = try await store.verifyAuditTrail() else {
            Issue.record("the audit trail broke after a killed writer")
            return
        }
        #expect(count == before.count + 2)
        try await fixture.close()
    }
}

/// Another process in the middle of a write transaction on the fixture's database, waiting to be
/// killed: `python3`'s sqlite3 module for SQLite, `psql` for PostgreSQL.
enum KilledWriter {
    static func start(fixture: StoreFixture, writes: String) throws -> ChildProcess {
        let child: ChildProcess
        switch fixture.location {
        case .sqlite(let path):
            child = try ChildProcess("/usr/bin/env", ["python3", "-c", """
                import sqlite3, sys, time
                db = sqlite3.connect(sys.argv[1], isolation_level=None)
                db.execute("BEGIN IMMEDIATE")
                for statement in sys.argv[2].split(";"):
                    if statement.strip():
                        db.execute(statement)
                print("ready", flush=True)
                time.sleep(120)
                """, path, writes])
        case .postgres:
            let server = try PostgresServer.shared()
            child = try ChildProcess(server.program("psql"), [
                "-h", "127.0.0.1", "-p", String(server.port), "-U", "postgres", "-d", fixture.database ?? "",
                "-At", "-v", "ON_ERROR_STOP=1",
            ], keepsInputOpen: true)
            child.write("""
                BEGIN;
                SELECT pg_advisory_xact_lock(8390043843661231205);
                \(writes)
                SELECT 'ready';

                """)
        }
        let seen = child.read(until: "ready")
        #expect(seen.contains("ready"), "the writer did not reach its open transaction: \(seen)")
        return child
    }
}

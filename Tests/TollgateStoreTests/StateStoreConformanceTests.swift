import Foundation
import Testing
import TollgateCore
import TollgateStore

/// One suite, run against SQLite and against a real PostgreSQL server, so both stores behave alike.
@Suite("State store conformance")
struct StateStoreConformanceTests {
    @Test("a new store is migrated and its trail starts with the migration", arguments: StoreKind.allCases)
    func freshStore(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let entries = try await fixture.store.auditEntries(AuditFilter())
        #expect(entries.map(\.action) == [.storeMigrated])
        #expect(entries.first?.details["version"] == "7")
        #expect(try await fixture.store.verifyAuditTrail() == .intact(count: 1, head: try #require(entries.last).hash))
        try await fixture.close()
        let again = try await fixture.openAnother()
        #expect(try await again.auditEntries(AuditFilter()).count == 1)
        try await again.close()
    }

    @Test("stack states round-trip and their version grows with every record", arguments: StoreKind.allCases)
    func stackStates(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        #expect(try await store.stackState("network") == nil)
        let first = try await store.transaction { transaction in
            try await transaction.recordStackState(
                stack: "network", template: "Resources: {}\n", parameters: ["Env": "prod", "Size": "2"],
                tags: ["team": "infra"], commit: "c1", actor: "tollgate")
        }
        #expect(first.stateVersion == 1)
        let second = try await store.transaction { transaction in
            try await transaction.recordStackState(
                stack: "network", template: "Resources: {A: 1}\n", parameters: [:], tags: [:], commit: "c2",
                actor: "tollgate")
        }
        #expect(second.stateVersion == 2)
        #expect(try await store.stackState("network") == second)
        _ = try await store.transaction { try await $0.recordStackState(
            stack: "app", template: "", parameters: [:], tags: [:], commit: "c2", actor: "tollgate") }
        #expect(try await store.stackStates().map(\.stack) == ["app", "network"])
        let removed = try await store.transaction { try await $0.recordStackRemoval(stack: "network", commit: "c3", actor: "bob") }
        #expect(removed.isRemoved)
        #expect(removed.stateVersion == 3)
        #expect(try await store.stackState("network") == removed)
        #expect(try await store.stackState("app")?.isRemoved == false)
        let audit = try await store.auditEntries(AuditFilter(stack: "network"))
        #expect(audit.map { $0.details.filter { $0.key != "content_sha256" } } == [
            ["state_version": "1"], ["state_version": "2"], ["state_version": "3", "removed": "true"],
        ])
        // Each state entry fingerprints what was stored, so that an edit of the row is found.
        #expect(Set(audit.compactMap { $0.details["content_sha256"] }).count == 3)
        try await fixture.close()
    }

    @Test("the scan cursor moves per branch", arguments: StoreKind.allCases)
    func scanCursor(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        #expect(try await store.scanCursor(branch: "main") == nil)
        try await store.transaction { try await $0.setScanCursor(branch: "main", commit: "c1", actor: "tollgate") }
        try await store.transaction { try await $0.setScanCursor(branch: "main", commit: "c2", actor: "tollgate") }
        #expect(try await store.scanCursor(branch: "main") == "c2")
        #expect(try await store.scanCursor(branch: "release") == nil)
        let last = try await store.auditHead()
        #expect(last?.action == .scanAdvanced)
        #expect(last?.details == ["branch": "main", "previous": "c1"])
        try await fixture.close()
    }

    @Test("change sets are kept, found by id and listed per stack", arguments: StoreKind.allCases)
    func changeSets(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let record = sampleChangeSet(id: "cs-00000001")
        let creation = try await store.transaction { try await $0.createChangeSet(record, actor: "tollgate") }
        #expect(creation.superseded == nil)
        #expect(creation.changeSet.status == .pending)
        #expect(creation.changeSet.createdAt > Date(timeIntervalSince1970: 1_767_225_600))
        let stored = try await store.changeSet(id: "cs-00000001")
        #expect(stored == creation.changeSet)
        #expect(stored.commits == ["a11ce00", "c0ffee1"])
        #expect(stored.json == record.json)
        #expect(try await store.pendingChangeSet(stack: "network") == stored)
        #expect(try await store.pendingChangeSet(stack: "app") == nil)
        #expect(try await store.changeSets(ChangeSetFilter(stack: "network")) == [stored])
        #expect(try await store.changeSets(ChangeSetFilter(statuses: [.applied])).isEmpty)
        await #expect(throws: StoreError.unknownChangeSet("cs-deadbeef")) {
            try await store.changeSet(id: "cs-deadbeef")
        }
        let created = try await store.auditHead()
        #expect(created?.action == .changeSetCreated)
        #expect(created?.changeSetID == "cs-00000001")
        #expect(created?.digest == record.digest)
        #expect(created?.commit == "c0ffee1")
        try await fixture.close()
    }

    @Test("a newer change set supersedes the open one and its approvals stay with it", arguments: StoreKind.allCases)
    func superseding(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let old = sampleChangeSet(commit: "c1", id: "cs-00000001")
        _ = try await store.transaction { try await $0.createChangeSet(old, actor: "tollgate") }
        _ = try await store.transaction { transaction in
            _ = try await transaction.recordVerdict(ApprovalRecord(
                changeSetID: old.id, reviewer: "alice", verdict: .approve, digest: old.digest))
            return try await transaction.transition(changeSetID: old.id, to: .approved, actor: "tollgate", reason: nil)
        }
        let new = sampleChangeSet(commit: "c2", id: "cs-00000002")
        let creation = try await store.transaction { try await $0.createChangeSet(new, actor: "tollgate") }
        #expect(creation.superseded?.id == old.id)
        #expect(creation.superseded?.status == .superseded)
        #expect(try await store.changeSet(id: old.id).status == .superseded)
        #expect(try await store.changeSet(id: old.id).statusReason == "superseded by cs-00000002")
        #expect(try await store.pendingChangeSet(stack: "network")?.id == new.id)
        #expect(try await store.approvals(changeSetID: new.id).isEmpty)
        #expect(try await store.approvals(changeSetID: old.id).count == 1)
        #expect(try await store.changeSets(ChangeSetFilter(stack: "network")).map(\.id) == [new.id, old.id])
        let created = try await store.auditHead()
        #expect(created?.details["supersedes"] == old.id)
        try await fixture.close()
    }

    @Test("the same change set twice, or a taken id, is refused", arguments: StoreKind.allCases)
    func duplicates(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let record = sampleChangeSet(id: "cs-00000001")
        _ = try await store.transaction { try await $0.createChangeSet(record, actor: "tollgate") }
        _ = try await store.transaction { try await $0.transition(
            changeSetID: record.id, to: .cancelled, actor: "bob", reason: "not now") }
        let twin = sampleChangeSet(id: "cs-00000002")
        await #expect(throws: StoreError.duplicateChangeSet(stack: "network", targetCommit: "c0ffee1", baseStateVersion: 0)) {
            try await store.transaction { try await $0.createChangeSet(twin, actor: "tollgate") }
        }
        let other = sampleChangeSet(stack: "app", id: "cs-00000001")
        await #expect(throws: StoreError.duplicateChangeSetID("cs-00000001")) {
            try await store.transaction { try await $0.createChangeSet(other, actor: "tollgate") }
        }
        #expect(try await store.changeSets(ChangeSetFilter()).count == 1)
        try await fixture.close()
    }

    @Test("an illegal transition is an error and changes nothing", arguments: StoreKind.allCases)
    func illegalTransition(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let record = sampleChangeSet(id: "cs-00000001")
        _ = try await store.transaction { try await $0.createChangeSet(record, actor: "tollgate") }
        _ = try await store.transaction { try await $0.transition(
            changeSetID: record.id, to: .rejected, actor: "alice", reason: "too wide") }
        let before = try await store.auditEntries(AuditFilter())
        let expected = StoreError.illegalTransition(
            IllegalTransitionError(changeSetID: record.id, from: .rejected, to: .applying))
        await #expect(throws: expected) {
            try await store.transaction { try await $0.startExecution(id: "ex-00000001", changeSetID: record.id, actor: "bob") }
        }
        await #expect(throws: StoreError.illegalTransition(
            IllegalTransitionError(changeSetID: record.id, from: .rejected, to: .approved))) {
            try await store.transaction { try await $0.transition(changeSetID: record.id, to: .approved, actor: "bob", reason: nil) }
        }
        await #expect(throws: StoreError.unknownChangeSet("cs-ffffffff")) {
            try await store.transaction { try await $0.transition(changeSetID: "cs-ffffffff", to: .cancelled, actor: "bob", reason: nil) }
        }
        #expect(try await store.changeSet(id: record.id).status == .rejected)
        #expect(try await store.changeSet(id: record.id).statusReason == "too wide")
        #expect(try await store.auditEntries(AuditFilter()) == before)
        #expect(try await store.executions(changeSetID: record.id).isEmpty)
        try await fixture.close()
    }

    @Test("verdicts are bound to the digest, one per reviewer, only while the change set is open", arguments: StoreKind.allCases)
    func verdicts(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let record = sampleChangeSet(id: "cs-00000001")
        _ = try await store.transaction { try await $0.createChangeSet(record, actor: "tollgate") }
        let approval = ApprovalRecord(
            changeSetID: record.id, reviewer: "alice", verdict: .approve, digest: record.digest,
            signature: "-----BEGIN SSH SIGNATURE-----", reason: nil)
        let stored = try await store.transaction { try await $0.recordVerdict(approval) }
        #expect(stored.recordedAt > Date(timeIntervalSince1970: 0))
        await #expect(throws: StoreError.duplicateApproval(changeSetID: record.id, reviewer: "alice")) {
            try await store.transaction { try await $0.recordVerdict(approval) }
        }
        var stale = approval
        stale.reviewer = "bob"
        stale.digest = "sha256:other"
        await #expect(throws: StoreError.digestMismatch(changeSetID: record.id, expected: record.digest, given: "sha256:other")) {
            try await store.transaction { try await $0.recordVerdict(stale) }
        }
        let rejection = ApprovalRecord(
            changeSetID: record.id, reviewer: "carol", verdict: .reject, digest: record.digest, reason: "opens port 22")
        _ = try await store.transaction { transaction in
            _ = try await transaction.recordVerdict(rejection)
            return try await transaction.transition(changeSetID: record.id, to: .rejected, actor: "carol", reason: "opens port 22")
        }
        var late = approval
        late.reviewer = "dave"
        await #expect(throws: StoreError.notReviewable(changeSetID: record.id, status: .rejected)) {
            try await store.transaction { try await $0.recordVerdict(late) }
        }
        let approvals = try await store.approvals(changeSetID: record.id)
        #expect(approvals.map(\.reviewer) == ["alice", "carol"])
        #expect(approvals.map(\.verdict) == [.approve, .reject])
        #expect(approvals[0].signature == "-----BEGIN SSH SIGNATURE-----")
        #expect(approvals[1].reason == "opens port 22")
        let actions = try await store.auditEntries(AuditFilter(changeSetID: record.id)).map(\.action)
        #expect(actions == [.changeSetCreated, .approvalRecorded, .rejectionRecorded, .changeSetTransitioned])
        try await fixture.close()
    }

    @Test("an execution moves its change set through APPLYING to APPLIED or FAILED", arguments: StoreKind.allCases)
    func executions(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let record = sampleChangeSet(id: "cs-00000001")
        _ = try await store.transaction { transaction in
            _ = try await transaction.createChangeSet(record, actor: "tollgate")
            return try await transaction.transition(changeSetID: record.id, to: .approved, actor: "tollgate", reason: nil)
        }
        let started = try await store.transaction { try await $0.startExecution(id: "ex-00000001", changeSetID: record.id, actor: "bob") }
        #expect(started.finishedAt == nil)
        #expect(try await store.changeSet(id: record.id).status == .applying)
        try await store.transaction { try await $0.recordProviderOutput(executionID: "ex-00000001", output: "CREATE_IN_PROGRESS") }
        #expect(try await store.unfinishedExecutions().map(\.id) == ["ex-00000001"])
        #expect(try await store.latestExecution(stack: "network")?.providerOutput == "CREATE_IN_PROGRESS")
        let finished = try await store.transaction { transaction in
            let execution = try await transaction.finishExecution(
                id: "ex-00000001", result: .succeeded, providerOutput: nil, actor: "bob")
            _ = try await transaction.recordStackState(
                stack: "network", template: "t", parameters: [:], tags: [:], commit: record.targetCommit, actor: "bob")
            return execution
        }
        #expect(finished.result == .succeeded)
        #expect(finished.providerOutput == "CREATE_IN_PROGRESS")
        #expect(try await store.execution(id: "ex-00000001") == finished)
        #expect(try await store.changeSet(id: record.id).status == .applied)
        #expect(try await store.unfinishedExecutions().isEmpty)
        #expect(try await store.executions(changeSetID: record.id) == [finished])
        await #expect(throws: StoreError.executionFinished("ex-00000001")) {
            try await store.transaction { try await $0.finishExecution(id: "ex-00000001", result: .failed, providerOutput: nil, actor: "bob") }
        }
        await #expect(throws: StoreError.unknownExecution("ex-ffffffff")) {
            try await store.execution(id: "ex-ffffffff")
        }
        #expect(try await store.stackState("network")?.stateVersion == 1)
        try await fixture.close()
    }

    @Test("a transaction that throws leaves nothing behind, audit entries included", arguments: StoreKind.allCases)
    func rollback(kind: StoreKind) async throws {
        struct Interrupted: Error {}
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let before = try await store.auditEntries(AuditFilter())
        await #expect(throws: Interrupted.self) {
            try await store.transaction { transaction in
                _ = try await transaction.createChangeSet(sampleChangeSet(id: "cs-00000001"), actor: "tollgate")
                try await transaction.setScanCursor(branch: "main", commit: "c1", actor: "tollgate")
                #expect(try await transaction.pendingChangeSet(stack: "network") != nil)
                throw Interrupted()
            }
        }
        #expect(try await store.changeSets(ChangeSetFilter()).isEmpty)
        #expect(try await store.scanCursor(branch: "main") == nil)
        #expect(try await store.auditEntries(AuditFilter()) == before)
        _ = try await store.transaction { try await $0.createChangeSet(sampleChangeSet(id: "cs-00000001"), actor: "tollgate") }
        #expect(try await store.verifyAuditTrail() == .intact(count: 2, head: try #require(try await store.auditHead()).hash))
        try await fixture.close()
    }

    @Test("the trail is filtered by stack, actor, change set and time", arguments: StoreKind.allCases)
    func auditFilters(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let network = sampleChangeSet(stack: "network", id: "cs-00000001")
        let app = sampleChangeSet(stack: "app", id: "cs-00000002")
        _ = try await store.transaction { try await $0.createChangeSet(network, actor: "tollgate") }
        let middle = try #require(try await store.auditHead()).time
        _ = try await store.transaction { try await $0.createChangeSet(app, actor: "tollgate") }
        _ = try await store.transaction { try await $0.transition(changeSetID: app.id, to: .cancelled, actor: "bob", reason: "later") }
        _ = try await store.transaction { try await $0.appendAudit(AuditEvent(actor: "bob", action: AuditAction(rawValue: "policy.trusted"))) }
        #expect(try await store.auditEntries(AuditFilter(stack: "app")).map(\.sequence) == [3, 4])
        #expect(try await store.auditEntries(AuditFilter(actor: "bob")).map(\.sequence) == [4, 5])
        #expect(try await store.auditEntries(AuditFilter(stack: "app", actor: "bob")).map(\.sequence) == [4])
        #expect(try await store.auditEntries(AuditFilter(since: middle.addingTimeInterval(0.5))).map(\.sequence) == [3, 4, 5])
        #expect(try await store.auditEntries(AuditFilter(changeSetID: network.id)).map(\.sequence) == [2])
        #expect(try await store.auditEntries(after: 2, limit: 2).map(\.sequence) == [3, 4])
        try await fixture.close()
    }

    @Test("calling the SQLite store from inside its own transaction fails instead of hanging")
    func nestedCall() async throws {
        let fixture = try await StoreFixture.make(.sqlite)
        let store = fixture.store
        await #expect(throws: StoreError.nestedCall(location: store.location)) {
            try await store.transaction { _ in try await store.scanCursor(branch: "main") }
        }
        #expect(try await store.scanCursor(branch: "main") == nil)
        try await fixture.close()
    }

    @Test("one store used by many tasks at once keeps one unbroken chain", arguments: StoreKind.allCases)
    func concurrentTasks(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    _ = try await store.transaction { transaction in
                        try await transaction.appendAudit(AuditEvent(actor: "task\(index)", action: .scanAdvanced))
                    }
                }
            }
            try await group.waitForAll()
        }
        let verdict = try await store.verifyAuditTrail()
        guard case .intact(let count, _) = verdict else {
            Issue.record("the chain broke: \(verdict)")
            return
        }
        #expect(count == 41)
        try await fixture.close()
    }
}

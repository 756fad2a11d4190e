import Foundation
import Synchronization
import TollgateCore

/// The store's reads and writes, written once for both dialects over an ``SQLSession``.
///
/// The write methods assume that the caller has opened a write transaction on the session
/// (``SQLStoreTransaction/run(on:clock:begin:body:)``); the read methods work in or out of one.
struct SQLStoreTransaction: StoreTransaction {
    let session: any SQLSession
    let clock: any WallClock
    /// The audit trail's head as this transaction last wrote it: an apply appends several
    /// entries, and under the transaction's write lock only this transaction moves the head.
    private let writtenHead = WrittenHead()

    // MARK: Transactions

    /// Runs `body` between `begin` and COMMIT on `session`, rolling back if anything throws,
    /// including a `begin` statement that waited too long for the write lock.
    ///
    /// A rollback that fails too is not reported over the original error: the connection is then
    /// broken and its server (or SQLite's journal) discards the open transaction anyway. The
    /// rollback runs even when the calling task was cancelled.
    static func run<T>(
        on session: any SQLSession, clock: any WallClock, begin: [String],
        body: (SQLStoreTransaction) async throws -> T
    ) async throws -> T {
        #if DEBUG
        let session = FaultInjection.session(session)
        #endif
        do {
            for statement in begin {
                try await session.execute(statement)
            }
            let value = try await body(SQLStoreTransaction(session: session, clock: clock))
            try await session.execute("COMMIT")
            return value
        } catch {
            // Out of the caller's task: a cancelled task's statements never run (NIO's thread pool
            // drops them), and a rollback dropped so would leave the connection inside this
            // transaction for every later caller.
            await Task { try? await session.execute("ROLLBACK") }.value
            throw error
        }
    }

    var now: Int64 {
        AuditEntry.milliseconds(of: clock.now())
    }

    // MARK: Stack states

    func stackState(_ stack: String) async throws -> StackStateRecord? {
        try await session.query("SELECT * FROM stack_states WHERE stack = ?", [.text(stack)])
            .first.map(stackStateRecord)
    }

    func stackStates() async throws -> [StackStateRecord] {
        try await session.query("SELECT * FROM stack_states ORDER BY stack", []).map(stackStateRecord)
    }

    func recordStackState(
        stack: String, template: String, parameters: [String: String], tags: [String: String],
        outputs: [String: String], commit: String, actor: String
    ) async throws -> StackStateRecord {
        try await writeStackState(StackStateRecord(
            stack: stack, template: template, parameters: parameters, tags: tags, commit: commit,
            stateVersion: 0, recordedAt: clock.now(), outputs: outputs), actor: actor)
    }

    func recordStackRemoval(stack: String, commit: String, actor: String) async throws -> StackStateRecord {
        try await writeStackState(StackStateRecord(
            stack: stack, template: "", parameters: [:], tags: [:], commit: commit, stateVersion: 0,
            recordedAt: clock.now(), isRemoved: true), actor: actor)
    }

    /// Writes `record` with the next state version and the store's time, and audits it.
    private func writeStackState(_ record: StackStateRecord, actor: String) async throws -> StackStateRecord {
        var stored = record
        stored.stateVersion = (try await stackState(record.stack)?.stateVersion ?? 0) + 1
        let time = AuditEntry.milliseconds(of: record.recordedAt)
        stored.recordedAt = date(time)
        let parameters = try encode(stored.parameters)
        let tags = try encode(stored.tags)
        let outputs = try encode(stored.outputs)
        try await session.execute(
            """
            INSERT INTO stack_states (stack, template, parameters, tags, outputs, commit_id, state_version, removed, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (stack) DO UPDATE SET template = excluded.template, parameters = excluded.parameters,
                tags = excluded.tags, outputs = excluded.outputs, commit_id = excluded.commit_id,
                state_version = excluded.state_version, removed = excluded.removed, recorded_at = excluded.recorded_at
            """,
            [.text(stored.stack), .text(stored.template), .text(parameters),
             .text(tags), .text(outputs), .text(stored.commit), .integer(stored.stateVersion),
             .integer(stored.isRemoved ? 1 : 0), .integer(time)])
        var details = [
            "state_version": String(stored.stateVersion),
            "content_sha256": Self.stateFingerprint(template: stored.template, parameters: parameters, tags: tags, outputs: outputs),
        ]
        if stored.isRemoved { details["removed"] = "true" }
        try await append(AuditEvent(
            actor: actor, action: .stateRecorded, stack: stored.stack, commit: stored.commit, details: details), at: time)
        return stored
    }

    // MARK: Policy revisions

    func policyInForce() async throws -> PolicyRevisionRecord? {
        try await session.query("SELECT * FROM policy_revisions ORDER BY revision DESC LIMIT 1", []).first.map(policyRevisionRecord)
    }

    func policyRevisions() async throws -> [PolicyRevisionRecord] {
        try await session.query("SELECT * FROM policy_revisions ORDER BY revision DESC", []).map(policyRevisionRecord)
    }

    func recordPolicyRevision(commit: String, changeSetID: String?, actor: String) async throws -> PolicyRevisionRecord {
        let time = AuditEntry.milliseconds(of: clock.now())
        let record = PolicyRevisionRecord(
            revision: (try await policyInForce()?.revision ?? 0) + 1, commit: commit, changeSetID: changeSetID, actor: actor,
            recordedAt: date(time))
        try await session.execute(
            "INSERT INTO policy_revisions (revision, commit_id, change_set_id, actor, recorded_at) VALUES (?, ?, ?, ?, ?)",
            [.integer(record.revision), .text(commit), SQLValue(changeSetID), .text(actor), .integer(time)])
        try await append(AuditEvent(
            actor: actor, action: .policyRevisionRecorded, changeSetID: changeSetID, commit: commit,
            details: ["revision": String(record.revision)]), at: time)
        return record
    }

    // MARK: Stack locks

    func stackLock(_ stack: String) async throws -> StackLock? {
        try await session.query("SELECT * FROM stack_locks WHERE stack = ?", [.text(stack)]).first.map { row in
            StackLock(
                stack: try row.text("stack"), executionID: try row.text("execution_id"), holder: try row.text("holder"),
                acquiredAt: date(try row.integer("acquired_at")), expiresAt: date(try row.integer("expires_at")))
        }
    }

    func lockStack(_ stack: String, executionID: String, holder: String, leaseSeconds: Int, takeOver: String?) async throws -> StackLock {
        let time = now
        if let existing = try await stackLock(stack) {
            guard existing.executionID == takeOver else { throw StoreError.stackLocked(existing) }
            try await session.execute("DELETE FROM stack_locks WHERE stack = ?", [.text(stack)])
        }
        let expires = time + Int64(leaseSeconds) * 1000
        try await session.execute(
            "INSERT INTO stack_locks (stack, execution_id, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            [.text(stack), .text(executionID), .text(holder), .integer(time), .integer(expires)])
        return StackLock(stack: stack, executionID: executionID, holder: holder, acquiredAt: date(time), expiresAt: date(expires))
    }

    func renewStackLock(_ stack: String, executionID: String, leaseSeconds: Int) async throws {
        guard let lock = try await stackLock(stack), lock.executionID == executionID else {
            throw StoreError.lockLost(stack: stack, executionID: executionID)
        }
        try await session.execute(
            "UPDATE stack_locks SET expires_at = ? WHERE stack = ? AND execution_id = ?",
            [.integer(now + Int64(leaseSeconds) * 1000), .text(stack), .text(executionID)])
    }

    func unlockStack(_ stack: String, executionID: String) async throws {
        try await session.execute("DELETE FROM stack_locks WHERE stack = ? AND execution_id = ?", [.text(stack), .text(executionID)])
    }

    // MARK: Scan cursor

    func scanCursor(branch: String) async throws -> String? {
        try await session.query("SELECT commit_id FROM scan_cursors WHERE branch = ?", [.text(branch)])
            .first?.text("commit_id")
    }

    func trailCursor(branch: String) async throws -> String? {
        var before = Int64.max
        while true {
            let rows = try await session.query(
                "SELECT sequence, commit_id, details FROM audit_entries WHERE action = ? AND sequence < ? ORDER BY sequence DESC LIMIT 100",
                [.text(AuditAction.scanAdvanced.rawValue), .integer(before)])
            for row in rows {
                let details = AuditDetails(flatJSON: try row.text("details"))
                if details?["branch"] == branch { return try row.optionalText("commit_id") }
            }
            guard let last = rows.last, rows.count == 100 else { return nil }
            before = try last.integer("sequence")
        }
    }

    func setScanCursor(branch: String, commit: String, actor: String) async throws {
        let previous = try await scanCursor(branch: branch)
        let time = now
        try await session.execute(
            """
            INSERT INTO scan_cursors (branch, commit_id, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (branch) DO UPDATE SET commit_id = excluded.commit_id, updated_at = excluded.updated_at
            """,
            [.text(branch), .text(commit), .integer(time)])
        var details = ["branch": branch]
        if let previous { details["previous"] = previous }
        try await append(AuditEvent(actor: actor, action: .scanAdvanced, commit: commit, details: details), at: time)
    }

    // MARK: Change sets

    func changeSet(id: String) async throws -> ChangeSetRecord {
        guard let row = try await session.query("SELECT * FROM change_sets WHERE id = ?", [.text(id)]).first else {
            throw StoreError.unknownChangeSet(id)
        }
        return try changeSetRecord(row)
    }

    func pendingChangeSet(stack: String) async throws -> ChangeSetRecord? {
        try await changeSets(ChangeSetFilter(stack: stack, statuses: [.pending])).first
    }

    func changeSets(_ filter: ChangeSetFilter) async throws -> [ChangeSetRecord] {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let stack = filter.stack {
            conditions.append("stack = ?")
            binds.append(.text(stack))
        }
        if !filter.statuses.isEmpty {
            let statuses = filter.statuses.map(\.rawValue).sorted()
            conditions.append("status IN (" + statuses.map { _ in "?" }.joined(separator: ", ") + ")")
            binds += statuses.map(SQLValue.text)
        }
        let clause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try await session.query(
            "SELECT * FROM change_sets\(clause) ORDER BY created_at DESC, id DESC", binds
        ).map(changeSetRecord)
    }

    func createChangeSet(_ changeSet: ChangeSetRecord, actor: String) async throws -> ChangeSetCreation {
        let open = try await changeSets(ChangeSetFilter(stack: changeSet.stack, statuses: [.pending, .approved]))
        var superseded: ChangeSetRecord?
        for old in open {
            superseded = try await transition(
                changeSetID: old.id, to: .superseded, actor: actor, reason: "superseded by \(changeSet.id)")
        }
        if !(try await session.query("SELECT id FROM change_sets WHERE id = ?", [.text(changeSet.id)]).isEmpty) {
            throw StoreError.duplicateChangeSetID(changeSet.id)
        }
        let time = now
        var stored = changeSet
        if stored.status != .failed {
            stored.status = .pending
            stored.statusReason = nil
        }
        stored.createdAt = date(time)
        stored.updatedAt = date(time)
        do {
            try await session.execute(
                """
                INSERT INTO change_sets (id, kind, stack, commits, base_state_version, target_commit, digest,
                    body, status, status_reason, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(stored.id), .text(stored.kind.rawValue), .text(stored.stack), .text(try encode(stored.commits)),
                 .integer(stored.baseStateVersion), .text(stored.targetCommit), .text(stored.digest),
                 .text(stored.json), .text(stored.status.rawValue), SQLValue(stored.statusReason), .integer(time), .integer(time)])
        } catch is UniqueViolation {
            throw StoreError.duplicateChangeSet(
                stack: stored.stack, targetCommit: stored.targetCommit, baseStateVersion: stored.baseStateVersion)
        }
        var details = [
            "kind": stored.kind.rawValue, "base_state_version": String(stored.baseStateVersion),
            "commits": stored.commits.joined(separator: " "), "body_sha256": auditFingerprint(stored.json),
        ]
        if let superseded { details["supersedes"] = superseded.id }
        if stored.status == .failed {
            details["status"] = stored.status.rawValue
            details["reason"] = stored.statusReason
        }
        try await append(AuditEvent(
            actor: actor, action: .changeSetCreated, stack: stored.stack, changeSetID: stored.id,
            commit: stored.targetCommit, digest: stored.digest, details: details), at: time)
        try await enqueueNotification(stored, status: stored.status, actor: actor, reason: stored.statusReason, at: time)
        return ChangeSetCreation(changeSet: stored, superseded: superseded)
    }

    func transition(changeSetID: String, to status: ChangeSetStatus, actor: String, reason: String?) async throws -> ChangeSetRecord {
        var record = try await changeSet(id: changeSetID)
        do {
            try record.status.validateTransition(to: status, changeSetID: changeSetID)
        } catch {
            throw StoreError.illegalTransition(error)
        }
        let time = now
        // The status in the WHERE clause makes the update a compare-and-set, so that a writer that
        // bypassed the transaction lock could never turn a status it did not read.
        let updated = try await session.query(
            "UPDATE change_sets SET status = ?, status_reason = ?, updated_at = ? WHERE id = ? AND status = ? RETURNING id",
            [.text(status.rawValue), SQLValue(reason), .integer(time), .text(changeSetID), .text(record.status.rawValue)])
        guard !updated.isEmpty else {
            let current = try await self.changeSet(id: changeSetID)
            throw StoreError.illegalTransition(IllegalTransitionError(changeSetID: changeSetID, from: current.status, to: status))
        }
        var details = ["from": record.status.rawValue, "to": status.rawValue]
        if let reason { details["reason"] = reason }
        try await append(AuditEvent(
            actor: actor, action: .changeSetTransitioned, stack: record.stack, changeSetID: changeSetID,
            commit: record.targetCommit, digest: record.digest, details: details), at: time)
        try await enqueueNotification(record, status: status, actor: actor, reason: reason, at: time)
        record.status = status
        record.statusReason = reason
        record.updatedAt = date(time)
        return record
    }

    // MARK: Commits attributed to stacks

    func stackCommits(stack: String) async throws -> [StackCommit] {
        try await session.query(
            "SELECT commit_id, merged_by FROM stack_commits WHERE stack = ? ORDER BY position", [.text(stack)]
        ).map { StackCommit(commit: try $0.text("commit_id"), mergedBy: try $0.optionalText("merged_by")) }
    }

    func unappliedCommits(stack: String) async throws -> [StackCommit] {
        var applied: Set<String> = []
        for changeSet in try await changeSets(ChangeSetFilter(stack: stack, statuses: [.applied])) {
            applied.formUnion(changeSet.commits)
        }
        return try await stackCommits(stack: stack).filter { !applied.contains($0.commit) }
    }

    func attributeCommits(_ commits: [StackCommit], stack: String, actor: String) async throws {
        let known = Set(try await stackCommits(stack: stack).map(\.commit))
        let new = commits.filter { !known.contains($0.commit) }
        guard !new.isEmpty else { return }
        var position = try await session.query(
            "SELECT MAX(position) AS position FROM stack_commits", []).first?.optionalInteger("position") ?? 0
        for commit in new {
            position += 1
            try await session.execute(
                "INSERT INTO stack_commits (stack, commit_id, merged_by, position) VALUES (?, ?, ?, ?)",
                [.text(stack), .text(commit.commit), SQLValue(commit.mergedBy), .integer(position)])
        }
        var details = ["commits": new.map(\.commit).joined(separator: " ")]
        let merged = new.compactMap { commit in commit.mergedBy.map { "\(commit.commit):\($0)" } }
        if !merged.isEmpty { details["merged"] = merged.joined(separator: " ") }
        try await append(AuditEvent(actor: actor, action: .commitsAttributed, stack: stack, details: details), at: now)
    }

    // MARK: Verdicts

    func approvals(changeSetID: String) async throws -> [ApprovalRecord] {
        try await session.query(
            "SELECT * FROM approvals WHERE change_set_id = ? ORDER BY recorded_at, reviewer", [.text(changeSetID)]
        ).map(approvalRecord)
    }

    func recordVerdict(_ approval: ApprovalRecord) async throws -> ApprovalRecord {
        let changeSet = try await changeSet(id: approval.changeSetID)
        guard changeSet.status == .pending || changeSet.status == .approved else {
            throw StoreError.notReviewable(changeSetID: changeSet.id, status: changeSet.status)
        }
        guard changeSet.digest == approval.digest else {
            throw StoreError.digestMismatch(changeSetID: changeSet.id, expected: changeSet.digest, given: approval.digest)
        }
        let time = now
        do {
            try await session.execute(
                """
                INSERT INTO approvals (change_set_id, reviewer, verdict, digest, signature, reason, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(approval.changeSetID), .text(approval.reviewer), .text(approval.verdict.rawValue),
                 .text(approval.digest), SQLValue(approval.signature), SQLValue(approval.reason), .integer(time)])
        } catch is UniqueViolation {
            throw StoreError.duplicateApproval(changeSetID: approval.changeSetID, reviewer: approval.reviewer)
        }
        var details: [String: String] = [:]
        if let reason = approval.reason { details["reason"] = reason }
        if let signature = approval.signature {
            details["signed"] = "true"
            details["signature_sha256"] = auditFingerprint(signature)
        }
        try await append(AuditEvent(
            actor: approval.reviewer, action: approval.verdict == .approve ? .approvalRecorded : .rejectionRecorded,
            stack: changeSet.stack, changeSetID: changeSet.id, commit: changeSet.targetCommit,
            digest: approval.digest, details: details), at: time)
        var stored = approval
        stored.recordedAt = date(time)
        return stored
    }

    // MARK: Executions

    func execution(id: String) async throws -> ExecutionRecord {
        guard let row = try await session.query("SELECT * FROM executions WHERE id = ?", [.text(id)]).first else {
            throw StoreError.unknownExecution(id)
        }
        return try executionRecord(row)
    }

    func executions(changeSetID: String) async throws -> [ExecutionRecord] {
        try await session.query(
            "SELECT * FROM executions WHERE change_set_id = ? ORDER BY started_at, id", [.text(changeSetID)]
        ).map(executionRecord)
    }

    func latestExecution(stack: String) async throws -> ExecutionRecord? {
        try await session.query(
            "SELECT * FROM executions WHERE stack = ? ORDER BY started_at DESC, id DESC LIMIT 1", [.text(stack)]
        ).first.map(executionRecord)
    }

    func unfinishedExecutions() async throws -> [ExecutionRecord] {
        try await session.query("SELECT * FROM executions WHERE finished_at IS NULL ORDER BY started_at, id", [])
            .map(executionRecord)
    }

    func startExecution(id: String, changeSetID: String, actor: String) async throws -> ExecutionRecord {
        let changeSet = try await transition(changeSetID: changeSetID, to: .applying, actor: actor, reason: nil)
        let time = now
        do {
            try await session.execute(
                "INSERT INTO executions (id, change_set_id, stack, started_at) VALUES (?, ?, ?, ?)",
                [.text(id), .text(changeSetID), .text(changeSet.stack), .integer(time)])
        } catch is UniqueViolation {
            throw StoreError.database(
                location: session.location, operation: "starting execution \(id)",
                message: "an execution with this id exists already")
        }
        try await append(AuditEvent(
            actor: actor, action: .executionStarted, stack: changeSet.stack, changeSetID: changeSetID,
            commit: changeSet.targetCommit, digest: changeSet.digest, details: ["execution": id]), at: time)
        return ExecutionRecord(
            id: id, changeSetID: changeSetID, stack: changeSet.stack, startedAt: date(time), finishedAt: nil,
            result: nil, providerOutput: nil)
    }

    func recordProviderOutput(executionID: String, output: String) async throws {
        let execution = try await execution(id: executionID)
        guard execution.finishedAt == nil else { throw StoreError.executionFinished(executionID) }
        try await session.execute(
            "UPDATE executions SET provider_output = ? WHERE id = ?", [.text(output), .text(executionID)])
    }

    func requestCancel(executionID: String, actor: String, reason: String) async throws -> ExecutionRecord {
        var execution = try await execution(id: executionID)
        guard execution.finishedAt == nil else { throw StoreError.executionFinished(executionID) }
        // A second request changes nothing: the first one's actor and reason stand.
        guard execution.cancelRequest == nil else { return execution }
        let changeSet = try await changeSet(id: execution.changeSetID)
        let time = now
        try await session.execute(
            "UPDATE executions SET cancel_requested_by = ?, cancel_reason = ?, cancel_requested_at = ? WHERE id = ?",
            [.text(actor), .text(reason), .integer(time), .text(executionID)])
        try await append(AuditEvent(
            actor: actor, action: .executionCancelRequested, stack: changeSet.stack, changeSetID: changeSet.id,
            commit: changeSet.targetCommit, digest: changeSet.digest,
            details: ["execution": executionID, "reason": reason]), at: time)
        execution.cancelRequest = CancelRequest(actor: actor, reason: reason, requestedAt: date(time))
        return execution
    }

    func finishExecution(id: String, result: ExecutionResult, providerOutput: String?, actor: String) async throws -> ExecutionRecord {
        var execution = try await execution(id: id)
        guard execution.finishedAt == nil else { throw StoreError.executionFinished(id) }
        let changeSet = try await transition(
            changeSetID: execution.changeSetID, to: result.changeSetStatus, actor: actor, reason: result == .cancelled ? execution.cancelRequest?.reason : nil)
        let time = now
        let output = providerOutput ?? execution.providerOutput
        try await session.execute(
            "UPDATE executions SET finished_at = ?, result = ?, provider_output = ? WHERE id = ?",
            [.integer(time), .text(result.rawValue), SQLValue(output), .text(id)])
        try await append(AuditEvent(
            actor: actor, action: .executionFinished, stack: changeSet.stack, changeSetID: changeSet.id,
            commit: changeSet.targetCommit, digest: changeSet.digest,
            details: ["execution": id, "result": result.rawValue]), at: time)
        execution.finishedAt = date(time)
        execution.result = result
        execution.providerOutput = output
        return execution
    }

    // MARK: Audit trail

    func auditEntries(_ filter: AuditFilter) async throws -> [AuditEntry] {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let stack = filter.stack {
            conditions.append("stack = ?")
            binds.append(.text(stack))
        }
        if let actor = filter.actor {
            conditions.append("actor = ?")
            binds.append(.text(actor))
        }
        if let since = filter.since {
            conditions.append("recorded_at >= ?")
            binds.append(.integer(AuditEntry.milliseconds(of: since)))
        }
        if let changeSetID = filter.changeSetID {
            conditions.append("change_set_id = ?")
            binds.append(.text(changeSetID))
        }
        let clause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let decoder = JSONDecoder()
        return try await session.query("SELECT \(Self.auditColumns) FROM audit_entries\(clause) ORDER BY sequence", binds)
            .map { try auditEntry($0, decoder: decoder) }
    }

    func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        let decoder = JSONDecoder()
        return try await session.query(
            "SELECT \(Self.auditColumns) FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?",
            [.integer(sequence), .integer(Int64(limit))]
        ).map { try auditEntry($0, decoder: decoder) }
    }

    func forEachAuditEntry(
        after sequence: Int64, limit: Int, withChainFields: Bool, _ body: @escaping @Sendable (AuditEntry) -> Void
    ) async throws -> Int {
        let reading = AuditRowReading()
        try await session.forEachRow(
            "SELECT \(withChainFields ? Self.auditColumns : Self.eventColumns) FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?",
            [.integer(sequence), .integer(Int64(limit))]
        ) { row in
            guard reading.error == nil else { return }
            do {
                body(try auditEntry(row, decoder: nil, withChainFields: withChainFields))
                reading.count += 1
            } catch {
                reading.error = error
            }
        }
        if let error = reading.error { throw error }
        return reading.count
    }

    /// What a streamed read of the trail has counted, or the error that stopped it. Its rows are
    /// handed over on one thread, one after another, and it is read only after the query
    /// returned, which makes the unchecked `Sendable` safe.
    private final class AuditRowReading: @unchecked Sendable {
        var count = 0
        var error: (any Error)?
    }

    func auditHead() async throws -> AuditEntry? {
        try await session.query("SELECT \(Self.auditColumns) FROM audit_entries ORDER BY sequence DESC LIMIT 1", []).first
            .map { try auditEntry($0, decoder: JSONDecoder()) }
    }

    func auditSequence() async throws -> Int64? {
        try await session.query("SELECT sequence FROM audit_entries ORDER BY sequence DESC LIMIT 1", []).first?.integer(at: 0, "sequence")
    }

    func appendAudit(_ event: AuditEvent) async throws -> AuditEntry {
        try await append(event, at: now)
    }

    /// Chains `event` onto the current head; the write lock held by the transaction keeps the head
    /// from moving underneath, and the primary key on the sequence is the backstop.
    @discardableResult
    private func append(_ event: AuditEvent, at time: Int64) async throws -> AuditEntry {
        let head: (sequence: Int64, hash: String)
        if let written = writtenHead.value.withLock({ $0 }) {
            head = written
        } else if let row = try await session.query("SELECT sequence, hash FROM audit_entries ORDER BY sequence DESC LIMIT 1", []).first {
            head = (try row.integer("sequence"), try row.text("hash"))
        } else {
            head = (0, AuditEntry.genesisHash)
        }
        let entry = AuditEntry(sequence: head.sequence + 1, time: date(time), event: event, previousHash: head.hash)
        do {
            try await session.execute(
                """
                INSERT INTO audit_entries (sequence, recorded_at, actor, action, stack, change_set_id, commit_id,
                    digest, details, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.integer(entry.sequence), .integer(entry.epochMilliseconds), .text(entry.actor),
                 .text(entry.action.rawValue), SQLValue(entry.stack), SQLValue(entry.changeSetID),
                 SQLValue(entry.commit), SQLValue(entry.digest), .text(try encode(entry.details)),
                 .text(entry.previousHash), .text(entry.hash)])
        } catch is UniqueViolation {
            throw StoreError.database(
                location: session.location, operation: "appending to the audit trail",
                message: "audit entry \(entry.sequence) was written by another process at the same time")
        }
        writtenHead.value.withLock { $0 = (entry.sequence, entry.hash) }
        return entry
    }

    /// Where ``writtenHead`` keeps the head; a class, so that every copy of the transaction
    /// shares it.
    private final class WrittenHead: Sendable {
        let value = Mutex<(sequence: Int64, hash: String)?>(nil)
    }

    // MARK: Access tokens and webhook deliveries

    func accessTokens() async throws -> [AccessTokenRecord] {
        try await session.query("SELECT * FROM access_tokens ORDER BY created_at, id", []).map(accessTokenRecord)
    }

    func accessToken(sha256: String) async throws -> AccessTokenRecord? {
        try await session.query("SELECT * FROM access_tokens WHERE token_sha256 = ?", [.text(sha256)]).first.map(accessTokenRecord)
    }

    func recordAccessToken(id: String, reviewer: String, tokenSHA256: String, expiresAt: Date?, actor: String) async throws -> AccessTokenRecord {
        let time = now
        let expires = expiresAt.map(AuditEntry.milliseconds(of:))
        try await session.execute(
            "INSERT INTO access_tokens (id, reviewer, token_sha256, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)",
            [.text(id), .text(reviewer), .text(tokenSHA256), .integer(time), SQLValue(expires)])
        var details = ["token": id, "reviewer": reviewer]
        if let expires { details["expires_at"] = String(expires) }
        try await append(AuditEvent(actor: actor, action: .tokenIssued, details: details), at: time)
        return AccessTokenRecord(
            id: id, reviewer: reviewer, tokenSHA256: tokenSHA256, createdAt: date(time), expiresAt: expires.map(date))
    }

    func revokeAccessToken(id: String, actor: String) async throws -> AccessTokenRecord {
        guard var record = try await session.query("SELECT * FROM access_tokens WHERE id = ?", [.text(id)]).first.map(accessTokenRecord) else {
            throw StoreError.unknownAccessToken(id)
        }
        guard record.revokedAt == nil else { throw StoreError.accessTokenRevoked(id) }
        let time = now
        try await session.execute("UPDATE access_tokens SET revoked_at = ? WHERE id = ?", [.integer(time), .text(id)])
        try await append(AuditEvent(actor: actor, action: .tokenRevoked, details: ["token": id, "reviewer": record.reviewer]), at: time)
        record.revokedAt = date(time)
        return record
    }

    func recordWebhookDelivery(host: String, deliveryID: String) async throws -> Bool {
        let seen = try await session.query(
            "SELECT delivery_id FROM webhook_deliveries WHERE host = ? AND delivery_id = ?", [.text(host), .text(deliveryID)])
        guard seen.isEmpty else { return false }
        do {
            try await session.execute(
                "INSERT INTO webhook_deliveries (host, delivery_id, received_at) VALUES (?, ?, ?)",
                [.text(host), .text(deliveryID), .integer(now)])
        } catch is UniqueViolation {
            return false
        }
        return true
    }

    // MARK: Rows to records

    private func stackStateRecord(_ row: SQLRow) throws -> StackStateRecord {
        StackStateRecord(
            stack: try row.text("stack"), template: try row.text("template"),
            parameters: try decode([String: String].self, try row.text("parameters"), what: "stack parameters"),
            tags: try decode([String: String].self, try row.text("tags"), what: "stack tags"),
            commit: try row.text("commit_id"), stateVersion: try row.integer("state_version"),
            recordedAt: date(try row.integer("recorded_at")), isRemoved: try row.integer("removed") != 0,
            outputs: try decode([String: String].self, try row.text("outputs"), what: "stack outputs"))
    }

    private func policyRevisionRecord(_ row: SQLRow) throws -> PolicyRevisionRecord {
        PolicyRevisionRecord(
            revision: try row.integer("revision"), commit: try row.text("commit_id"),
            changeSetID: try row.optionalText("change_set_id"), actor: try row.text("actor"),
            recordedAt: date(try row.integer("recorded_at")))
    }

    private func changeSetRecord(_ row: SQLRow) throws -> ChangeSetRecord {
        let id = try row.text("id")
        guard let kind = ChangeSetKind(rawValue: try row.text("kind")) else {
            throw StoreError.corruptRecord(location: session.location, what: "kind of change set \(id)")
        }
        guard let status = ChangeSetStatus(rawValue: try row.text("status")) else {
            throw StoreError.corruptRecord(location: session.location, what: "status of change set \(id)")
        }
        return ChangeSetRecord(
            id: id, kind: kind, stack: try row.text("stack"),
            commits: try decode([String].self, try row.text("commits"), what: "commit list of change set \(id)"),
            baseStateVersion: try row.integer("base_state_version"), targetCommit: try row.text("target_commit"),
            digest: try row.text("digest"), json: try row.text("body"), status: status,
            statusReason: try row.optionalText("status_reason"), createdAt: date(try row.integer("created_at")),
            updatedAt: date(try row.integer("updated_at")))
    }

    private func approvalRecord(_ row: SQLRow) throws -> ApprovalRecord {
        guard let verdict = Verdict(rawValue: try row.text("verdict")) else {
            throw StoreError.corruptRecord(location: session.location, what: "verdict")
        }
        return ApprovalRecord(
            changeSetID: try row.text("change_set_id"), reviewer: try row.text("reviewer"), verdict: verdict,
            digest: try row.text("digest"), signature: try row.optionalText("signature"),
            reason: try row.optionalText("reason"), recordedAt: date(try row.integer("recorded_at")))
    }

    private func executionRecord(_ row: SQLRow) throws -> ExecutionRecord {
        let id = try row.text("id")
        var result: ExecutionResult?
        if let text = try row.optionalText("result") {
            guard let value = ExecutionResult(rawValue: text) else {
                throw StoreError.corruptRecord(location: session.location, what: "result of execution \(id)")
            }
            result = value
        }
        return ExecutionRecord(
            id: id, changeSetID: try row.text("change_set_id"), stack: try row.text("stack"),
            startedAt: date(try row.integer("started_at")), finishedAt: try row.optionalInteger("finished_at").map(date),
            result: result, providerOutput: try row.optionalText("provider_output"),
            cancelRequest: try row.optionalText("cancel_requested_by").map { actor in
                CancelRequest(
                    actor: actor, reason: try row.optionalText("cancel_reason") ?? "",
                    requestedAt: date(try row.optionalInteger("cancel_requested_at") ?? 0))
            })
    }

    private func accessTokenRecord(_ row: SQLRow) throws -> AccessTokenRecord {
        AccessTokenRecord(
            id: try row.text("id"), reviewer: try row.text("reviewer"), tokenSHA256: try row.text("token_sha256"),
            createdAt: date(try row.integer("created_at")), expiresAt: try row.optionalInteger("expires_at").map(date),
            revokedAt: try row.optionalInteger("revoked_at").map(date))
    }

    /// Reads an entry back exactly as stored, so that verification sees any tampering; details that
    /// are not a JSON object of strings are kept as one `unreadable` detail, which fails the hash.
    /// Details in the store's own shape are kept as their text (``AuditDetails/init(sortedFlatJSON:)``).
    /// Without a `decoder`, one is made for the rare details that need it. A value that cannot be
    /// read is reported with its entry's sequence when that can be read. Without its chain fields,
    /// from a row of ``eventColumns``, the entry's time and hashes are left empty.
    private func auditEntry(_ row: SQLRow, decoder: JSONDecoder?, withChainFields: Bool = true) throws -> AuditEntry {
        do {
            return try readAuditEntry(row, decoder: decoder, withChainFields: withChainFields)
        } catch StoreError.corruptRecord(let location, let what) {
            guard let sequence = try? row.integer(at: 0, "sequence") else { throw StoreError.corruptRecord(location: location, what: what) }
            throw StoreError.corruptRecord(location: location, what: "\(what) of audit entry \(sequence)")
        }
    }

    private func readAuditEntry(_ row: SQLRow, decoder: JSONDecoder?, withChainFields: Bool) throws -> AuditEntry {
        let detailsText = try row.text(at: 7, "details")
        let details = AuditDetails(sortedFlatJSON: detailsText)
            ?? AuditDetails(flatJSON: detailsText)
            ?? AuditDetails(
                (try? (decoder ?? JSONDecoder()).decode([String: String].self, from: Data(detailsText.utf8))) ?? ["unreadable": detailsText])
        return AuditEntry(
            sequence: try row.integer(at: 0, "sequence"), epochMilliseconds: withChainFields ? try row.integer(at: 8, "recorded_at") : 0,
            actor: try row.text(at: 1, "actor"), action: AuditAction(rawValue: try row.text(at: 2, "action")),
            stack: try row.optionalText(at: 3, "stack"), changeSetID: try row.optionalText(at: 4, "change_set_id"),
            commit: try row.optionalText(at: 5, "commit_id"), digest: try row.optionalText(at: 6, "digest"),
            detailValues: details, previousHash: withChainFields ? try row.text(at: 9, "previous_hash") : "",
            hash: withChainFields ? try row.text(at: 10, "hash") : "")
    }

    /// The columns ``auditEntry(_:decoder:withChainFields:)`` reads, in the order it reads them by
    /// position: an event's columns, then the time and hashes that only the chain check needs.
    private static let auditColumns = eventColumns + ", recorded_at, previous_hash, hash"
    /// What an entry records about the event; the table check reads no more.
    private static let eventColumns = "sequence, actor, action, stack, change_set_id, commit_id, digest, details"

    // MARK: Encoding

    func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let text = String(data: try encoder.encode(value), encoding: .utf8) else {
            throw StoreError.database(location: session.location, operation: "encoding a record", message: "not UTF-8")
        }
        return text
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corruptRecord(location: session.location, what: what)
        }
    }
}

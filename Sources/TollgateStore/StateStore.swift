public import Foundation
public import TollgateCore

/// Where Tollgate keeps what it has recorded: stack states, the scan position, change sets,
/// verdicts, executions and the hash-chained audit trail.
///
/// Two implementations stand behind it, ``SQLiteStateStore`` (embedded, the default) and
/// ``PostgresStateStore`` (one database shared by several processes); ``StoreLocation/open(clock:)``
/// picks one. Every change goes through ``transaction(_:)``, and every change a transaction makes
/// writes its audit entry in that same transaction, so that the trail can never miss a change nor
/// record one that did not happen.
///
/// Write transactions are serialised across every process that uses the store (SQLite
/// `BEGIN IMMEDIATE`, a PostgreSQL advisory lock), so a transaction that reads, decides and writes
/// sees no concurrent writer; unique constraints catch what a caller could still get wrong.
/// Read methods run outside any write transaction and see the last committed state.
public protocol StateStore: StoreReader {
    /// The database file or the PostgreSQL URL without its password, for messages.
    var location: String { get }

    /// Runs `body` in one write transaction: everything it writes commits together, or nothing does
    /// if it throws (or the process dies before the commit).
    ///
    /// The transaction object is valid only inside `body`; do not keep it. Inside `body`, read
    /// through the transaction, not through the store: the SQLite store refuses such a nested call
    /// with ``StoreError/nestedCall(location:)``, and a nested write on PostgreSQL would wait for
    /// the lock its own transaction holds.
    /// - Throws: whatever `body` throws, or ``StoreError`` when the database fails or stays locked.
    func transaction<T: Sendable>(_ body: (any StoreTransaction) async throws -> T) async throws -> T

    /// Runs `body` with read access to the last committed state.
    ///
    /// - Throws: whatever `body` throws, or ``StoreError`` when the database fails.
    func read<T: Sendable>(_ body: (any StoreReader) async throws -> T) async throws -> T

    /// Closes the connections; the store must not be used afterwards.
    func close() async throws

    /// Another store on the same database, for a long read that runs beside this store's own
    /// (``verifyAuditTrailAndTables(expectedHead:)``); nil when reads of this store already run
    /// side by side. The caller closes it.
    ///
    /// - Throws: ``StoreError`` when the second connection cannot be opened.
    func openSideReader() async throws -> (any StateStore)?
}

/// A chunk of the audit trail read for verification: 2,000 entries keep the rows and entries in
/// flight to a few megabytes, while a round trip per page costs little.
let auditPageSize = 2_000

extension StateStore {
    public func stackState(_ stack: String) async throws -> StackStateRecord? {
        try await read { try await $0.stackState(stack) }
    }

    public func stackStates() async throws -> [StackStateRecord] {
        try await read { try await $0.stackStates() }
    }

    public func scanCursor(branch: String) async throws -> String? {
        try await read { try await $0.scanCursor(branch: branch) }
    }

    public func policyInForce() async throws -> PolicyRevisionRecord? {
        try await read { try await $0.policyInForce() }
    }

    public func stackLock(_ stack: String) async throws -> StackLock? {
        try await read { try await $0.stackLock(stack) }
    }

    public func policyRevisions() async throws -> [PolicyRevisionRecord] {
        try await read { try await $0.policyRevisions() }
    }

    public func changeSet(id: String) async throws -> ChangeSetRecord {
        try await read { try await $0.changeSet(id: id) }
    }

    public func pendingChangeSet(stack: String) async throws -> ChangeSetRecord? {
        try await read { try await $0.pendingChangeSet(stack: stack) }
    }

    public func changeSets(_ filter: ChangeSetFilter) async throws -> [ChangeSetRecord] {
        try await read { try await $0.changeSets(filter) }
    }

    public func approvals(changeSetID: String) async throws -> [ApprovalRecord] {
        try await read { try await $0.approvals(changeSetID: changeSetID) }
    }

    public func execution(id: String) async throws -> ExecutionRecord {
        try await read { try await $0.execution(id: id) }
    }

    public func executions(changeSetID: String) async throws -> [ExecutionRecord] {
        try await read { try await $0.executions(changeSetID: changeSetID) }
    }

    public func latestExecution(stack: String) async throws -> ExecutionRecord? {
        try await read { try await $0.latestExecution(stack: stack) }
    }

    public func unfinishedExecutions() async throws -> [ExecutionRecord] {
        try await read { try await $0.unfinishedExecutions() }
    }

    public func auditEntries(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await read { try await $0.auditEntries(filter) }
    }

    public func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read { try await $0.auditEntries(after: sequence, limit: limit) }
    }

    public func forEachAuditEntry(
        after sequence: Int64, limit: Int, withChainFields: Bool, _ body: @escaping @Sendable (AuditEntry) -> Void
    ) async throws -> Int {
        try await read { try await $0.forEachAuditEntry(after: sequence, limit: limit, withChainFields: withChainFields, body) }
    }

    public func auditHead() async throws -> AuditEntry? {
        try await read { try await $0.auditHead() }
    }

    public func auditSequence() async throws -> Int64? {
        try await read { try await $0.auditSequence() }
    }

    public func stackCommits(stack: String) async throws -> [StackCommit] {
        try await read { try await $0.stackCommits(stack: stack) }
    }

    public func unappliedCommits(stack: String) async throws -> [StackCommit] {
        try await read { try await $0.unappliedCommits(stack: stack) }
    }

    public func trailCursor(branch: String) async throws -> String? {
        try await read { try await $0.trailCursor(branch: branch) }
    }

    public func firstDisagreement(after pass: AuditPass) async throws -> TableDisagreement? {
        try await read { try await $0.firstDisagreement(after: pass) }
    }

    public func accessTokens() async throws -> [AccessTokenRecord] {
        try await read { try await $0.accessTokens() }
    }

    public func accessToken(sha256: String) async throws -> AccessTokenRecord? {
        try await read { try await $0.accessToken(sha256: sha256) }
    }

    public func notifications(states: Set<NotificationState>, limit: Int) async throws -> [NotificationRecord] {
        try await read { try await $0.notifications(states: states, limit: limit) }
    }

    public func notificationBacklog() async throws -> Int {
        try await read { try await $0.notificationBacklog() }
    }

    public func nextNotificationDue() async throws -> Date? {
        try await read { try await $0.nextNotificationDue() }
    }

    /// Walks the whole audit trail in sequence order and checks every link, in constant memory.
    ///
    /// - Parameter expectedHead: a head hash exported earlier with `tollgate audit head`; it must
    ///   still be in the chain, which catches a cut tail or a wholesale rewrite.
    /// - Returns: the verdict, naming the first bad sequence number if the trail was tampered with.
    /// - Throws: ``StoreError`` when the database cannot be read.
    public func verifyAuditTrail(expectedHead: String? = nil) async throws -> AuditVerification {
        try await verifyAuditTrail(expectedHead: expectedHead, memory: .standard)
    }

    func verifyAuditTrail(expectedHead: String?, memory: AuditCheckMemory) async throws -> AuditVerification {
        let pass = AuditPass(chainTo: expectedHead, memory: memory, location: location)
        try await pass.run(over: self)
        return pass.verifier.finish()
    }
}

/// Read access to the store, inside or outside a transaction.
public protocol StoreReader: Sendable {
    /// The recorded state of `stack`, or nil if it was never applied.
    func stackState(_ stack: String) async throws -> StackStateRecord?
    /// The recorded state of every stack, by name.
    func stackStates() async throws -> [StackStateRecord]
    /// The last commit scanned on `branch`, or nil before the first scan.
    func scanCursor(branch: String) async throws -> String?
    /// The newest policy revision, the one in force; nil before `tollgate init`.
    func policyInForce() async throws -> PolicyRevisionRecord?
    /// Every policy revision still recorded, newest first.
    func policyRevisions() async throws -> [PolicyRevisionRecord]
    /// The lock an apply holds on `stack`, lapsed or not; nil when none does.
    func stackLock(_ stack: String) async throws -> StackLock?
    /// The change set with this id.
    /// - Throws: ``StoreError/unknownChangeSet(_:)`` when there is none.
    func changeSet(id: String) async throws -> ChangeSetRecord
    /// The change set of `stack` that waits for review, if any (there is at most one).
    func pendingChangeSet(stack: String) async throws -> ChangeSetRecord?
    /// The change sets that match `filter`, newest first.
    func changeSets(_ filter: ChangeSetFilter) async throws -> [ChangeSetRecord]
    /// Every verdict on the change set, oldest first.
    func approvals(changeSetID: String) async throws -> [ApprovalRecord]
    /// The execution with this id.
    /// - Throws: ``StoreError/unknownExecution(_:)`` when there is none.
    func execution(id: String) async throws -> ExecutionRecord
    /// Every execution of the change set, oldest first.
    func executions(changeSetID: String) async throws -> [ExecutionRecord]
    /// The execution of `stack` that started last, if any.
    func latestExecution(stack: String) async throws -> ExecutionRecord?
    /// Executions that started and never finished, such as those of a process that died mid-apply.
    func unfinishedExecutions() async throws -> [ExecutionRecord]
    /// The audit entries that match `filter`, in sequence order.
    func auditEntries(_ filter: AuditFilter) async throws -> [AuditEntry]
    /// Up to `limit` audit entries with a sequence above `sequence`, in order; pages through the trail.
    func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry]
    /// Hands up to `limit` audit entries with a sequence above `sequence` to `body`, in order and
    /// one at a time, without collecting them; returns how many there were. A row that cannot be
    /// read throws once the rows before it were handed over. Without its chain fields an entry
    /// is read without its time and hashes, which are left empty: what the table check reads.
    func forEachAuditEntry(
        after sequence: Int64, limit: Int, withChainFields: Bool, _ body: @escaping @Sendable (AuditEntry) -> Void
    ) async throws -> Int
    /// The last audit entry, or nil for an empty trail.
    func auditHead() async throws -> AuditEntry?
    /// The last audit entry's sequence, or nil for an empty trail: every change of record appends
    /// an entry in its own transaction, so a reader that sees the same sequence twice knows that
    /// nothing changed in between, at the cost of one indexed lookup.
    func auditSequence() async throws -> Int64?
    /// Every commit attributed to `stack`, in the order the syncs attributed them.
    func stackCommits(stack: String) async throws -> [StackCommit]
    /// The commit the audit trail last moved `branch`'s scan cursor to, or nil if it never did.
    func trailCursor(branch: String) async throws -> String?
    /// The first row of a derived table that disagrees with the trail as `pass` read it
    /// (``StateStore/verifyTables()``).
    func firstDisagreement(after pass: AuditPass) async throws -> TableDisagreement?
    /// The commits attributed to `stack` that no APPLIED change set of the stack covered: those
    /// whose authors wrote some of what the stack's next change set would apply.
    func unappliedCommits(stack: String) async throws -> [StackCommit]
    /// Every access token, revoked and expired ones too, oldest first.
    func accessTokens() async throws -> [AccessTokenRecord]
    /// The access token whose SHA-256 is `sha256` (lower-case hex), if any.
    func accessToken(sha256: String) async throws -> AccessTokenRecord?
    /// Up to `limit` notifications of the outbox in `states` (any when empty), newest first.
    func notifications(states: Set<NotificationState>, limit: Int) async throws -> [NotificationRecord]
    /// How many notifications wait for delivery.
    func notificationBacklog() async throws -> Int
    /// When the earliest queued notification is due, or nil when none is queued.
    func nextNotificationDue() async throws -> Date?
}

/// Write access inside ``StateStore/transaction(_:)``; each write appends its audit entry with
/// `actor` as the one who caused it.
public protocol StoreTransaction: StoreReader {
    /// Records what was applied to a stack, with a state version one above the previous one, and
    /// what the provider reported (`outputs`).
    /// - Returns: the record as stored.
    func recordStackState(
        stack: String, template: String, parameters: [String: String], tags: [String: String],
        outputs: [String: String], commit: String, actor: String
    ) async throws -> StackStateRecord

    /// Puts the `Policies/` of `commit` in force as the next revision; `changeSetID` names the
    /// applied policy change set, nil when `tollgate init` trusts it. Writes one audit entry.
    func recordPolicyRevision(commit: String, changeSetID: String?, actor: String) async throws -> PolicyRevisionRecord

    /// Takes the lock on `stack` for `executionID` until `leaseSeconds` from now. A lock another
    /// execution holds is replaced only when `takeOver` names that execution: `apply --resume`
    /// does so, in the same transaction, after finding its lease lapsed or its holder dead.
    /// Locks are coordination, not record: they write no audit entry.
    /// - Throws: ``StoreError/stackLocked(_:)`` with the holder's lock when another holds it.
    func lockStack(_ stack: String, executionID: String, holder: String, leaseSeconds: Int, takeOver: String?) async throws -> StackLock

    /// Extends the lease of the lock `executionID` holds on `stack`.
    /// - Throws: ``StoreError/lockLost(stack:executionID:)`` when it no longer holds it.
    func renewStackLock(_ stack: String, executionID: String, leaseSeconds: Int) async throws

    /// Releases the lock `executionID` holds on `stack`, if it still does.
    func unlockStack(_ stack: String, executionID: String) async throws

    /// Records that an apply removed the stack: an empty state marked ``StackStateRecord/isRemoved``,
    /// with the next state version.
    func recordStackRemoval(stack: String, commit: String, actor: String) async throws -> StackStateRecord

    /// Attributes `commits` to `stack`, after those attributed before; a commit attributed already
    /// is left as it is. Writes one audit entry listing the new ones.
    func attributeCommits(_ commits: [StackCommit], stack: String, actor: String) async throws

    /// Records `commit` as the last one scanned on `branch`.
    func setScanCursor(branch: String, commit: String, actor: String) async throws

    /// Inserts a new change set and supersedes the change set of the same stack that was still
    /// pending or approved. The new one is ``ChangeSetStatus/pending``, or ``ChangeSetStatus/failed``
    /// when `changeSet.status` says so: a commit whose stack could not be planned, kept with the
    /// reason in ``ChangeSetRecord/statusReason`` as CloudFormation keeps a failed change set.
    ///
    /// - Throws: ``StoreError/duplicateChangeSet(stack:targetCommit:baseStateVersion:)`` when the
    ///   same change set exists (another process made it first), or
    ///   ``StoreError/duplicateChangeSetID(_:)`` when the id is taken.
    func createChangeSet(_ changeSet: ChangeSetRecord, actor: String) async throws -> ChangeSetCreation

    /// Moves a change set to `status`, keeping `reason` with it.
    /// - Throws: ``StoreError/illegalTransition(_:)`` when the lifecycle forbids it,
    ///   ``StoreError/unknownChangeSet(_:)`` when there is no such change set.
    func transition(changeSetID: String, to status: ChangeSetStatus, actor: String, reason: String?) async throws -> ChangeSetRecord

    /// Records a reviewer's verdict; the reviewer is the audit actor. It does not change the change
    /// set's status: the engine decides that from the policy and calls ``transition(changeSetID:to:actor:reason:)``.
    /// - Throws: ``StoreError/digestMismatch(changeSetID:expected:given:)``,
    ///   ``StoreError/notReviewable(changeSetID:status:)`` or ``StoreError/duplicateApproval(changeSetID:reviewer:)``.
    func recordVerdict(_ approval: ApprovalRecord) async throws -> ApprovalRecord

    /// Starts an apply: records the execution and moves the change set from APPROVED to APPLYING.
    func startExecution(id: String, changeSetID: String, actor: String) async throws -> ExecutionRecord

    /// Keeps the provider's latest report on a running execution, so that an apply that dies half
    /// way can be explained; progress is not a state change and writes no audit entry.
    func recordProviderOutput(executionID: String, output: String) async throws

    /// Asks the process applying execution `executionID` to stop its provider, audited; the change
    /// set stays APPLYING until that process ends the execution CANCELLED (or APPLIED, when the
    /// provider had finished). A second request keeps the first.
    func requestCancel(executionID: String, actor: String, reason: String) async throws -> ExecutionRecord

    /// Ends an apply: records its outcome and moves the change set to APPLIED, FAILED or CANCELLED.
    func finishExecution(id: String, result: ExecutionResult, providerOutput: String?, actor: String) async throws -> ExecutionRecord

    /// Appends an audit entry for an event that has no record of its own, such as trusting the
    /// first policy.
    func appendAudit(_ event: AuditEvent) async throws -> AuditEntry

    /// Stores a new access token with the store's time as its creation; writes one audit entry
    /// naming the token's id and reviewer (never the token or its hash).
    func recordAccessToken(id: String, reviewer: String, tokenSHA256: String, expiresAt: Date?, actor: String) async throws -> AccessTokenRecord

    /// Revokes the access token `id` now; writes one audit entry.
    /// - Throws: ``StoreError/unknownAccessToken(_:)`` or ``StoreError/accessTokenRevoked(_:)``.
    func revokeAccessToken(id: String, actor: String) async throws -> AccessTokenRecord

    /// Records that the git host `host` delivered `deliveryID`; false when it was recorded before,
    /// so that a redelivered webhook is handled once. Coordination, not record: no audit entry.
    func recordWebhookDelivery(host: String, deliveryID: String) async throws -> Bool

    /// Leases up to `limit` queued notifications that are due to `holder` for `leaseSeconds`, oldest
    /// first; none that another holder's lease still covers. Coordination, not record: no audit entry.
    ///
    /// Notifications themselves are written by ``createChangeSet(_:actor:)`` and
    /// ``transition(changeSetID:to:actor:reason:)``, in the transaction of the change they announce.
    func claimNotifications(holder: String, leaseSeconds: Int, limit: Int) async throws -> [NotificationRecord]

    /// Records how an attempt to deliver notification `id` went, if `holder` still holds its lease;
    /// false when it does not (its lease lapsed and another dispatcher took it), and nothing changes.
    func recordNotificationAttempt(id: Int64, holder: String, outcome: NotificationOutcome) async throws -> Bool

    /// Queues failed notification `id` again, due now, with its attempts counted from zero, and
    /// writes an audit entry naming `actor`, the notification and its change set: a retry sends a
    /// message again on someone's say, which an auditor may ask about.
    /// - Throws: ``StoreError/unknownNotification(_:)`` or ``StoreError/notificationNotFailed(id:state:)``.
    func retryNotification(id: Int64, actor: String) async throws -> NotificationRecord

    /// Deletes the delivered notifications whose delivery finished `seconds` or more before now
    /// (the store's clock); queued and failed ones are never deleted. Housekeeping of the outbox,
    /// which is delivery coordination, not record: no audit entry.
    /// - Returns: how many were deleted.
    func deleteDeliveredNotifications(olderThanSeconds seconds: Int) async throws -> Int
}

/// Which change sets to list.
public struct ChangeSetFilter: Sendable, Hashable {
    /// Only this stack's change sets.
    public var stack: String?
    /// Only change sets in these statuses; empty means any.
    public var statuses: Set<ChangeSetStatus>

    /// Creates a filter; with no arguments it matches every change set.
    public init(stack: String? = nil, statuses: Set<ChangeSetStatus> = []) {
        self.stack = stack
        self.statuses = statuses
    }
}

/// What ``StoreTransaction/createChangeSet(_:actor:)`` did.
public struct ChangeSetCreation: Sendable, Hashable {
    /// The new change set as stored.
    public var changeSet: ChangeSetRecord
    /// The change set it superseded, if the stack had one open.
    public var superseded: ChangeSetRecord?

    /// Creates the result.
    public init(changeSet: ChangeSetRecord, superseded: ChangeSetRecord?) {
        self.changeSet = changeSet
        self.superseded = superseded
    }
}

extension StoreTransaction {
    /// Records what was applied to a stack, with no provider outputs.
    public func recordStackState(
        stack: String, template: String, parameters: [String: String], tags: [String: String],
        commit: String, actor: String
    ) async throws -> StackStateRecord {
        try await recordStackState(stack: stack, template: template, parameters: parameters, tags: tags, outputs: [:], commit: commit, actor: actor)
    }
}

import Foundation
public import TollgateCore
public import TollgateStore

/// Builds the ``StatusReport`` from the store, judging every open change set under the policy in
/// force as `explain` would, so that a stored status the policy no longer supports is shown.
public struct StatusReader: Sendable {
    /// The store read.
    public let store: any StateStore
    /// The clock that decides change windows for the review of open change sets.
    public let clock: any WallClock

    /// Creates the reader over `store`.
    public init(store: any StateStore, clock: any WallClock = SystemWallClock()) {
        self.store = store
        self.clock = clock
    }

    /// Whether a stack named `name` is kept by the search `text` (every stack when nil).
    public static func name(_ name: String, matches text: String?) -> Bool {
        text.map { name.contains($0) } ?? true
    }

    /// The policy line and every stack at the branch's tip or known to the store (a recorded state
    /// or an open change set), keeping the stacks whose name contains `text` when it is given.
    ///
    /// - Throws: ``StoreError`` when the store cannot be read, ``GitError`` when git cannot.
    public func report(repository: ManagedRepository, matching text: String?) async throws -> StatusReport {
        try await report(repository: repository, matching: text, only: nil)
    }

    /// `report` brought up to date with the audit entries recorded after `sequence`, reading again
    /// only the rows of the stacks those entries name: after an approval, one stack instead of all.
    ///
    /// Every change of state is audited with the stack it concerns, so the other rows still hold.
    /// - Returns: nil when an entry can change more than its own stack's row (the policy, a scan,
    ///   an action this version does not know) or there are too many: the whole report must be read.
    /// - Throws: ``StoreError`` when the store cannot be read, ``GitError`` when git cannot.
    public func refreshed(_ report: StatusReport, after sequence: Int64, repository: ManagedRepository) async throws -> StatusReport? {
        let entries = try await store.auditEntries(after: sequence, limit: Self.refreshLimit)
        guard entries.count < Self.refreshLimit else { return nil }
        var touched: Set<String> = []
        for entry in entries {
            if let stack = entry.stack {
                guard stack != StackLayout.policiesFolder else { return nil }
                touched.insert(stack)
            } else if !Self.leavesStacksAlone(entry.action) {
                return nil
            }
        }
        return try await rereading(touched, in: report, repository: repository)
    }

    /// `report` with the rows that time alone changes read again, for a report kept while the
    /// store and the branch stand still: a stack being applied (its lock's lease may lapse) and,
    /// while the policy in force has guard waivers (each in force until a date), every stack with
    /// an open change set. Change windows decide when an approved change set may apply, not its
    /// status, so no other row changes with time.
    ///
    /// - Returns: nil when the policy line may change with time (an open policy change set, whose
    ///   proposed waivers can lapse): the whole report must be read.
    /// - Throws: ``StoreError`` when the store cannot be read, ``GitError`` when git cannot.
    public func refreshedForTime(_ report: StatusReport, repository: ManagedRepository) async throws -> StatusReport? {
        guard report.policy?.pendingChangeSet == nil else { return nil }
        var timed = Set(report.stacks.filter { $0.status == .applying }.map(\.stack))
        if let inForce = try await store.policyInForce(),
            try await !PolicyInForce.read(commit: inForce.commit, repository: repository).policy.guards.waivers.isEmpty {
            timed.formUnion(report.stacks.filter { $0.pendingChangeSet != nil }.map(\.stack))
        }
        return try await rereading(timed, in: report, repository: repository)
    }

    /// `report` with the rows of `stacks` read again and the others kept as they are.
    private func rereading(_ stacks: Set<String>, in report: StatusReport, repository: ManagedRepository) async throws -> StatusReport {
        guard !stacks.isEmpty else { return report }
        let fresh = try await self.report(repository: repository, matching: nil, only: stacks)
        let rows = (report.stacks.filter { !stacks.contains($0.stack) } + fresh.stacks).sorted { $0.stack < $1.stack }
        return StatusReport(policy: report.policy, stacks: rows)
    }

    /// More new entries than this and reading everything again is as quick.
    static let refreshLimit = 500

    /// Actions without a stack that change no row of the report.
    private static func leavesStacksAlone(_ action: AuditAction) -> Bool {
        [.tokenIssued, .tokenRevoked, .storeMigrated].contains(action) || action.rawValue.hasPrefix("notification.")
    }

    /// The report, reading only the stacks in `only` when it is given (the policy line is then
    /// not to be used: it depends on the open policy change set, which may have been left out).
    private func report(repository: ManagedRepository, matching text: String?, only: Set<String>?) async throws -> StatusReport {
        let repositoryStacks = try await repository.read { git in
            if let only, only.count <= Self.readOneByOne { return try git.stackNames(only, at: git.tip) }
            return try git.stackNames(at: git.tip).filter { only?.contains($0) ?? true }
        }
        let inForce = try await store.policyInForce()
        var policy: PolicyInForce?
        if let inForce { policy = try await PolicyInForce.read(commit: inForce.commit, repository: repository) }
        let open = try await store.read { reader in
            var open: [String: (record: ChangeSetRecord, tampered: Bool)] = [:]
            for record in try await Self.changeSets(in: [.pending, .approved], of: only, reader: reader)
            where open[record.stack] == nil && only?.contains(record.stack) ?? true {
                open[record.stack] = (record, try await reader.disagreement(of: record) != nil)
            }
            return open
        }
        let review = ReviewService(store: store, clock: clock)
        var computed: [String: ReviewStatus] = [:]
        if let policy {
            for (stack, change) in open where !change.tampered {
                computed[stack] = try await review.currentVerdict(of: change.record, policy: policy, repository: repository).status
            }
        }
        let stacks = try await rows(repositoryStacks: repositoryStacks, matching: text, only: only, open: open, computed: computed)
        var policyStatus: PolicyStatus?
        if let revision = inForce {
            let change = open[StackLayout.policiesFolder]
            var shown: StackCondition?
            if let change { shown = condition(stored: change.record.status, computed: computed[StackLayout.policiesFolder], tampered: change.tampered) }
            policyStatus = PolicyStatus(
                revision: revision.revision, commit: revision.commit, actor: revision.actor, recordedAt: revision.recordedAt,
                appliedChangeSet: revision.changeSetID, pendingChangeSet: change?.record.id, status: shown,
                storedStatus: change.flatMap { differs(stored: $0.record.status, shown) })
        }
        return StatusReport(policy: policyStatus, stacks: stacks)
    }

    /// Up to this many stacks, a refresh reads their rows stack by stack; past it, whole tables.
    static let readOneByOne = 64

    /// The change sets in `statuses`, of the stacks in `only` when that is a few, else of all.
    private static func changeSets(in statuses: Set<ChangeSetStatus>, of only: Set<String>?, reader: any StoreReader) async throws -> [ChangeSetRecord] {
        guard let only, only.count <= readOneByOne else { return try await reader.changeSets(ChangeSetFilter(statuses: statuses)) }
        var records: [ChangeSetRecord] = []
        for stack in only.sorted() { records += try await reader.changeSets(ChangeSetFilter(stack: stack, statuses: statuses)) }
        return records
    }

    private func rows(
        repositoryStacks: [String], matching text: String?, only: Set<String>?,
        open: [String: (record: ChangeSetRecord, tampered: Bool)], computed: [String: ReviewStatus]
    ) async throws -> [StackStatus] {
        try await store.read { reader in
            var states: [String: StackStateRecord] = [:]
            if let only, only.count <= Self.readOneByOne {
                for stack in only { states[stack] = try await reader.stackState(stack) }
            } else {
                states = Dictionary(try await reader.stackStates().map { ($0.stack, $0) }, uniquingKeysWith: { first, _ in first })
            }
            var planFailures: [String: ChangeSetRecord] = [:]
            for record in try await Self.changeSets(in: [.failed], of: only, reader: reader) where record.planFailure != nil {
                if planFailures[record.stack] == nil { planFailures[record.stack] = record }
            }
            let names = Set(repositoryStacks).union(states.keys).union(open.keys)
                .filter { !StackLayout.isReservedName($0) && only?.contains($0) ?? true }
                .filter { Self.name($0, matches: text) }
                .sorted()
            var rows: [StackStatus] = []
            rows.reserveCapacity(names.count)
            for name in names {
                let execution = try await reader.latestExecution(stack: name)
                let change = open[name]
                // A plan failure counts while nothing newer is open or was applied since.
                let failure = planFailures[name].flatMap { failure in
                    change == nil && (execution.map { $0.startedAt < failure.createdAt } ?? true) ? failure : nil
                }
                var status: StackCondition
                var stalled = false
                if let execution, execution.finishedAt == nil {
                    status = .applying
                    let lock = try await reader.stackLock(name)
                    stalled = lock.map { $0.executionID != execution.id || !$0.isLive(at: clock.now()) } ?? true
                } else if let change {
                    status = condition(stored: change.record.status, computed: computed[name], tampered: change.tampered)
                } else if failure != nil {
                    status = .planFailed
                } else {
                    switch execution?.result {
                    case .failed: status = .failed
                    case .succeeded: status = .applied
                    // A cancelled apply left the stack where its last recorded state says.
                    case .cancelled, nil: status = states[name] != nil ? .applied : .notApplied
                    }
                }
                rows.append(StackStatus(
                    stack: name, status: status, storedStatus: change.flatMap { differs(stored: $0.record.status, status) },
                    pendingChangeSet: change?.record.id, failedChangeSet: failure?.id, stateVersion: states[name]?.stateVersion,
                    lastExecution: execution?.id, startedAt: execution?.startedAt, finishedAt: execution?.finishedAt,
                    result: execution?.result, executionStalled: stalled))
            }
            return rows
        }
    }

    /// An open change set's condition: TAMPERED when it disagrees with the trail, otherwise what
    /// the policy in force computes, or the stored status before any policy is in force.
    private func condition(stored: ChangeSetStatus, computed: ReviewStatus?, tampered: Bool) -> StackCondition {
        if tampered { return .tampered }
        if let computed { return StackCondition(computed) }
        return stored == .approved ? .approved : .pending
    }

    /// The stored status when the shown condition says otherwise; nil when they agree.
    private func differs(stored: ChangeSetStatus, _ shown: StackCondition?) -> ChangeSetStatus? {
        switch shown {
        case .pending? where stored == .pending, .approved? where stored == .approved, .applying?, nil: nil
        default: stored
        }
    }
}

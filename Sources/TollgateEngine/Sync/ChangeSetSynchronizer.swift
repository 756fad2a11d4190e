import Foundation
public import Logging
import TollgateCore
import TollgateGit
public import TollgateStore

/// Turns the commits on a branch since the last sync into change sets waiting for review.
///
/// A run reads the scan cursor, walks the first-parent history after it, and for every stack that
/// the new commits changed plans one change set at the newest commit that changed it, against the
/// stack's recorded state; a change under `Policies/` gives one policy change set. Several commits
/// to one stack thus make one change set listing them all, and a stack that still has an open
/// change set gets a new one listing the old one's commits too, which the store marks the old one
/// SUPERSEDED for in the same transaction.
///
/// Everything slow (reading git, parsing, planning) happens before the store is written. The
/// writes, with the cursor's move to the tip, then go into one transaction that first checks
/// that the cursor, the recorded states and the open change sets are still those the plan was
/// made from. So a process killed at any moment leaves either nothing or the whole sync, and a
/// second process syncing at the same time finds the cursor moved and plans again from there,
/// never creating a change set twice.
///
/// The synchronizer reads git through ``ManagedRepository``, on its thread pool.
public struct ChangeSetSynchronizer: Sendable {
    /// How often a run plans again after another process changed the store under it.
    static let maximumAttempts = 5

    private let repository: ManagedRepository
    private let store: any StateStore
    private let actor: String
    private let logger: Logger

    /// A synchronizer of `repository`'s branch into `store`, writing audit entries as `actor` and
    /// telling `logger` what each sync did.
    public init(repository: ManagedRepository, store: any StateStore, actor: String, logger: Logger = .silent) {
        self.repository = repository
        self.store = store
        self.actor = actor
        self.logger = logger
    }

    /// Syncs the branch up to its tip.
    ///
    /// - Parameter start: on the first sync of the branch, the first commit to scan instead of the
    ///   first commit of the history.
    /// - Returns: what was created; ``SyncReport/isNothingNew`` when the cursor was at the tip.
    /// - Throws: ``SyncError`` for a start or cursor off the branch, a stack that cannot be planned
    ///   or a store that kept changing; ``GitError`` and ``StoreError`` from below.
    public func sync(from start: String? = nil) async throws -> SyncReport {
        var attempts = 0
        while true {
            attempts += 1
            do {
                let report = try await attempt(from: start)
                logger.info("branch synced", metadata: [
                    "sync.branch": "\(report.branch)", "sync.cursor": "\(report.cursor)", "sync.created": "\(report.created.count)",
                ])
                return report
            } catch let error where Self.isConcurrentWrite(error) {
                logger.debug("another process wrote the store during the sync; planning again", metadata: ["sync.attempt": "\(attempts)"])
                if attempts == Self.maximumAttempts {
                    throw SyncError.keptChanging(branch: repository.branch, attempts: attempts)
                }
            }
        }
    }

    /// Whether `error` means that another process wrote the store between planning and writing.
    private static func isConcurrentWrite(_ error: any Error) -> Bool {
        if error is StoreMovedOn { return true }
        if case StoreError.duplicateChangeSet = error { return true }
        return false
    }

    private func attempt(from start: String?) async throws -> SyncReport {
        let branch = repository.branch
        let (cursor, trailCursor) = try await store.read { reader in
            (try await reader.scanCursor(branch: branch), try await reader.trailCursor(branch: branch))
        }
        // A cursor moved past commits outside tollgate would let them through without a change set.
        guard cursor == trailCursor else { throw SyncError.cursorTampered(branch: branch, stored: cursor, trail: trailCursor) }
        let tip = repository.tip.hex
        if let cursor, start != nil { throw SyncError.alreadySynced(branch: branch, cursor: cursor) }
        if cursor == tip {
            return SyncReport(branch: branch, previousCursor: cursor, cursor: tip, relevantCommits: 0, created: [], unchanged: [], withdrawn: [])
        }
        let (relevantCommits, touched) = try await repository.read { git in try touchedCommits(after: cursor, start: start, in: git) }
        let touchedNames = Array(touched.stacks.keys) + (touched.policyCommits.isEmpty ? [] : [StackLayout.policiesFolder])
        let (states, inForce, open, unapplied) = try await store.read { reader in
            let states = Dictionary(try await reader.stackStates().map { ($0.stack, $0) }, uniquingKeysWith: { first, _ in first })
            let open = Dictionary(
                try await reader.changeSets(ChangeSetFilter(statuses: [.pending, .approved])).map { ($0.stack, $0) },
                uniquingKeysWith: { first, _ in first })
            var unapplied: [String: [String]] = [:]
            for stack in touchedNames {
                unapplied[stack] = try await reader.unappliedCommits(stack: stack).map(\.commit)
            }
            return (states, try await reader.policyInForce(), open, unapplied)
        }
        let (plans, unchanged, withdrawals) = try await repository.read { git in
            var plans: [PlannedChangeSet] = []
            var unchanged: [String] = []
            var withdrawals: [Withdrawal] = []
            for (stack, stackCommits) in touched.stacks.sorted(by: { $0.key < $1.key }) {
                let earlier = try notIn(in: git, applied: states[stack]?.commit, Self.merge(open[stack]?.commits ?? [], unapplied[stack] ?? []))
                let covered = Self.merge(earlier, stackCommits.map(\.commit))
                let outcome = try plan(
                    in: git, stack: stack, commits: covered, state: states[stack], open: open[stack], unreadable: touched.unreadable[stack])
                switch outcome {
                case .create(let plan): plans.append(plan)
                case .unchanged: unchanged.append(stack)
                case .withdraw(let withdrawal): withdrawals.append(withdrawal)
                }
            }
            if !touched.policyCommits.isEmpty {
                let policy = try planPolicies(
                    in: git, commits: touched.policyCommits, covered: Self.merge(
                        try notIn(
                            in: git, applied: inForce?.commit,
                            Self.merge(open[StackLayout.policiesFolder]?.commits ?? [], unapplied[StackLayout.policiesFolder] ?? [])),
                        touched.policyCommits.map(\.commit)),
                    paths: touched.policyPaths, inForce: inForce, open: open[StackLayout.policiesFolder])
                if let policy { plans.append(policy) } else { unchanged.append(StackLayout.policiesFolder) }
            }
            return (plans, unchanged, withdrawals)
        }
        var attributions = touched.stacks
        if !touched.policyCommits.isEmpty { attributions[StackLayout.policiesFolder] = touched.policyCommits }
        let created = try await write(
            plans: plans, withdrawals: withdrawals, attributions: attributions, branch: branch, cursor: cursor, tip: tip)
        return SyncReport(
            branch: branch, previousCursor: cursor, cursor: tip, relevantCommits: relevantCommits, created: created,
            unchanged: unchanged, withdrawn: withdrawals.map(\.changeSetID))
    }

    /// What the relevant commits after `cursor`, or from `start` (included) on a first sync,
    /// touched, and how many there were. Each commit is let go once counted, so that a long
    /// history is never held whole.
    private func touchedCommits(after cursor: String?, start: String?, in git: OpenRepository) throws -> (Int, Touched) {
        var since: String?
        if let cursor {
            guard let id = ObjectID(hex: cursor), try git.repository.isAncestor(id, of: git.tip) else {
                throw SyncError.cursorNotOnBranch(branch: git.branch, cursor: cursor)
            }
            since = cursor
        } else if let start {
            let id = try git.repository.resolveCommit(start)
            let onBranch = try id == git.tip || git.repository.isAncestor(id, of: git.tip)
            guard onBranch else {
                throw SyncError.startNotOnBranch(revision: start, branch: git.branch)
            }
            since = try git.repository.commit(id).firstParentID?.hex
        }
        let scanner = HistoryScanner(repository: git.repository, layout: git.settings.layout)
        var touched = Touched()
        var count = 0
        do {
            try git.scan(since: since) { scanned, commit in
                guard scanned.isRelevant else { return }
                count += 1
                // A merge that changed a stack or a policy: the commits it brought in that did so too.
                let sides = commit.parentIDs.count > 1 ? try scanner.commitsBrought(byMerge: commit.id) : []
                touched.add(scanned, mergedSides: sides)
            }
        } catch is HistoryError where cursor == nil && start != nil {
            throw SyncError.startNotOnBranch(revision: start ?? "", branch: git.branch)
        }
        touched.finish()
        return (count, touched)
    }

    /// The commits of `commits` whose content the applied commit (a stack's recorded state, or the
    /// policy revision in force) does not hold yet: neither that commit nor one of its ancestors.
    private func notIn(in git: OpenRepository, applied: String?, _ commits: [String]) throws -> [String] {
        guard let applied = applied.flatMap(ObjectID.init(hex:)) else { return commits }
        return try commits.filter { hex in
            guard let id = ObjectID(hex: hex) else { return true }
            return try id != applied && !git.repository.isAncestor(id, of: applied)
        }
    }

    private enum StackOutcome {
        case create(PlannedChangeSet)
        case unchanged
        case withdraw(Withdrawal)
    }

    /// Plans one stack at the newest commit that changed it, against its recorded state.
    ///
    /// `commits` are all the commits the change set covers, oldest first; the newest is its target.
    /// A template or configuration that cannot be planned gives a FAILED change set with the reason,
    /// so that the other stacks sync on and the next commit that fixes it plans again.
    private func plan(
        in git: OpenRepository, stack: String, commits: [String], state: StackStateRecord?, open: ChangeSetRecord?, unreadable: [String]?
    ) throws -> StackOutcome {
        guard let newestHex = commits.last, let newest = ObjectID(hex: newestHex) else { return .unchanged }
        let changeSet: ChangeSet
        do {
            if let unreadable {
                throw UnreadableStackPath(paths: unreadable, commit: newest)
            }
            if let planned = try git.changeSet(for: stack, at: newest, against: try state?.snapshot()) {
                changeSet = planned
            } else if let open {
                return .withdraw(Withdrawal(
                    changeSetID: open.id, stack: stack,
                    reason: "stack \(stack) was deleted at commit \(newest.short) before it was ever applied"))
            } else {
                return .unchanged
            }
        } catch let error as GitError {
            throw error
        } catch {
            let failure = PlanFailure(stack: stack, commit: newest.hex, reason: "\(error)")
            return .create(PlannedChangeSet(
                kind: .stack, stack: stack, commits: commits, targetCommit: newest.hex, digest: failure.digest,
                json: try Self.json(failure), baseStateVersion: state?.stateVersion ?? 0, expectedOpen: open?.id,
                type: .failed, summary: "cannot be planned: \(failure.reason)", failure: failure.reason))
        }
        if changeSet.isEmpty && open == nil { return .unchanged }
        return .create(PlannedChangeSet(
            kind: .stack, stack: stack, commits: commits,
            targetCommit: newest.hex, digest: changeSet.digest, json: try Self.json(changeSet),
            baseStateVersion: state?.stateVersion ?? 0, expectedOpen: open?.id, type: SyncedChangeSetType(changeSet.changeSetType),
            summary: changeSet.summary.line))
    }

    /// The stored JSON form of a change set body: keys sorted, so equal bodies are equal text.
    /// A change set's stored JSON form.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Plans the policy change set: each file under `Policies/` that differs between the policy in
    /// force and the newest covered commit. Without a policy in force (before `tollgate init`),
    /// the baseline is the state before the first covered commit (the open policy change set's
    /// first commit, when there is one). Comparing with the policy in force means that files
    /// `init` already trusted propose nothing, and a change that was reverted proposes nothing.
    private func planPolicies(
        in git: OpenRepository, commits: [StackCommit], covered: [String], paths: Set<String>, inForce: PolicyRevisionRecord?, open: ChangeSetRecord?
    ) throws -> PlannedChangeSet? {
        guard let newest = commits.last(where: { $0.mergedBy == nil }).flatMap({ ObjectID(hex: $0.commit) }) else { return nil }
        var paths = paths
        // Before a policy is in force, the files are compared with the state before the first
        // commit of this proposal (the open one's included); who is excluded from approving it is
        // decided by every covered commit, earlier unapplied proposals included.
        let proposed = Self.merge(open?.commits ?? [], commits.filter { $0.mergedBy == nil }.map(\.commit))
        if let open {
            do {
                paths.formUnion(try JSONDecoder().decode(PolicyChangeSet.self, from: Data(open.json.utf8)).files.map(\.path))
            } catch {
                throw StoreError.corruptRecord(location: store.location, what: "policy change set \(open.id)")
            }
        }
        let baseline: ObjectID?
        if let inForce = inForce.flatMap({ ObjectID(hex: $0.commit) }) {
            baseline = inForce
        } else {
            baseline = try proposed.first.flatMap(ObjectID.init(hex:)).flatMap { try git.repository.commit($0).firstParentID }
        }
        let beforeTree = try baseline.map { try git.repository.commit($0).tree() }
        let afterTree = try git.repository.commit(newest).tree()
        let files = try paths.sorted().compactMap { path in
            PolicyFileChange(path: path, blobBefore: try beforeTree?.blobID(atPath: path)?.hex, blobAfter: try afterTree.blobID(atPath: path)?.hex)
        }
        let changeSet = PolicyChangeSet(commit: newest.hex, files: files)
        if changeSet.isEmpty && open == nil { return nil }
        return PlannedChangeSet(
            kind: .policy, stack: StackLayout.policiesFolder, commits: covered, targetCommit: newest.hex,
            digest: changeSet.digest, json: try Self.json(changeSet),
            baseStateVersion: inForce?.revision ?? 0, expectedOpen: open?.id, type: .policy,
            summary: "\(files.count) policy file\(files.count == 1 ? "" : "s") changed")
    }

    /// `old` followed by the commits of `new` it does not list yet, keeping the order.
    private static func merge(_ old: [String], _ new: [String]) -> [String] {
        let known = Set(old)
        return old + new.filter { !known.contains($0) }
    }

    /// Writes the planned change sets and moves the cursor in one transaction, after checking that
    /// the store still holds what the plans were made from.
    private func write(
        plans: [PlannedChangeSet], withdrawals: [Withdrawal], attributions: [String: [StackCommit]],
        branch: String, cursor: String?, tip: String
    ) async throws -> [SyncedChangeSet] {
        let actor = actor
        return try await store.transaction { transaction in
            guard try await transaction.scanCursor(branch: branch) == cursor else { throw StoreMovedOn() }
            for (stack, commits) in attributions.sorted(by: { $0.key < $1.key }) {
                try await transaction.attributeCommits(commits, stack: stack, actor: actor)
            }
            var created: [SyncedChangeSet] = []
            for plan in plans {
                let open = try await transaction.changeSets(ChangeSetFilter(stack: plan.stack, statuses: [.pending, .approved]))
                let version = plan.kind == .stack
                    ? try await transaction.stackState(plan.stack)?.stateVersion ?? 0
                    : try await transaction.policyInForce()?.revision ?? 0
                guard open.first?.id == plan.expectedOpen, version == plan.baseStateVersion else { throw StoreMovedOn() }
                let creation = try await Self.create(plan, in: transaction, actor: actor)
                created.append(SyncedChangeSet(
                    id: creation.changeSet.id, kind: plan.kind, stack: plan.stack, type: plan.type,
                    status: creation.changeSet.status,
                    commits: plan.commits, targetCommit: plan.targetCommit, digest: plan.digest,
                    baseStateVersion: plan.baseStateVersion, supersedes: creation.superseded?.id, summary: plan.summary))
            }
            for withdrawal in withdrawals {
                let open = try await transaction.changeSets(ChangeSetFilter(stack: withdrawal.stack, statuses: [.pending, .approved]))
                guard open.first?.id == withdrawal.changeSetID else { throw StoreMovedOn() }
                _ = try await transaction.transition(changeSetID: withdrawal.changeSetID, to: .superseded, actor: actor, reason: withdrawal.reason)
            }
            try await transaction.setScanCursor(branch: branch, commit: tip, actor: actor)
            return created
        }
    }

    /// Inserts `plan` under a fresh id, drawing another id in the rare case the first is taken.
    private static func create(_ plan: PlannedChangeSet, in transaction: any StoreTransaction, actor: String) async throws -> ChangeSetCreation {
        while true {
            let record = ChangeSetRecord(
                id: ChangeSetRecord.newID(), kind: plan.kind, stack: plan.stack, commits: plan.commits,
                baseStateVersion: plan.baseStateVersion, targetCommit: plan.targetCommit, digest: plan.digest, json: plan.json,
                status: plan.failure == nil ? .pending : .failed, statusReason: plan.failure)
            if try await transaction.read(changeSetIDExists: record.id) { continue }
            return try await transaction.createChangeSet(record, actor: actor)
        }
    }
}

/// The commits that touched each stack and the policies, oldest first, each merge preceded by the
/// commits it brought in that touched the same stack.
private struct Touched {
    var stacks: [String: [StackCommit]] = [:]
    var policyCommits: [StackCommit] = []
    var policyPaths: Set<String> = []
    /// The unreadable paths of each stack at the newest commit that touched it.
    var unreadable: [String: [String]] = [:]
    private var seen: Set<String> = []

    /// Adds `commit`, given newest first as the scan finds it, with the commits its merge brought
    /// in, newest first too; ``finish()`` then turns every list oldest first.
    mutating func add(_ commit: ScannedCommit, mergedSides sides: [ScannedCommit]) {
        let names = Set(commit.stacks.map(\.name))
        for change in commit.stacks {
            stacks[change.name, default: []].append(StackCommit(commit: commit.id.hex))
            if seen.insert(change.name).inserted { unreadable[change.name] = commit.unreadablePaths[change.name] }
        }
        // tollgate.yaml is policy: its branch and layout decide which files form which stack.
        let policyChanged = !commit.policyFiles.isEmpty || commit.changedSettings
        if policyChanged {
            policyCommits.append(StackCommit(commit: commit.id.hex))
            policyPaths.formUnion(commit.policyFiles)
            if commit.changedSettings { policyPaths.insert(StackLayout.settingsFile) }
        }
        for side in sides {
            let merged = StackCommit(commit: side.id.hex, mergedBy: commit.id.hex)
            for change in side.stacks where names.contains(change.name) { stacks[change.name, default: []].append(merged) }
            if policyChanged && (!side.policyFiles.isEmpty || side.changedSettings) { policyCommits.append(merged) }
        }
    }

    /// Puts every list oldest first.
    mutating func finish() {
        for stack in stacks.keys { stacks[stack]?.reverse() }
        policyCommits.reverse()
    }
}

/// A stack whose files at a commit have paths Tollgate cannot read back.
private struct UnreadableStackPath: Error, CustomStringConvertible {
    let paths: [String]
    let commit: ObjectID

    var description: String {
        let list = paths.map { "'\($0)'" }.joined(separator: ", ")
        return "\(commit.short): the path \(list) is not valid UTF-8 or has a component git refuses (., .., .git); rename it in a new commit"
    }
}

/// A change set planned outside the transaction, with what the store must still hold to write it.
private struct PlannedChangeSet: Sendable {
    var kind: ChangeSetKind
    var stack: String
    var commits: [String]
    var targetCommit: String
    var digest: String
    var json: String
    var baseStateVersion: Int64
    /// The open change set the plan supersedes; the write refuses if another replaced it meanwhile.
    var expectedOpen: String?
    var type: SyncedChangeSetType
    var summary: String
    /// Why the stack could not be planned; the change set is then recorded as FAILED.
    var failure: String?
}

/// An open change set to mark superseded without a successor.
private struct Withdrawal: Sendable {
    var changeSetID: String
    var stack: String
    var reason: String
}

/// Another process wrote the store between planning and writing; the sync plans again.
private struct StoreMovedOn: Error {}

extension StoreReader {
    /// Whether a change set has the id `id`.
    fileprivate func read(changeSetIDExists id: String) async throws -> Bool {
        do {
            _ = try await changeSet(id: id)
            return true
        } catch StoreError.unknownChangeSet {
            return false
        }
    }
}

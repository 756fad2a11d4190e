import Foundation

/// What the audit trail says every derived table must hold, rebuilt entry by entry.
///
/// The trail is the record; the store's other tables are derived from it. Replaying the trail
/// gives, for every change set, verdict, stack state, policy revision, scan cursor, attributed
/// commit and execution, the values its entries imply, with the sequence of the entry that last set them, so
/// that a table edited outside Tollgate is caught and the entry it contradicts is named. Fields an
/// older Tollgate did not write into the trail (content hashes) are nil and not compared.
public struct AuditReplay: Sendable {
    /// A change set as its entries describe it.
    public struct ChangeSet: Sendable, Equatable {
        public var stack: String?
        public var kind: String?
        public var targetCommit: String?
        public var digest: String?
        public var commits: [String]?
        public var baseStateVersion: Int64?
        public var status: ChangeSetStatus
        public var statusReason: String?
        public var bodySHA256: String?
        /// The entry that last set these values.
        public var sequence: Int64
    }

    /// A reviewer's verdict as its entry describes it.
    public struct Verdict: Sendable, Equatable {
        public var approve: Bool
        public var digest: String?
        public var reason: String?
        public var signatureSHA256: String?
        public var sequence: Int64
    }

    /// A stack's recorded state as its last entry describes it.
    public struct StackState: Sendable, Equatable {
        public var commit: String?
        public var stateVersion: Int64?
        public var removed: Bool
        public var contentSHA256: String?
        public var sequence: Int64
    }

    /// A policy revision as its entry describes it.
    public struct PolicyRevision: Sendable, Equatable {
        public var commit: String?
        public var actor: String
        /// The applied policy change set; nil for a trusted revision. Not known for revisions
        /// recorded before policy revisions had their own entries (`isLegacy`).
        public var changeSetID: String?
        /// Recorded as a state of the pseudo-stack `Policies/` by an older Tollgate.
        public var isLegacy: Bool
        public var sequence: Int64
    }

    /// An execution as its entries describe it.
    public struct Execution: Sendable, Equatable {
        public var changeSetID: String?
        public var stack: String?
        public var result: String?
        public var sequence: Int64
    }

    /// A commit attributed to a stack.
    public struct Attribution: Sendable, Equatable {
        public var commit: String
        public var mergedBy: String?
        public var sequence: Int64
    }

    public private(set) var changeSets: [String: ChangeSet] = [:]
    /// Verdicts by change set id, then reviewer.
    public private(set) var verdicts: [String: [String: Verdict]] = [:]
    public private(set) var stackStates: [String: StackState] = [:]
    /// Scan cursors by branch, with the entry that moved each.
    public private(set) var cursors: [String: (commit: String, sequence: Int64)] = [:]
    public private(set) var attributions: [String: [Attribution]] = [:]
    public private(set) var executions: [String: Execution] = [:]
    /// Policy revisions by number.
    public private(set) var policyRevisions: [Int64: PolicyRevision] = [:]

    /// An empty replay, before the first entry.
    public init() {}

    /// Applies the next entry of the trail, in sequence order.
    public mutating func apply(_ entry: AuditEntry) {
        let details = entry.detailValues
        switch entry.action {
        case .changeSetCreated:
            guard let id = entry.changeSetID else { return }
            if let superseded = details["supersedes"], var old = changeSets[superseded] {
                // The store writes the superseding transition as its own entry first; this keeps
                // older trails, whose creation entry only named it, consistent too.
                if old.status == .pending || old.status == .approved { old.status = .superseded }
                changeSets[superseded] = old
            }
            changeSets[id] = ChangeSet(
                stack: entry.stack, kind: details["kind"], targetCommit: entry.commit, digest: entry.digest,
                commits: details["commits"].map { $0.split(separator: " ").map(String.init) },
                baseStateVersion: details["base_state_version"].flatMap { Int64($0) },
                status: details["status"].flatMap(ChangeSetStatus.init(rawValue:)) ?? .pending,
                statusReason: details["reason"], bodySHA256: details["body_sha256"], sequence: entry.sequence)
        case .changeSetTransitioned:
            guard let id = entry.changeSetID, let to = details["to"].flatMap(ChangeSetStatus.init(rawValue:)) else { return }
            var record = changeSets[id] ?? ChangeSet(status: to, sequence: entry.sequence)
            record.status = to
            record.statusReason = details["reason"]
            record.sequence = entry.sequence
            changeSets[id] = record
        case .approvalRecorded, .rejectionRecorded:
            guard let id = entry.changeSetID else { return }
            verdicts[id, default: [:]][entry.actor] = Verdict(
                approve: entry.action == .approvalRecorded, digest: entry.digest, reason: details["reason"],
                signatureSHA256: details["signature_sha256"], sequence: entry.sequence)
        case .policyRevisionRecorded:
            guard let revision = details["revision"].flatMap({ Int64($0) }) else { return }
            policyRevisions[revision] = PolicyRevision(
                commit: entry.commit, actor: entry.actor, changeSetID: entry.changeSetID, isLegacy: false, sequence: entry.sequence)
        case .stateRecorded where entry.stack == StackLayout.policiesFolder:
            // Older trails recorded the policy in force as the state of the pseudo-stack `Policies/`;
            // migration 3 moved that row to policy_revisions.
            guard let revision = details["state_version"].flatMap({ Int64($0) }) else { return }
            policyRevisions[revision] = PolicyRevision(
                commit: entry.commit, actor: entry.actor, changeSetID: nil, isLegacy: true, sequence: entry.sequence)
        case .stateRecorded:
            guard let stack = entry.stack else { return }
            stackStates[stack] = StackState(
                commit: entry.commit, stateVersion: details["state_version"].flatMap { Int64($0) },
                removed: details["removed"] == "true", contentSHA256: details["content_sha256"], sequence: entry.sequence)
        case .scanAdvanced:
            guard let branch = details["branch"], let commit = entry.commit else { return }
            cursors[branch] = (commit, entry.sequence)
        case .commitsAttributed:
            guard let stack = entry.stack, let commits = details["commits"] else { return }
            var mergedBy: [String: String] = [:]
            for pair in (details["merged"] ?? "").split(separator: " ") {
                let parts = pair.split(separator: ":", maxSplits: 1).map(String.init)
                if parts.count == 2 { mergedBy[parts[0]] = parts[1] }
            }
            for commit in commits.split(separator: " ").map(String.init) {
                attributions[stack, default: []].append(Attribution(commit: commit, mergedBy: mergedBy[commit], sequence: entry.sequence))
            }
        case .executionStarted:
            guard let id = details["execution"] else { return }
            executions[id] = Execution(changeSetID: entry.changeSetID, stack: entry.stack, result: nil, sequence: entry.sequence)
        case .executionFinished:
            guard let id = details["execution"] else { return }
            var execution = executions[id] ?? Execution(changeSetID: entry.changeSetID, stack: entry.stack, sequence: entry.sequence)
            execution.result = details["result"]
            execution.sequence = entry.sequence
            executions[id] = execution
        case .notificationRetried:
            // The outbox is delivery coordination, not a table derived from the trail (retention
            // deletes its delivered rows): the entry records who had a message sent again, and
            // no row is compared with it.
            return
        default:
            return
        }
    }

    /// Lays the stack states, policy revisions and scan cursors of a replay of the entries after
    /// this one's over its own, as applying those entries here would have: each is set by the
    /// last entry about it.
    public mutating func layStatesAndCursors(of later: AuditReplay) {
        stackStates.merge(later.stackStates) { _, later in later }
        policyRevisions.merge(later.policyRevisions) { _, later in later }
        cursors.merge(later.cursors) { _, later in later }
    }
}

/// One row of a derived table that disagrees with the audit trail.
public struct TableDisagreement: Sendable, Equatable, CustomStringConvertible {
    /// The table, such as `change_sets`.
    public var table: String
    /// The row's key, such as a change set id.
    public var row: String
    /// What the row holds that the trail does not say, or what it lacks.
    public var problem: String
    /// The entry the row contradicts, when one does; nil for a row no entry accounts for.
    public var sequence: Int64?

    /// Creates the report of one disagreement.
    public init(table: String, row: String, problem: String, sequence: Int64?) {
        self.table = table
        self.row = row
        self.problem = problem
        self.sequence = sequence
    }

    public var description: String {
        let source = sequence.map { "audit entry \($0)" } ?? "no audit entry"
        return "\(table) row \(row): \(problem), against \(source)"
    }
}

/// The hex SHA-256 of `text`'s UTF-8 bytes, the form in which entries fingerprint stored values.
public func auditFingerprint(_ text: String) -> String {
    CanonicalEncoding.sha256Hex(Data(text.utf8))
}

public import Foundation
public import TollgateStore

/// One stack at a glance, as `tollgate status` lists it in text and in `--json`.
public struct StackStatus: Sendable, Codable, Equatable {
    /// The stack's name (or `Policies/` for the policies, when they have an open change set).
    public var stack: String
    /// Where the stack stands, from its open change set and its last execution.
    public var status: StackCondition
    /// The open change set, waiting for review or for its apply.
    public var pendingChangeSet: String?
    /// The change set recorded FAILED because the stack's newest files could not be planned, while
    /// nothing newer is open.
    public var failedChangeSet: String?
    /// The recorded state version, nil for a stack never applied.
    public var stateVersion: Int64?
    /// The last execution's id.
    public var lastExecution: String?
    /// When the last execution started.
    public var startedAt: Date?
    /// When it ended; nil while it runs or if its process died.
    public var finishedAt: Date?
    /// How it ended.
    public var result: ExecutionResult?

    enum CodingKeys: String, CodingKey {
        case stack, status, pendingChangeSet, failedChangeSet, stateVersion, lastExecution, startedAt, finishedAt, result
    }

    /// Writes every field, `null` for nothing, so that `--json` rows all have the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stack, forKey: .stack)
        try container.encode(status, forKey: .status)
        try container.encode(pendingChangeSet, forKey: .pendingChangeSet)
        try container.encode(failedChangeSet, forKey: .failedChangeSet)
        try container.encode(stateVersion, forKey: .stateVersion)
        try container.encode(lastExecution, forKey: .lastExecution)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(result, forKey: .result)
    }
}

/// The one word that says where a stack stands, in the order that matters to an operator: an
/// apply in progress first, then a change waiting, then the outcome of the last apply.
public enum StackCondition: String, Sendable, Codable, CaseIterable {
    /// An apply has started and not reported its end.
    case applying = "APPLYING"
    /// A change set waits for review.
    case pending = "PENDING"
    /// A change set is approved and waits for its apply.
    case approved = "APPROVED"
    /// The open change set disagrees with the audit trail: the store was edited outside Tollgate.
    case tampered = "TAMPERED"
    /// The stack's newest files could not be planned, and nothing newer is open.
    case planFailed = "PLAN_FAILED"
    /// The last apply failed and nothing new is open.
    case failed = "FAILED"
    /// The last apply succeeded and nothing new is open.
    case applied = "APPLIED"
    /// The stack is in the repository but nothing was ever applied or proposed for it.
    case notApplied = "NOT_APPLIED"
}

/// Builds the ``StackStatus`` rows from the store.
public enum StackStatusReader {
    /// Every stack named in `repositoryStacks` or known to the store (a recorded state or an open
    /// change set), sorted by name, keeping those whose name contains `text` when it is given.
    ///
    /// - Throws: ``StoreError`` when the store cannot be read.
    public static func statuses(repositoryStacks: [String], matching text: String?, in store: any StateStore) async throws -> [StackStatus] {
        try await store.read { reader in
            let states = Dictionary(try await reader.stackStates().map { ($0.stack, $0) }, uniquingKeysWith: { first, _ in first })
            let open = Dictionary(
                try await reader.changeSets(ChangeSetFilter(statuses: [.pending, .approved])).map { ($0.stack, $0) },
                uniquingKeysWith: { first, _ in first })
            var planFailures: [String: ChangeSetRecord] = [:]
            for record in try await reader.changeSets(ChangeSetFilter(statuses: [.failed])) where record.planFailure != nil {
                if planFailures[record.stack] == nil { planFailures[record.stack] = record }
            }
            let names = Set(repositoryStacks).union(states.keys).union(open.keys)
                .filter { name in text.map { name.contains($0) } ?? true }
                .sorted()
            var rows: [StackStatus] = []
            rows.reserveCapacity(names.count)
            for name in names {
                let execution = try await reader.latestExecution(stack: name)
                let changeSet = open[name]
                // A plan failure counts while nothing newer is open or was applied since.
                let failure = planFailures[name].flatMap { failure in
                    changeSet == nil && (execution.map { $0.startedAt < failure.createdAt } ?? true) ? failure : nil
                }
                var status = condition(execution: execution, open: changeSet, applied: states[name] != nil)
                if failure != nil && status != .applying { status = .planFailed }
                if let changeSet, try await reader.disagreement(of: changeSet) != nil { status = .tampered }
                rows.append(StackStatus(
                    stack: name, status: status,
                    pendingChangeSet: changeSet?.id, failedChangeSet: failure?.id, stateVersion: states[name]?.stateVersion,
                    lastExecution: execution?.id, startedAt: execution?.startedAt, finishedAt: execution?.finishedAt,
                    result: execution?.result))
            }
            return rows
        }
    }

    private static func condition(execution: ExecutionRecord?, open: ChangeSetRecord?, applied: Bool) -> StackCondition {
        if let execution, execution.finishedAt == nil { return .applying }
        if let open { return open.status == .approved ? .approved : .pending }
        switch execution?.result {
        case .failed: return .failed
        case .succeeded: return .applied
        case nil: return applied ? .applied : .notApplied
        }
    }
}

import TollgateCore
import TollgateStore

extension OpenRepository {
    /// The exports that stack change set `record` removes or renames while another stack's
    /// recorded state still imports them.
    ///
    /// - Parameters:
    ///   - state: the stack's own recorded state (nil for a new stack, which exports nothing yet).
    ///   - others: the recorded states of every stack; the stack's own is skipped. A recorded
    ///     template that no longer parses is skipped too: it cannot be shown to import anything.
    /// - Throws: ``TemplateError`` or ``ConfigurationError`` for the target's files, ``GitError``.
    func brokenImports(of record: ChangeSetRecord, state: StackStateRecord?, others: [StackStateRecord]) throws -> [BrokenImport] {
        guard record.kind == .stack, record.planFailure == nil, let state, let base = try? state.snapshot() else { return [] }
        let target = try stackSource(record.stack, at: try objectID(record.targetCommit, changeSetID: record.id))?.snapshot()
        var snapshots: [String: StackSnapshot] = [:]
        for other in others where other.stack != record.stack {
            snapshots[other.stack] = try? other.snapshot()
        }
        return ExportUsage.brokenImports(stack: record.stack, base: base, target: target, others: snapshots)
    }
}

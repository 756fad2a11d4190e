import TollgateCore
import TollgateStore

extension OpenRepository {
    /// The exports (name to output) that stack change set `record` removes or renames from the
    /// stack's recorded `state` (nil for a new stack, which exports nothing yet); a recorded
    /// template that no longer parses exports nothing that can be shown.
    ///
    /// - Throws: ``TemplateError`` or ``ConfigurationError`` for the target's files, ``GitError``.
    func removedExports(of record: ChangeSetRecord, state: StackStateRecord?) throws -> [String: String] {
        guard record.kind == .stack, record.planFailure == nil, let state, let base = try? state.snapshot() else { return [:] }
        let target = try stackSource(record.stack, at: try objectID(record.targetCommit, changeSetID: record.id))?.snapshot()
        return ExportUsage.removedExports(stack: record.stack, base: base, target: target)
    }
}

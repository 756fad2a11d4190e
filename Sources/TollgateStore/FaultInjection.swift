#if DEBUG
import Foundation
import Synchronization

/// Test builds only: with `TOLLGATE_TEST_EXIT_AFTER_STATEMENTS=N` in the environment, the process
/// ends (exit status 86, no clean-up, as `kill -9` would leave it) right after the Nth statement it
/// runs inside write transactions, `COMMIT` included. Tests kill a writer at an exact point this
/// way instead of sleeping and hoping a signal lands there. Release builds do not have it.
enum FaultInjection {
    static let exitStatus: Int32 = 86
    static let limit: Int? = ProcessInfo.processInfo.environment["TOLLGATE_TEST_EXIT_AFTER_STATEMENTS"].flatMap { Int($0) }
    private static let executed = Atomic<Int>(0)

    /// The session to run a write transaction on: `session` itself, or one that counts.
    static func session(_ session: any SQLSession) -> any SQLSession {
        limit == nil ? session : CountingSession(base: session)
    }

    fileprivate static func statementExecuted() {
        guard let limit else { return }
        if executed.add(1, ordering: .relaxed).newValue >= limit {
            _exit(exitStatus)
        }
    }
}

/// Counts the statements run through it, for ``FaultInjection``.
private struct CountingSession: SQLSession {
    let base: any SQLSession
    var dialect: SQLDialect { base.dialect }
    var location: String { base.location }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let rows = try await base.query(sql, binds)
        FaultInjection.statementExecuted()
        return rows
    }
}
#endif

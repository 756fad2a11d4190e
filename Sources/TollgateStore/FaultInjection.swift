#if DEBUG
import Foundation
import Synchronization

/// Test builds only: faults at an exact statement, so that tests reach a precise point instead of
/// sleeping and hoping a signal lands there. Release builds do not have it. Statements are counted
/// across the process's write transactions, `COMMIT` included.
///
/// - `TOLLGATE_TEST_EXIT_AFTER_STATEMENTS=N`: the process ends (exit status 86, no clean-up, as
///   `kill -9` would leave it) right after the Nth statement.
/// - `TOLLGATE_TEST_DISK_FULL_AFTER_STATEMENTS=N`: every statement after the Nth fails as on a
///   full disk (``StoreError/full(location:)``), or only the next
///   `TOLLGATE_TEST_DISK_FULL_STATEMENTS` of them when that is set (space freed meanwhile).
///   `ROLLBACK` still runs, as it does on a full disk.
enum FaultInjection {
    static let exitStatus: Int32 = 86
    private static let environment = ProcessInfo.processInfo.environment
    static let exitLimit: Int? = environment["TOLLGATE_TEST_EXIT_AFTER_STATEMENTS"].flatMap { Int($0) }
    static let diskFullAfter: Int? = environment["TOLLGATE_TEST_DISK_FULL_AFTER_STATEMENTS"].flatMap { Int($0) }
    static let diskFullCount: Int = environment["TOLLGATE_TEST_DISK_FULL_STATEMENTS"].flatMap { Int($0) } ?? .max
    private static let executed = Atomic<Int>(0)

    /// The session to run a write transaction on: `session` itself, or one that counts.
    static func session(_ session: any SQLSession) -> any SQLSession {
        exitLimit == nil && diskFullAfter == nil ? session : CountingSession(base: session)
    }

    /// Counts the statement about to run and throws if the disk is to be full for it.
    fileprivate static func statementStarting(_ sql: String, location: String) throws {
        guard let diskFullAfter, sql != "ROLLBACK" else { return }
        let number = executed.load(ordering: .relaxed) + 1
        if number > diskFullAfter, number - diskFullAfter <= diskFullCount {
            _ = executed.add(1, ordering: .relaxed)
            throw StoreError.full(location: location)
        }
    }

    fileprivate static func statementExecuted() {
        let count = executed.add(1, ordering: .relaxed).newValue
        if let exitLimit, count >= exitLimit {
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
        try FaultInjection.statementStarting(sql, location: location)
        let rows = try await base.query(sql, binds)
        FaultInjection.statementExecuted()
        return rows
    }
}
#endif

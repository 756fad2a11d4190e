import Foundation
public import Logging
public import TollgateCore

/// Which store to open: an SQLite file or a PostgreSQL database.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// The SQLite file at this path.
    case sqlite(path: String)
    /// The PostgreSQL database this URL names.
    case postgres(url: String)

    /// The conventional SQLite path inside a repository: `.tollgate/state.db`.
    public static func defaultSQLitePath(repository: String) -> String {
        (repository.hasSuffix("/") ? repository : repository + "/") + ".tollgate/state.db"
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return (try? PostgresURL(url).redacted) ?? PostgresURL.redact(url)
        }
    }

    /// Opens the store, creating and migrating its schema on first use.
    ///
    /// With `readOnly`, for commands that only read, an existing store at the current schema is
    /// opened without writing anything, so that they work on a store the user can only read; a
    /// store that does not exist yet, or that an older Tollgate wrote, is created or migrated as
    /// for any other command.
    /// - Parameters:
    ///   - logger: receives the store's and its driver's messages; silent by default.
    ///   - running: for PostgreSQL, who runs the connection pool (``PostgresStateStore/ClientRunning``).
    /// - Throws: ``StoreError`` naming the file or URL when the store cannot be opened.
    public func open(
        clock: any WallClock = SystemWallClock(), readOnly: Bool = false, logger: Logger = .silent,
        running: PostgresStateStore.ClientRunning = .byStore
    ) async throws -> any StateStore {
        switch self {
        case .sqlite(let path):
            if readOnly, FileManager.default.fileExists(atPath: path) {
                do {
                    return try await SQLiteStateStore.open(path: path, clock: clock, readOnly: true, logger: logger)
                } catch StoreError.schemaTooOld {}
            }
            return try await SQLiteStateStore.open(path: path, clock: clock, logger: logger)
        case .postgres(let url):
            if readOnly {
                do {
                    return try await PostgresStateStore.open(url: url, clock: clock, readOnly: true, logger: logger, running: running)
                } catch StoreError.schemaTooOld {}
            }
            return try await PostgresStateStore.open(url: url, clock: clock, logger: logger, running: running)
        }
    }
}

extension Logger {
    /// A logger that drops every message: the default where no logger is injected, as for a
    /// command whose output is its answer.
    public static let silent = Logger(label: "tollgate", factory: { _ in SwiftLogNoOpLogHandler() })
}

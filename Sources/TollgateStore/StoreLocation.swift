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
    /// - Throws: ``StoreError`` naming the file or URL when the store cannot be opened.
    public func open(clock: any WallClock = SystemWallClock()) async throws -> any StateStore {
        switch self {
        case .sqlite(let path): return try await SQLiteStateStore.open(path: path, clock: clock)
        case .postgres(let url): return try await PostgresStateStore.open(url: url, clock: clock)
        }
    }
}

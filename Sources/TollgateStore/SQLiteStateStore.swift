import Foundation
public import Logging
import SQLiteNIO
public import TollgateCore

/// The embedded store: one SQLite file, normally `.tollgate/state.db` at the repository root.
///
/// Several processes may share the file. Each write transaction starts with `BEGIN IMMEDIATE`, which
/// takes SQLite's write lock at once, so two writers never both read the old state and then both
/// write; a writer that finds the lock taken waits up to ``busyTimeoutMilliseconds`` before failing
/// with ``StoreError/busy(location:)``. The journal is in WAL mode with full syncs, so a process
/// killed at any moment leaves either the whole transaction or none of it.
///
/// Within one process, calls are serialised on the single connection, which runs its SQLite calls
/// on a thread of its own: a writer waiting for the lock blocks that thread only, so two stores on
/// one file in the same process cannot starve each other of threads.
public final class SQLiteStateStore: StateStore {
    /// How long a writer waits for another process's write lock.
    public static let busyTimeoutMilliseconds = 15_000

    public let location: String
    let session: SQLiteSession
    private let clock: any WallClock
    private let gate = TransactionGate()

    private let threadPool: NIOThreadPool
    private let logger: Logger

    private init(session: SQLiteSession, threadPool: NIOThreadPool, clock: any WallClock, logger: Logger) {
        self.session = session
        self.threadPool = threadPool
        self.location = session.location
        self.clock = clock
        self.logger = logger
    }

    /// Opens the store at `path`, creating the file and migrating its schema as needed; the folder
    /// must exist. With `readOnly`, the file must exist at the current schema, and the connection
    /// is opened read-only (`mode=ro`), falling back to SQLite's `immutable` mode when the WAL's
    /// shared-memory file cannot be created beside a file the user can only read.
    ///
    /// - Throws: ``StoreError/cannotOpen(location:reason:)`` when the file cannot be opened,
    ///   ``StoreError/notADatabase(location:)`` when it is not a healthy SQLite database,
    ///   ``StoreError/schemaTooNew(location:found:supported:)`` when a newer Tollgate made it,
    ///   ``StoreError/emptyFile(location:)`` for a zero-byte file, and with `readOnly`
    ///   ``StoreError/noStore(location:)`` or ``StoreError/schemaTooOld(location:found:supported:)``.
    /// - Parameter logger: receives the store's and SQLiteNIO's messages; silent by default.
    public static func open(
        path: String, clock: any WallClock = SystemWallClock(), readOnly: Bool = false, logger: Logger = .silent
    ) async throws -> SQLiteStateStore {
        let folder = (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) || !isFolder.boolValue {
            throw StoreError.cannotOpen(location: path, reason: "the folder \(folder) does not exist")
        }
        // SQLite takes an empty file for a new database; a store truncated to nothing is not one.
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
            throw StoreError.emptyFile(location: path)
        }
        if readOnly && !FileManager.default.fileExists(atPath: path) { throw StoreError.noStore(location: path) }
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let connection: SQLiteConnection
        do {
            connection = try await connect(path: path, readOnly: readOnly, threadPool: threadPool, logger: logger)
        } catch {
            try? await threadPool.shutdownGracefully()
            throw StoreError.cannotOpen(location: path, reason: "SQLite cannot open it (\((error as? SQLiteError)?.reason ?? .cantOpen))")
        }
        let session = SQLiteSession(connection: connection, location: path)
        do {
            // busy_timeout replaces SQLiteNIO's default handler, which would retry forever.
            try await session.execute("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
            if readOnly {
                try await SchemaMigrator.checkCurrent(session)
            } else {
                try await session.execute("PRAGMA journal_mode = WAL")
                try await session.execute("PRAGMA synchronous = FULL")
                // Foreign keys go on after migrating, so that a migration may rebuild a table
                // others refer to, as SQLite's documentation prescribes.
                try await SQLStoreTransaction.run(
                    on: session, clock: clock, begin: ["BEGIN IMMEDIATE"], body: SchemaMigrator.migrate)
                try await session.execute("PRAGMA foreign_keys = ON")
            }
        } catch {
            try? await connection.close()
            try? await threadPool.shutdownGracefully()
            throw error
        }
        logger.debug("state store opened", metadata: ["store.location": "\(path)", "store.read_only": "\(readOnly)"])
        return SQLiteStateStore(session: session, threadPool: threadPool, clock: clock, logger: logger)
    }

    /// Opens the connection; read-only as `mode=ro` first, then as `immutable` when SQLite cannot
    /// make the WAL's shared-memory file because the user may not write beside the store.
    private static func connect(path: String, readOnly: Bool, threadPool: NIOThreadPool, logger: Logger) async throws -> SQLiteConnection {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        guard readOnly else {
            return try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: loop)
        }
        let absolute = URL(fileURLWithPath: path).absoluteString
        let connection = try await SQLiteConnection.open(
            storage: .file(path: absolute + "?mode=ro"), threadPool: threadPool, logger: logger, on: loop)
        do {
            _ = try await connection.query("SELECT COUNT(*) FROM sqlite_master")
            return connection
        } catch {
            try? await connection.close()
            return try await SQLiteConnection.open(
                storage: .file(path: absolute + "?immutable=1"), threadPool: threadPool, logger: logger, on: loop)
        }
    }

    public func transaction<T: Sendable>(_ body: (any StoreTransaction) async throws -> T) async throws -> T {
        try await gate.withGate(location: location) {
            try await SQLStoreTransaction.run(on: session, clock: clock, begin: ["BEGIN IMMEDIATE"]) { try await body($0) }
        }
    }

    public func read<T: Sendable>(_ body: (any StoreReader) async throws -> T) async throws -> T {
        try await gate.withGate(location: location) {
            try await body(SQLStoreTransaction(session: session, clock: clock))
        }
    }

    /// A store released without ``close()``, on an error path, still closes its file: SQLiteNIO
    /// treats a connection released while open as a programming error and stops the process.
    deinit {
        let threadPool = threadPool
        if session.connection.isClosed {
            threadPool.shutdownGracefully { _ in }
        } else {
            session.connection.close().whenComplete { _ in threadPool.shutdownGracefully { _ in } }
        }
    }

    /// A second, read-only connection: this store's one connection runs one read at a time.
    public func openSideReader() async throws -> (any StateStore)? {
        try await SQLiteStateStore.open(path: location, clock: clock, readOnly: true, logger: logger)
    }

    public func close() async throws {
        try await gate.withGate(location: location) {
            do {
                try await session.connection.close()
                try await threadPool.shutdownGracefully()
                logger.debug("state store closed", metadata: ["store.location": "\(location)"])
            } catch {
                throw StoreError.database(location: location, operation: "closing", message: String(describing: error))
            }
        }
    }
}

/// An ``SQLSession`` over one SQLiteNIO connection, which runs each call on NIO's thread pool so
/// that no SQLite call blocks a task.
struct SQLiteSession: SQLSession {
    let connection: SQLiteConnection
    let location: String
    var dialect: SQLDialect { .sqlite }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(sql, Self.data(binds))
        } catch let error as SQLiteError {
            throw wrap(error, sql: sql)
        }
        guard let first = rows.first else { return [] }
        let columns = SQLColumns(first.columns.map(\.name))
        return rows.map { row in
            SQLRow(columns: columns, values: row.columns.map { Self.value(of: $0.data) }, location: location)
        }
    }

    func forEachRow(_ sql: String, _ binds: [SQLValue], _ body: @escaping @Sendable (SQLRow) -> Void) async throws {
        let names = ColumnNames()
        let location = location
        do {
            try await connection.query(sql, Self.data(binds)) { row in
                let columns = row.columns
                body(SQLRow(columns: names.shared(columns), values: columns.map { Self.value(of: $0.data) }, location: location))
            }
        } catch let error as SQLiteError {
            throw wrap(error, sql: sql)
        }
    }

    /// The column names of one streamed result, made from its first row and shared by the rest.
    /// SQLiteNIO calls a query's row handler on one thread, one row after another, and nothing
    /// else touches this, which makes the unchecked `Sendable` safe.
    private final class ColumnNames: @unchecked Sendable {
        private var columns: SQLColumns?

        func shared(_ row: [SQLiteColumn]) -> SQLColumns {
            if let columns { return columns }
            let made = SQLColumns(row.map(\.name))
            columns = made
            return made
        }
    }

    private static func data(_ binds: [SQLValue]) -> [SQLiteData] {
        binds.map { value in
            switch value {
            case .text(let text): .text(text)
            case .integer(let integer): .integer(Int(integer))
            case .null: .null
            }
        }
    }

    /// The schema stores only text and integers; other storage classes can only come from hand
    /// edits and are read as their nearest equivalent, which the record decoding then checks.
    private static func value(of data: SQLiteData) -> SQLValue {
        switch data {
        case .integer(let integer): return .integer(Int64(integer))
        case .text(let text): return .text(text)
        case .float(let double): return .integer(Int64(exactly: double.rounded(.towardZero)) ?? 0)
        case .blob(let buffer): return .text(buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) ?? "")
        case .null: return .null
        }
    }

    private func wrap(_ error: SQLiteError, sql: String) -> any Error {
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
            return UniqueViolation(constraint: error.message)
        case .busy, .busyTimeout, .busyInRecovery, .busyInSnapshot, .locked, .lockedBySharedCache:
            return StoreError.busy(location: location)
        case .notADatabase, .corrupt, .corruptIndex, .corruptSequenceSchema, .corruptVirtualTable:
            return StoreError.notADatabase(location: location)
        case .full:
            return StoreError.full(location: location)
        case .cantOpen, .cantOpenDirectory, .cantOpenInvalidPath, .cantOpenUnfollowedSymlink:
            return StoreError.cannotOpen(location: location, reason: error.message)
        default:
            return StoreError.database(location: location, operation: operation(of: sql), message: error.message)
        }
    }
}

/// The start of a statement, enough to say what the store was doing when it failed.
func operation(of sql: String) -> String {
    let words = sql.split(whereSeparator: \.isWhitespace).prefix(3)
    return "running " + words.joined(separator: " ")
}

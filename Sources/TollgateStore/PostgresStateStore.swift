import Foundation
public import Logging
import PostgresNIO
public import ServiceLifecycle
public import TollgateCore

/// The shared store: one PostgreSQL database used by several Tollgate processes.
///
/// Every write transaction first takes one transaction-scoped advisory lock, so writers from all
/// processes run one after another, as with SQLite's `BEGIN IMMEDIATE`; a writer waits up to
/// ``lockTimeoutSeconds`` for it before failing with ``StoreError/busy(location:)``. Readers take
/// no lock. Connections come from a `PostgresClient` pool. A command runs the pool in a task of
/// the store's own until ``close()`` (``ClientRunning/byStore``); a long-running process runs it
/// as a service in its `ServiceGroup` instead (``ClientRunning/byServiceGroup``, ``service``),
/// which stops it at shutdown.
public final class PostgresStateStore: StateStore {
    /// How long a writer waits for another process's transaction.
    public static let lockTimeoutSeconds = 30
    /// The advisory lock key: "tollgate" in ASCII, so that other applications on the same
    /// database are unlikely to use it.
    static let advisoryLockKey: Int64 = 8_390_043_843_661_231_205

    /// Who runs the store's connection pool.
    public enum ClientRunning: Sendable, Hashable {
        /// The store runs it in a task of its own until ``PostgresStateStore/close()``: for a
        /// command that opens the store, works and closes it.
        case byStore
        /// The caller runs ``PostgresStateStore/service`` in its `ServiceGroup`, which stops it at
        /// shutdown; until the group runs it, no query gets a connection.
        case byServiceGroup
    }

    public let location: String
    private let client: PostgresClient
    private let runner: Task<Void, Never>?
    private let clock: any WallClock
    private let logger: Logger

    private init(location: String, client: PostgresClient, runner: Task<Void, Never>?, clock: any WallClock, logger: Logger) {
        self.location = location
        self.client = client
        self.runner = runner
        self.clock = clock
        self.logger = logger
    }

    /// The connection pool, for a `ServiceGroup` to run when the store was opened with
    /// ``ClientRunning/byServiceGroup``.
    public var service: any Service { client }

    private static var beginStatements: [String] {
        ["BEGIN", "SET LOCAL lock_timeout = '\(lockTimeoutSeconds)s'", "SELECT pg_advisory_xact_lock(\(advisoryLockKey))"]
    }

    /// Connects to the database that `url` names (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`,
    /// optionally `?sslmode=disable|prefer|require`) and migrates its schema as needed.
    ///
    /// - Throws: ``StoreError/invalidURL(_:reason:)``, ``StoreError/unreachable(location:reason:)``,
    ///   ``StoreError/loginRefused(location:reason:)`` or
    ///   ``StoreError/schemaTooNew(location:found:supported:)``.
    /// - Parameters:
    ///   - logger: receives the store's and PostgresNIO's messages; silent by default.
    ///   - running: who runs the connection pool: the store itself, or the caller's `ServiceGroup`.
    public static func open(
        url: String, clock: any WallClock = SystemWallClock(), readOnly: Bool = false, logger: Logger = .silent,
        running: ClientRunning = .byStore
    ) async throws -> PostgresStateStore {
        let target = try PostgresURL(url)
        // A direct connection first: it fails at once with the server's reason, where a pool would
        // keep retrying in the background.
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try target.connectionConfiguration(), id: 1, logger: logger)
        } catch {
            throw PostgresSession.wrapConnect(error, location: target.redacted)
        }
        do {
            let session = PostgresSession(connection: connection, location: target.redacted, logger: logger)
            if readOnly {
                try await SchemaMigrator.checkCurrent(session)
            } else {
                try await SQLStoreTransaction.run(
                    on: session, clock: clock, begin: beginStatements, body: SchemaMigrator.migrate)
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
        let client = PostgresClient(configuration: target.clientConfiguration, backgroundLogger: logger)
        // A command's store runs its own pool; a service group runs a server's.
        let runner = running == .byStore ? Task { await client.run() } : nil
        logger.debug("state store opened", metadata: ["store.location": "\(target.redacted)", "store.read_only": "\(readOnly)"])
        return PostgresStateStore(location: target.redacted, client: client, runner: runner, clock: clock, logger: logger)
    }

    public func transaction<T: Sendable>(_ body: (any StoreTransaction) async throws -> T) async throws -> T {
        try await withSession { session in
            try await SQLStoreTransaction.run(on: session, clock: clock, begin: Self.beginStatements) { try await body($0) }
        }
    }

    public func read<T: Sendable>(_ body: (any StoreReader) async throws -> T) async throws -> T {
        try await withSession { session in
            try await body(SQLStoreTransaction(session: session, clock: clock))
        }
    }

    /// None: each read leases its own connection from the pool.
    public func openSideReader() async throws -> (any StateStore)? {
        nil
    }

    /// Stops the pool the store runs; with ``ClientRunning/byServiceGroup`` the group stops it.
    public func close() async throws {
        guard let runner else { return }
        runner.cancel()
        await runner.value
    }

    /// Leases a pooled connection for `body`. A failure to lease one is wrapped as a connection
    /// failure; what `body` throws passes through untouched.
    func withSession<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
        var leased = false
        do {
            return try await client.withConnection { connection in
                leased = true
                return try await body(PostgresSession(connection: connection, location: location, logger: logger))
            }
        } catch where !leased {
            throw PostgresSession.wrapConnect(error, location: location)
        }
    }
}

/// An ``SQLSession`` over one PostgreSQL connection.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let location: String
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let integer): bindings.append(integer)
            case .null: bindings.appendNull()
            }
        }
        do {
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: dialect.placeholders(sql), binds: bindings), logger: logger)
            var result: [SQLRow] = []
            var columns: SQLColumns?
            for try await row in rows {
                let names = columns ?? SQLColumns(row.map(\.columnName))
                columns = names
                result.append(SQLRow(columns: names, values: try row.map(Self.value(of:)), location: location))
            }
            return result
        } catch let error as PSQLError {
            throw wrap(error, sql: sql)
        }
    }

    private static func value(of cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        default: return .text(try cell.decode(String.self))
        }
    }

    private func wrap(_ error: PSQLError, sql: String) -> any Error {
        guard error.code == .server else { return Self.wrapConnect(error, location: location) }
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? "the server reported an error"
        switch state {
        case "23505":
            return UniqueViolation(constraint: error.serverInfo?[.constraintName] ?? message)
        case "55P03", "40P01", "40001":
            return StoreError.busy(location: location)
        case "53100", "53200":
            return StoreError.full(location: location)
        default:
            return StoreError.database(location: location, operation: operation(of: sql), message: message)
        }
    }

    /// Turns a failure to connect or log in into a ``StoreError`` that says which.
    static func wrapConnect(_ error: any Error, location: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? PSQLError else {
            return .unreachable(location: location, reason: String(describing: error))
        }
        switch error.code {
        case .server:
            let message = error.serverInfo?[.message] ?? "the server refused the connection"
            let state = error.serverInfo?[.sqlState] ?? ""
            if state.hasPrefix("28") || state == "3D000" {
                return .loginRefused(location: location, reason: message)
            }
            return .database(location: location, operation: "connecting", message: message)
        case .authMechanismRequiresPassword, .unsupportedAuthMechanism, .saslError:
            return .loginRefused(location: location, reason: "the server asks for a password the URL does not give")
        case .sslUnsupported:
            return .unreachable(location: location, reason: "the server does not offer TLS, which sslmode=require demands")
        default:
            return .unreachable(location: location, reason: connectionFailure(error.underlying))
        }
    }
}

/// Says in a few words why a connection failed; NIO's own text names internal types.
private func connectionFailure(_ error: (any Error)?) -> String {
    guard let error else { return "the connection failed" }
    let text = String(describing: error).lowercased()
    if text.contains("refused") { return "nothing accepts connections there (connection refused)" }
    if text.contains("timed out") || text.contains("timeout") { return "the connection timed out" }
    if text.contains("resolv") || text.contains("lookup") || text.contains("unknown host") {
        return "the host name cannot be resolved"
    }
    if text.contains("unreachable") { return "the network cannot reach the host" }
    return "the connection failed"
}

/// A parsed `postgres://` URL and the connection settings it stands for.
struct PostgresURL {
    let host: String
    let port: Int
    let username: String
    let password: String?
    let database: String?
    let tlsMode: String
    /// The URL without its password, safe to print.
    let redacted: String

    init(_ url: String) throws {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw StoreError.invalidURL(Self.redact(url), reason: "it does not start with postgres://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError.invalidURL(Self.redact(url), reason: "it names no host")
        }
        guard let username = components.user, !username.isEmpty else {
            throw StoreError.invalidURL(Self.redact(url), reason: "it names no user")
        }
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "prefer", "require"].contains(mode) else {
            throw StoreError.invalidURL(Self.redact(url), reason: "sslmode must be disable, prefer or require")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username
        self.password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? nil : path
        self.tlsMode = mode
        self.redacted = "postgres://\(username)@\(host):\(port)/\(database ?? "")"
    }

    /// Hides anything between `://` and `@`, which may hold a password, for messages about a URL
    /// that could not be parsed.
    static func redact(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound <= at else {
            return url
        }
        return String(url[..<scheme.upperBound]) + "…" + String(url[at...])
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        if tlsMode == "disable" {
            tls = .disable
        } else {
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: .makeClientConfiguration())
            } catch {
                throw StoreError.unreachable(location: redacted, reason: "TLS cannot be set up (\(error)); try sslmode=disable")
            }
            tls = tlsMode == "require" ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch tlsMode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = 4
        return configuration
    }
}

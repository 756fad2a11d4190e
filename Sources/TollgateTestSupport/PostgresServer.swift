import Foundation
import Synchronization

/// A throw-away PostgreSQL server on loopback for tests, made with Debian's `postgresql` package.
///
/// The server is started once per test process, on first use of ``shared()``, with `initdb` in a
/// temporary folder, and stopped with `pg_ctl` when the process exits. PostgreSQL refuses to run as
/// root, so when the tests run as root every server command runs as the `postgres` user the
/// package creates. Each test asks ``makeDatabase()`` for a database of its own, so tests running
/// in parallel never see each other's rows.
public final class PostgresServer: Sendable {
    /// The folder holding `initdb`, `pg_ctl`, `createdb` and `psql`.
    public let binDirectory: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    private let root: String
    private let runsAsPostgresUser: Bool

    private static let state = Mutex<Result<PostgresServer, PostgresServerError>?>(nil)
    private static let databaseCounter = Atomic<Int>(0)

    /// The server of this test process, started on the first call.
    ///
    /// - Throws: ``PostgresServerError`` when the binaries are missing or the server does not
    ///   start; a test that needs the server then fails with that reason, never skips.
    public static func shared() throws(PostgresServerError) -> PostgresServer {
        let result = state.withLock { current in
            if let current { return current }
            let started = Result { () throws(PostgresServerError) in try PostgresServer() }
            current = started
            if case .success = started {
                atexit { PostgresServer.stopShared() }
            }
            return started
        }
        return try result.get()
    }

    private static func stopShared() {
        state.withLock { current in
            if case .success(let server)? = current { server.stop() }
            current = nil
        }
    }

    private init() throws(PostgresServerError) {
        binDirectory = try Self.findBinDirectory()
        runsAsPostgresUser = getuid() == 0
        let base = FileManager.default.temporaryDirectory.path
        root = base + "/tollgate-pg-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            if runsAsPostgresUser {
                try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: root)
            }
        } catch {
            throw .cannotStart("cannot prepare \(root): \(error)")
        }
        port = try Self.freePort()
        try run("initdb", ["-D", root + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
        try run("pg_ctl", [
            "-D", root + "/data", "-l", root + "/server.log", "-w", "-t", "60",
            "-o", "-p \(port) -k \(root) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            "start",
        ])
    }

    /// The URL of the server's `postgres` database, for tests that need no database of their own.
    public var url: String {
        url(database: "postgres")
    }

    /// The URL of `database` on this server, as user `postgres` (trusted on loopback).
    public func url(database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Creates an empty database and returns its name; ``url(database:)`` gives its URL.
    public func makeDatabase() throws(PostgresServerError) -> String {
        let name = "tollgate_\(getpid())_\(Self.databaseCounter.add(1, ordering: .relaxed).newValue)"
        try run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name])
        return name
    }

    /// Runs SQL through `psql` against `database`, for tests that must change rows behind the
    /// store's back, and returns what it printed.
    @discardableResult
    public func psql(database: String, _ sql: String) throws(PostgresServerError) -> String {
        try run("psql", [
            "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database,
            "-v", "ON_ERROR_STOP=1", "-At", "-c", sql,
        ])
    }

    /// Stops the server and removes its folder.
    public func stop() {
        _ = try? run("pg_ctl", ["-D", root + "/data", "-m", "fast", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The path of one of the server's programs, for tests that start it themselves.
    public func program(_ name: String) -> String {
        binDirectory + "/" + name
    }

    @discardableResult
    private func run(_ program: String, _ arguments: [String]) throws(PostgresServerError) -> String {
        let child: ChildProcess
        do {
            child = runsAsPostgresUser
                ? try ChildProcess("/usr/sbin/runuser", ["-u", "postgres", "--", self.program(program)] + arguments)
                : try ChildProcess(self.program(program), arguments)
        } catch {
            throw .cannotStart(error.description)
        }
        let text = child.readToEnd()
        let status = child.wait()
        guard status == 0 else {
            throw .commandFailed(program: program, status: status, output: text)
        }
        return text
    }

    /// Debian installs each major version under /usr/lib/postgresql/N/bin; the newest wins.
    /// `TOLLGATE_POSTGRES_BIN` overrides the search.
    private static func findBinDirectory() throws(PostgresServerError) -> String {
        if let configured = ProcessInfo.processInfo.environment["TOLLGATE_POSTGRES_BIN"] {
            guard FileManager.default.isExecutableFile(atPath: configured + "/initdb") else {
                throw .missingBinaries("TOLLGATE_POSTGRES_BIN=\(configured) has no initdb")
            }
            return configured
        }
        let parent = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(parent)/\(version)/bin/initdb") {
            return "\(parent)/\(version)/bin"
        }
        throw .missingBinaries("no initdb under \(parent)/*/bin")
    }

    /// Asks the kernel for a free port by binding to port 0; the window in which another process
    /// could take it before the server does is tiny on a test machine.
    private static func freePort() throws(PostgresServerError) -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw .cannotStart("cannot open a socket to find a free port") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketFD, socketAddress, length) == 0 && getsockname(socketFD, socketAddress, &length) == 0
            }
        }
        guard bound else { throw .cannotStart("cannot bind a socket on 127.0.0.1 to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why the test server is not available.
public enum PostgresServerError: Error, Sendable, CustomStringConvertible {
    /// Debian's `postgresql` package is not installed.
    case missingBinaries(String)
    /// The server could not be prepared or started.
    case cannotStart(String)
    /// One of the server's programs failed.
    case commandFailed(program: String, status: Int32, output: String)

    public var description: String {
        switch self {
        case .missingBinaries(let detail):
            return "PostgreSQL's server programs are missing (\(detail)); install them with `apt-get install postgresql`."
        case .cannotStart(let detail):
            return "The test PostgreSQL server cannot start: \(detail)."
        case .commandFailed(let program, let status, let output):
            return "PostgreSQL's \(program) exited with status \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}

import Foundation
import Synchronization

/// A throw-away AWS emulator on loopback for tests: moto in server mode (`pip install "moto[server]"`,
/// done by `scripts/install-dependencies.sh --for-tests`).
///
/// ``shared()`` starts one server per test process on first use, on a free port of 127.0.0.1, and
/// stops it when the process exits. Moto keeps one state for every test, so each test names its
/// stacks, buckets and queues uniquely (``uniqueName(_:)``). ``startCheckingCredentials()`` starts
/// a separate server that checks signatures and refuses unknown keys, as AWS does; the shared one
/// accepts any key. A missing `moto_server` fails the test with how to install it, never skips.
public final class MotoServer: Sendable {
    /// The TCP port on 127.0.0.1.
    public let port: Int
    private let child: ChildProcess
    private let logPath: String

    private static let state = Mutex<Result<MotoServer, MotoServerError>?>(nil)
    private static let nameCounter = Atomic<Int>(0)

    /// The server of this test process, started on the first call.
    public static func shared() throws(MotoServerError) -> MotoServer {
        let result = state.withLock { current in
            if let current { return current }
            let started = Result { () throws(MotoServerError) in try MotoServer(checksCredentials: false) }
            current = started
            if case .success = started {
                atexit { MotoServer.stopShared() }
            }
            return started
        }
        return try result.get()
    }

    /// A server of its own that authenticates every request against the IAM users it knows (none),
    /// so any key is refused as AWS refuses an unknown one; stopped when the value is released.
    public static func startCheckingCredentials() throws(MotoServerError) -> MotoServer {
        try MotoServer(checksCredentials: true)
    }

    private static func stopShared() {
        state.withLock { current in
            if case .success(let server)? = current { server.stop() }
            current = nil
        }
    }

    private init(checksCredentials: Bool) throws(MotoServerError) {
        guard let port = FreePort.take() else { throw .cannotStart("no free port on 127.0.0.1") }
        self.port = port
        logPath = FileManager.default.temporaryDirectory.path + "/tollgate-moto-\(UUID().uuidString).log"
        // Through the shell so that `moto_server` is found on PATH and its request log goes to a
        // file: a pipe nobody reads would fill and stall the server.
        let auth = checksCredentials ? "INITIAL_NO_AUTH_ACTION_COUNT=0 " : ""
        let program = ProcessInfo.processInfo.environment["TOLLGATE_MOTO_SERVER"] ?? "moto_server"
        let script = "\(auth)exec \"$0\" -H 127.0.0.1 -p \"$1\" >\"$2\" 2>&1"
        do {
            child = try ChildProcess("/bin/sh", ["-c", script, program, String(port), logPath])
        } catch {
            throw .cannotStart(error.description)
        }
        try waitUntilListening()
    }

    /// The URL to pass as `endpoint-url`.
    public var endpoint: String {
        "http://127.0.0.1:\(port)"
    }

    /// `prefix` followed by a suffix no other test of this process uses, in the lower-case
    /// letters, digits and dashes that stack, bucket and queue names all accept.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(getpid())-\(nameCounter.add(1, ordering: .relaxed).newValue)"
    }

    /// Stops the server and removes its log.
    public func stop() {
        child.kill()
        try? FileManager.default.removeItem(atPath: logPath)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Connects to the port until the server answers; moto takes a second or two to import.
    private func waitUntilListening() throws(MotoServerError) {
        for _ in 0..<600 {
            if FreePort.accepts(port) { return }
            var status: Int32 = 0
            if waitpid(child.pid, &status, WNOHANG) == child.pid {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw .exited(log.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            usleep(50_000)
        }
        throw .cannotStart("moto_server did not listen on 127.0.0.1:\(port) within 30 seconds")
    }
}

/// Why the emulator is not available.
public enum MotoServerError: Error, Sendable, CustomStringConvertible {
    /// The server could not be started.
    case cannotStart(String)
    /// The server ended before it listened, with what it printed.
    case exited(String)

    public var description: String {
        switch self {
        case .cannotStart(let detail):
            return "The moto AWS emulator cannot start: \(detail); run scripts/install-dependencies.sh --for-tests."
        case .exited(let log):
            return "The moto AWS emulator exited at start (\(log)); install it with "
                + "scripts/install-dependencies.sh --for-tests."
        }
    }
}

/// Free TCP ports on loopback, for servers the tests start.
enum FreePort {
    /// Asks the kernel for a free port by binding to port 0; the window in which another process
    /// could take it before the server does is tiny on a test machine.
    static func take() -> Int? {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return nil }
        defer { close(socketFD) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketFD, socketAddress, length) == 0 && getsockname(socketFD, socketAddress, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// Whether something accepts connections on `port` of 127.0.0.1.
    static func accepts(_ port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = loopback(port: port)
        return withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                connect(socketFD, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

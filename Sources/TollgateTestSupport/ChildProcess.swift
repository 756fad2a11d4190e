import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A program started by a test with `posix_spawn`, its output on a pipe and, if asked, its input too.
///
/// Foundation's `Process.waitUntilExit()` can hang when called from a Swift concurrency task on
/// Linux, because it waits for a run-loop notice that a busy cooperative pool may never deliver;
/// this type waits with `waitpid` instead. Reads and writes block the calling thread, so use it
/// from one test at a time; the end of input and the exit status sit behind a lock.
public final class ChildProcess: Sendable {
    /// The child's process id.
    public let pid: Int32
    private let outputFD: Int32
    /// The write end of the child's input while it is open, and the exit status once known.
    private let state: Mutex<(inputFD: Int32?, status: Int32?)>

    /// Starts `path` with `arguments`; standard output and error both go to ``readToEnd()``.
    ///
    /// - Parameter keepsInputOpen: give the child a pipe as standard input, written with
    ///   ``write(_:)``; otherwise its input is `/dev/null`.
    public init(_ path: String, _ arguments: [String], keepsInputOpen: Bool = false) throws(ChildProcessError) {
        let (pid, outputFD, inputFD) = try Self.spawnLock.withLock { _ throws(ChildProcessError) in
            try Self.spawn(path, arguments, keepsInputOpen: keepsInputOpen)
        }
        self.pid = pid
        self.outputFD = outputFD
        self.state = Mutex((inputFD: inputFD, status: nil))
    }

    /// Held from making the pipes until the child holds its ends: another thread spawning in
    /// between would otherwise let its child inherit them, and a reader would wait for an end of
    /// output that never comes.
    private static let spawnLock = Mutex(())

    private static func spawn(
        _ path: String, _ arguments: [String], keepsInputOpen: Bool
    ) throws(ChildProcessError) -> (Int32, Int32, Int32?) {
        var output: [Int32] = [0, 0]
        var input: [Int32] = [0, 0]
        guard makePipe(&output) else { throw .cannotStart(path, "no pipe: errno \(errno)") }
        if keepsInputOpen {
            guard makePipe(&input) else { throw .cannotStart(path, "no pipe: errno \(errno)") }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if keepsInputOpen {
            posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, output[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, nil, argv, environ)
        close(output[1])
        if keepsInputOpen { close(input[0]) }
        guard result == 0 else {
            close(output[0])
            if keepsInputOpen { close(input[1]) }
            throw .cannotStart(path, String(cString: strerror(result)))
        }
        return (child, output[0], keepsInputOpen ? input[1] : nil)
    }

    /// Opens a pipe whose ends close on exec, so that a child keeps only the ends it is given.
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    /// Writes `text` to the child's standard input.
    public func write(_ text: String) {
        guard let inputFD = state.withLock({ $0.inputFD }) else { return }
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(inputFD, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            guard written > 0 else { return }
            offset += written
        }
        bytes.removeAll()
    }

    /// Closes the child's standard input, so that a child reading to its end goes on.
    public func closeInput() {
        state.withLock { state in
            if let inputFD = state.inputFD {
                close(inputFD)
                state.inputFD = nil
            }
        }
    }

    /// Reads the child's output until it contains `marker` or ends, and returns what was read.
    public func read(until marker: String) -> String {
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !text.contains(marker) {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(outputFD, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return text
    }

    /// Reads the child's output until a whole line starting with `prefix` has arrived, and returns
    /// that line without its newline; nil when the output ends first. Other lines (logs sharing
    /// the pipe) are skipped.
    public func line(startingWith prefix: String) -> String? {
        var text = read(until: prefix)
        while true {
            if let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first(where: { $0.hasPrefix(prefix) }) {
                return String(line)
            }
            let more = read(until: "\n")
            guard !more.isEmpty else { return nil }
            text += more
        }
    }

    /// Reads the child's output until it closes it.
    public func readToEnd() -> String {
        read(until: "\u{0}\u{0}never\u{0}\u{0}")
    }

    /// Waits for the child to end and returns its exit status (128 + the signal if a signal ended it).
    @discardableResult
    public func wait() -> Int32 {
        state.withLock { state in
            if let status = state.status { return status }
            if let inputFD = state.inputFD {
                close(inputFD)
                state.inputFD = nil
            }
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            let signal = raw & 0x7f
            let exit = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
            state.status = exit
            return exit
        }
    }

    /// Sends `SIGKILL`, as `kill -9` does, and waits for the child to die.
    public func kill() {
        Glibc.kill(pid, SIGKILL)
        wait()
    }

    deinit {
        if state.withLock({ $0.status }) == nil {
            Glibc.kill(pid, SIGKILL)
            wait()
        }
        close(outputFD)
    }
}

/// A test program that could not be started.
public enum ChildProcessError: Error, Sendable, CustomStringConvertible {
    /// `posix_spawn` failed.
    case cannotStart(String, String)

    public var description: String {
        switch self {
        case .cannotStart(let path, let reason): return "Cannot start \(path): \(reason)."
        }
    }
}

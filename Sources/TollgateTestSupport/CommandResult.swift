import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished command printed and how it exited.
public struct CommandResult: Sendable {
    /// The exit status, or 128 plus the signal that ended the command.
    public let status: Int32
    public let standardOutput: String
    public let standardError: String

    /// Runs `arguments[0]` (looked up on PATH) with the rest as arguments, and waits for it.
    ///
    /// Started with `posix_spawnp` and reaped with `waitpid` rather than Foundation's `Process`,
    /// whose `waitUntilExit()` can hang when called from a Swift concurrency task on Linux (see
    /// ``ChildProcess``). Output and error go to temporary files, so a command that writes a lot to
    /// either can never stall on a full pipe.
    ///
    /// - Parameters:
    ///   - environment: variables added to, or replacing, this process's environment.
    ///   - input: the command's standard input; `/dev/null` when `nil`.
    ///   - directory: the command's working directory; this process's when `nil`.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], input: String? = nil, directory: String? = nil
    ) throws -> CommandResult {
        // A working directory goes through the shell: the spawn action that sets it is a GNU
        // extension the Swift Glibc module does not export. "$0" and "$@" need no quoting.
        let command = directory.map { ["sh", "-c", "cd \"$0\" && exec \"$@\"", $0] + arguments } ?? arguments
        guard let program = command.first else { throw ChildProcessError.cannotStart("", "no command given") }
        let scratch = try TemporaryDirectory(prefix: "tollgate-command")
        let inputPath = scratch.appending("input")
        let outputPath = scratch.appending("output")
        let errorPath = scratch.appending("error")
        try Data((input ?? "").utf8).write(to: URL(fileURLWithPath: inputPath))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input == nil ? "/dev/null" : inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let started = posix_spawnp(&child, program, &actions, nil, argv, envp)
        guard started == 0 else { throw ChildProcessError.cannotStart(program, String(cString: strerror(started))) }
        var raw: Int32 = 0
        while waitpid(child, &raw, 0) == -1 && errno == EINTR {}
        let signal = raw & 0x7f
        return CommandResult(
            status: signal == 0 ? (raw >> 8) & 0xff : 128 + signal,
            standardOutput: String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self),
            standardError: String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self)
        )
    }
}

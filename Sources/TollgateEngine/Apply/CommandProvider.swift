import Foundation
import Subprocess
import SystemPackage

/// `provider: command`: runs a program from the policy in force with the change set.
///
/// The program gets the change set JSON on standard input (and its path) and, in its environment,
/// the stack, change set, execution and target commit, and the paths of the template and of the
/// parameters in CloudFormation's `[{"ParameterKey", "ParameterValue"}]` form. Its output (standard error
/// merged in) is shown line by line and kept with the execution. Exit status 0 is success; the
/// timeout, or the apply's cancel, stops it with SIGTERM, then SIGKILL five seconds later.
public struct CommandProvider: Provider {
    /// The program's absolute path and its arguments; a script under `Policies/` has been written
    /// out from the policy in force by the caller.
    public let arguments: [String]
    /// Seconds before the program is stopped.
    public let timeoutSeconds: Int
    /// A folder the provider may write the template and parameter files into.
    public let workFolder: String

    /// The most output kept with the execution; the start and the end are kept beyond it.
    static let keptOutputBytes = 256 * 1024

    /// Creates the provider.
    public init(arguments: [String], timeoutSeconds: Int, workFolder: String) {
        self.arguments = arguments
        self.timeoutSeconds = timeoutSeconds
        self.workFolder = workFolder
    }

    public func apply(_ request: DeploymentRequest, progress: ProviderProgress) async throws -> ProviderOutcome {
        guard let program = arguments.first else { throw CommandProviderError.noProgram }
        // The folder holds the template and any script written out for this apply only.
        defer { try? FileManager.default.removeItem(atPath: workFolder) }
        let templatePath = workFolder + "/template"
        let parametersPath = workFolder + "/parameters.json"
        let changeSetPath = workFolder + "/change-set.json"
        try Data(request.template.utf8).write(to: URL(fileURLWithPath: templatePath))
        try request.cloudFormationParameters().write(to: URL(fileURLWithPath: parametersPath))
        try Data(request.changeSetJSON.utf8).write(to: URL(fileURLWithPath: changeSetPath))
        var environment: [Environment.Key: String?] = [:]
        for (name, value) in [
            ("TOLLGATE_STACK", request.stack), ("TOLLGATE_CHANGE_SET", request.changeSetID),
            ("TOLLGATE_EXECUTION", request.executionID), ("TOLLGATE_TARGET_COMMIT", request.targetCommit),
            ("TOLLGATE_TEMPLATE_FILE", templatePath), ("TOLLGATE_PARAMETERS_FILE", parametersPath),
            ("TOLLGATE_CHANGE_SET_FILE", changeSetPath),
            ("TOLLGATE_REMOVES_STACK", request.removesStack ? "true" : "false"),
        ] {
            if let key = Environment.Key(rawValue: name) { environment[key] = value }
        }
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))]
        let configuration = Configuration(
            executable: .path(FilePath(program)), arguments: Arguments(Array(arguments.dropFirst())),
            environment: .inherit.updating(environment), workingDirectory: FilePath(workFolder), platformOptions: options)
        let transcript = Transcript(limit: Self.keptOutputBytes)
        let timeout = timeoutSeconds
        let status: TerminationStatus?
        do {
            status = try await withThrowingTaskGroup(of: TerminationStatus?.self) { group in
                group.addTask {
                    try await Self.retryingBusyText {
                        // Standard input is the change set's file rather than a pipe: a program that
                        // exits without reading it must not end this process with SIGPIPE mid-apply.
                        let input = try FileDescriptor.open(FilePath(changeSetPath), .readOnly, options: [.closeOnExec])
                        return try await Subprocess.run(
                            configuration, input: .fileDescriptor(input, closeAfterSpawningProcess: true), output: .sequence,
                            error: .combinedWithOutput
                        ) { execution in
                            for try await line in execution.standardOutput.strings() {
                                let trimmed = line.hasSuffix("\n") ? String(line.dropLast()) : line
                                await transcript.append(trimmed)
                                await progress(trimmed)
                            }
                        }.terminationStatus
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        } catch let error as SubprocessError {
            throw CommandProviderError.cannotRun(program: program, reason: "\(error)")
        } catch is CancellationError {
            // The group has waited for the program's teardown (SIGTERM, then SIGKILL) by now.
            return ProviderOutcome(succeeded: false, output: await transcript.text + "\n[\(program) was stopped: the apply was cancelled]")
        }
        let output = await transcript.text
        if Task.isCancelled, status != .exited(0) {
            return ProviderOutcome(succeeded: false, output: output + "\n[\(program) was stopped: the apply was cancelled]")
        }
        guard let status else {
            return ProviderOutcome(succeeded: false, output: output + "\n[stopped after the \(timeoutSeconds)-second timeout]")
        }
        switch status {
        case .exited(0):
            return ProviderOutcome(succeeded: true, output: output)
        case .exited(let code):
            return ProviderOutcome(succeeded: false, output: output + "\n[\(program) exited with status \(code)]")
        case .signaled(let signal):
            return ProviderOutcome(succeeded: false, output: output + "\n[\(program) was ended by signal \(signal)]")
        }
    }
}

extension CommandProvider {
    /// Runs `spawn` again, a few times, while starting the program fails with "Text file busy":
    /// another thread's child may hold the script just written open for an instant before it
    /// execs (its descriptor is close-on-exec), and that is no reason to fail an apply.
    static func retryingBusyText<T>(_ spawn: () async throws -> T) async throws -> T {
        var delay = Duration.milliseconds(20)
        for _ in 1..<5 {
            do {
                return try await spawn()
            } catch let error as SubprocessError where error.underlyingError == .textFileBusy {
                try await Task.sleep(for: delay)
                delay *= 2
            }
        }
        return try await spawn()
    }
}

/// A command provider that could not run its program at all.
public enum CommandProviderError: Error, CustomStringConvertible, Equatable {
    /// deployments.yaml named no program.
    case noProgram
    /// The program could not be started.
    case cannotRun(program: String, reason: String)

    public var description: String {
        switch self {
        case .noProgram:
            "the command provider has no program to run; name one in Policies/deployments.yaml"
        case .cannotRun(let program, let reason):
            "cannot run \(program): \(reason); check that it exists and is executable"
        }
    }
}

/// The command's output, bounded: the first and the last `limit / 2` bytes are kept.
private actor Transcript {
    private let limit: Int
    private var head = ""
    private var tail: [String] = []
    private var tailBytes = 0
    private var dropped = 0

    init(limit: Int) {
        self.limit = limit
    }

    func append(_ line: String) {
        if head.utf8.count + line.utf8.count < limit / 2 {
            head += line + "\n"
            return
        }
        tail.append(line)
        tailBytes += line.utf8.count + 1
        while tailBytes > limit / 2, !tail.isEmpty {
            tailBytes -= tail.removeFirst().utf8.count + 1
            dropped += 1
        }
    }

    var text: String {
        let gap = dropped > 0 ? "[\(dropped) lines left out]\n" : ""
        return (head + gap + tail.map { $0 + "\n" }.joined()).trimmingCharacters(in: .newlines)
    }
}

import ArgumentParser
import TollgateCore

/// Every command names itself (`commandName:`): without it ArgumentParser derives the name with
/// `String(describing:)`, a runtime protocol-conformance scan that costs every start of a binary
/// this size about a millisecond per command.
@main
struct Tollgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "Git-backed change management for CloudFormation stacks.",
        discussion: """
        Tollgate reads the stacks under Stacks/ of a git repository, computes a change set for \
        every stack that a commit on main changed, and applies nothing until the reviewers named \
        in Policies/ have approved that exact change set.
        """,
        subcommands: [
            Init.self, History.self, Sync.self, Status.self, Plan.self, Show.self, Explain.self,
            Approve.self, Reject.self, Cancel.self, Apply.self, Execution.self, Drift.self, Diff.self, Audit.self, Guard.self, Check.self,
            Serve.self, Token.self, Notifications.self,
        ]
    )

    /// ArgumentParser's own entry point, except that an error a command throws is printed with
    /// ``TerminalText`` escapes: error messages quote file names, stack names and values.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        // Before any command's work starts threads; the server keeps a heap per busy thread.
        if !(command is Serve) { MallocArenas.shareOne() }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            exit(withError: error)
        } catch let error as CleanExit {
            exit(withError: error)
        } catch let error as ValidationError {
            exit(withError: ValidationError(TerminalText.escape(error.description)))
        } catch let error where Self.isArgumentParserRequest(error) {
            exit(withError: error)
        } catch {
            exit(withError: EscapedError(description: TerminalText.escape(CommandLineError.message(for: error))))
        }
    }

    /// Whether `error` is one of ArgumentParser's own, which it turns into output itself: its
    /// `help` command (what `--help` parses to) asks for the help text by throwing one.
    private static func isArgumentParserRequest(_ error: any Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}

/// An error thrown by a command, with its message escaped for the terminal.
struct EscapedError: Error, CustomStringConvertible {
    let description: String
}

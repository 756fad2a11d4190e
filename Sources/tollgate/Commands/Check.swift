import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine

/// `tollgate check [STACK]`: the guard rules of the policy in force over the branch's templates,
/// for CI systems.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the guard rules of the policy in force over the branch's templates.",
        discussion: """
            Checks every stack (or STACK) at the tip of the branch against the rules of \
            Policies/guards/ as last applied, with their configuration and waivers. Exits 0 when \
            nothing blocks and 2 when an enforced, unwaived error-severity rule fails. --format \
            sarif writes SARIF 2.1.0 for code-scanning tools; junit writes JUnit XML for CI dashboards.
            """
    )

    @Argument(help: "One stack to check (default: every stack).")
    var stack: String?

    @Option(help: "The output: text, json, sarif or junit.")
    var format: CheckFormat = .text

    @Option(help: ArgumentHelp("The commit whose templates to check (default: the tip of the branch).", valueName: "rev"))
    var commit: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let check = try await store.withStore(repository: repository.repo, readOnly: true) { store in
            let managed = try await ManagedRepository.open(
                path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
            return try await GuardCheck.run(
                store: store, repository: managed, stacks: stack.map { [$0] }, commit: try await managed.commit(commit), at: Date())
        }
        var output = StandardOutput()
        switch format {
        case .text: output.write(TerminalText.sanitize(GuardCheckOutput.text(check)))
        case .json: output.write(try CommandOutput.json(GuardCheckJSON(check)) + "\n")
        case .sarif: output.write(try CommandOutput.json(SARIF.Log(check)) + "\n")
        case .junit: output.write(GuardCheckJUnit.xml(check))
        }
        output.flush()
        if check.blocks { throw ExitCode(2) }
    }
}

/// The `--format` choices of `tollgate check`.
enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, junit
}

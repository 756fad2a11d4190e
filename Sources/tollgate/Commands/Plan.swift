import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate plan STACK`: the change set for one stack at a commit.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Compute the change set for one stack at a commit.",
        discussion: """
            Reads the stack's template and configuration at the commit (default: the tip of the \
            branch), checks the parameters, and predicts offline what CloudFormation would do: \
            which resources it adds, modifies, removes and replaces, against the state recorded \
            in the store for the stack. Until Tollgate has recorded a state for the stack, the \
            change set creates it (ChangeSetType CREATE); a recorded stack whose template is gone \
            plans the removal of everything. Plan writes nothing; `tollgate sync` records change sets.
            """
    )

    @Argument(help: "The stack's name, as its path gives it (Stacks/<name>/template.yaml).")
    var stack: String

    @Option(help: ArgumentHelp("The commit to plan (default: the tip of the branch).", valueName: "rev"))
    var commit: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if StackLayout.isReservedName(stack) {
            throw ValidationError(PlanError.policiesNotAStack.description)
        }
    }

    func run() async throws {
        let plan = try await store.withStore(repository: repository.repo) { store in
            let managed = try await ManagedRepository.open(
                path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
            return try await StackPlanning(store: store).plan(stack: stack, at: commit, repository: managed)
        }
        let changeSet = plan.changeSet
        guard let guards = plan.guards, let report = guards.reports.first, !report.outcomes.isEmpty || !report.findings.isEmpty else {
            try ChangeSetOutput.write(changeSet, output: output)
            return
        }
        if output.json {
            for warning in changeSet.warnings {
                FileHandle.standardError.write(Data("warning: \(TerminalText.escape(warning))\n".utf8))
            }
            print(try CommandOutput.json(PlanJSON(changeSet: changeSet, guards: report)))
            return
        }
        try ChangeSetOutput.write(changeSet, output: output)
        let failing = report.outcomes.filter { $0.status == .fail }.count
        var text = "Guard rules (Policies/ of commit \(guards.policyCommit.prefix(7))): \(report.outcomes.count) apply, \(failing) fail"
            + (report.blocks ? "; the change set could not be approved" : "") + "\n"
        for finding in report.findings {
            text += "  \(TerminalText.escape(finding.summary)) [\(TerminalText.escape(finding.standing))]\n"
        }
        print(TerminalText.sanitize(text), terminator: "")
    }
}

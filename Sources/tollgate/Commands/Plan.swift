import ArgumentParser
import TollgateCore
import TollgateEngine

/// `tollgate plan STACK`: the change set for one stack at a commit.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute the change set for one stack at a commit.",
        discussion: """
            Reads the stack's template and configuration at the commit (default: the tip of the \
            branch), checks the parameters, and predicts offline what CloudFormation would do: \
            which resources it adds, modifies, removes and replaces. Until Tollgate has recorded \
            a state for the stack, the change set creates it (ChangeSetType CREATE).
            """
    )

    @Argument(help: "The stack's name, as its path gives it (Stacks/<name>/template.yaml).")
    var stack: String

    @Option(help: ArgumentHelp("The commit to plan (default: the tip of the branch).", valueName: "rev"))
    var commit: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let managed = try ManagedRepository(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
        let commit = try managed.commit(self.commit)
        guard let source = try managed.stackSource(stack, at: commit) else {
            throw PlanError.stackNotFound(name: stack, commit: commit.short, known: try managed.stackNames(at: commit))
        }
        let target = try source.snapshot()
        let changeSet = try ChangePlanner().plan(stackName: stack, commit: commit.hex, base: nil, target: target)
        try ChangeSetOutput.write(changeSet, output: output)
    }
}

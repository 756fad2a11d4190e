import ArgumentParser
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate plan STACK`: the change set for one stack at a commit.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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
            throw ValidationError("Policies/ is not a stack: a change to it is a policy change set, which tollgate sync creates and tollgate show ID describes.")
        }
    }

    func run() async throws {
        let (state, inForce) = try await store.withStore(repository: repository.repo) { store in
            (try await store.stackState(stack), try await store.policyInForce()?.commit)
        }
        let managed = try ManagedRepository(
            path: repository.repo, settingsFile: repository.config, branch: repository.branch, settingsCommit: inForce)
        let commit = try managed.commit(self.commit)
        guard let changeSet = try managed.changeSet(for: stack, at: commit, against: try state?.snapshot()) else {
            throw PlanError.stackNotFound(name: stack, commit: commit.short, known: try managed.stackNames(at: commit))
        }
        try ChangeSetOutput.write(changeSet, output: output)
    }
}

import ArgumentParser

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
            Approve.self, Reject.self, Cancel.self, Diff.self, Audit.self, Guard.self,
        ]
    )
}

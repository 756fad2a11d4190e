import ArgumentParser

@main
struct Tollgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "Git-backed change management for CloudFormation stacks.",
        subcommands: [Audit.self]
    )
}

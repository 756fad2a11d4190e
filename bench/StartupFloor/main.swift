import ArgumentParser

/// The start-up floor of a Swift command-line program built the way Tollgate's release is: a
/// command with a few subcommands, parsed by ArgumentParser, run by the async entry point, with
/// the Swift runtime linked in. `bench/all.sh` times its `--help` beside `tollgate --help`, so the
/// start-up figure shows how much of it is Tollgate's own: its size, its libraries, its types.
@main
struct StartupFloor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup-floor", abstract: "Prints its help and exits.", subcommands: [Show.self, Apply.self, Verify.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows a record.")
        @Argument(help: "The record's id.") var id: String
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {}
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Applies a record.")
        @Argument(help: "The record's id.") var id: String
        @Option(help: "Where the state is kept.") var state = "state.db"
        func run() async throws {}
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verifies the records.")
        @Option(help: "The head expected.") var head: String?
        func run() async throws {}
    }
}

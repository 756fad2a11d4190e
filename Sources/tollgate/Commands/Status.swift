import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate status [TEXT]`: every stack at a glance.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every stack: its status, open change set and last execution.",
        discussion: """
            One row per stack in the repository or in the store: the status (APPLYING, PENDING, \
            APPROVED, FAILED, APPLIED or NOT_APPLIED), the open change set's id, and the last \
            execution's id, start, end and result.
            """
    )

    @Argument(help: "Only the stacks whose name contains this text.")
    var text: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let rows = try await store.withStore(repository: repository.repo, readOnly: true) { store in
            let managed = try await ManagedRepository.open(
                path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
            let names = try managed.stackNames(at: managed.tip)
            return try await StackStatusReader.statuses(repositoryStacks: names, matching: text, in: store)
        }
        if output.json {
            print(try CommandOutput.json(rows))
        } else {
            print(TerminalText.sanitize(StatusTable(style: TextStyle(enabled: output.usesColor)).render(rows)), terminator: "")
        }
    }
}

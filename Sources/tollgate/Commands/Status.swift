import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate status [TEXT]`: every stack at a glance.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the policy in force and every stack: its status, open change set and last execution.",
        discussion: """
            First the policy revision in force and its open change set, then one row per stack in \
            the repository or in the store: the status (APPLYING, PENDING, APPROVED, REJECTED, \
            UNAPPROVABLE, TAMPERED, PLAN_FAILED, FAILED, APPLIED or NOT_APPLIED), the open change \
            set's id, and the last execution's id, start, end and result. An open change set's status \
            is the one explain computes under the policy in force now; when the stored status \
            differs, both are shown.
            """
    )

    @Argument(help: "Only the stacks whose name contains this text.")
    var text: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let report = try await store.withStore(repository: repository.repo, readOnly: true) { store in
            let managed = try await ManagedRepository.open(
                path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
            return try await StatusReader(store: store).report(repository: managed, matching: text)
        }
        if output.json {
            print(try CommandOutput.json(report))
        } else {
            print(TerminalText.sanitize(StatusTable(style: TextStyle(enabled: output.usesColor)).render(report)), terminator: "")
        }
    }
}

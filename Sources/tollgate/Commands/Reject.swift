import ArgumentParser
import Foundation
import TollgateEngine
import TollgateCore

/// `tollgate reject ID --reason TEXT`: a signed rejection of one change set's digest.
struct Reject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject a change set with your SSH key.",
        discussion: """
            Sign the text that tollgate show ID --approval-text --verdict reject prints. A \
            rejection by a reviewer who may approve the change set makes it REJECTED.
            """
    )

    @Argument(help: "The change set's id, such as cs-3f9a0c1e.")
    var id: String

    @Option(help: "Why you reject it; kept with the rejection and in the audit trail.")
    var reason: String

    @OptionGroup var signing: SignatureOptions
    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--reason must say why the change set is rejected.")
        }
    }

    func run() async throws {
        try await ReviewVerdictCommand.run(.reject, id: id, reason: reason, signing: signing, repository: repository, store: store, output: output)
    }
}

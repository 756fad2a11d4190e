import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate cancel ID --reason TEXT`: withdraw a change set without judging its content.
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cancel a pending or approved change set.",
        discussion: """
            A cancel is not a rejection: it says the change set should not go ahead now, not that \
            its content is wrong. The change set becomes CANCELLED with the reason, and the audit \
            trail records who cancelled it. A change set that is applying or finished cannot be \
            cancelled.
            """
    )

    @Argument(help: "The change set's id, such as cs-3f9a0c1e.")
    var id: String

    @Option(help: "Why the change set is cancelled; kept with it and in the audit trail.")
    var reason: String

    @OptionGroup var actor: OperatorOptions
    @OptionGroup var signing: OperatorSignatureOptions
    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--reason is empty; say why the change set is cancelled.")
        }
    }

    func run() async throws {
        let actor = actor.name ?? ""
        let record = try await store.withStore(repository: repository.repo) { store -> ChangeSetRecord? in
            let cancellation = ChangeSetCancellation(store: store)
            if signing.printText {
                print(try await cancellation.textToSign(changeSetID: id, reason: reason), terminator: "")
                return nil
            }
            var policy: PolicyInForce?
            if try await store.policyInForce() != nil {
                let managed = try ManagedRepository(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
                policy = try await PolicyInForce.load(from: store, repository: managed)
            }
            return try await cancellation.cancel(changeSetID: id, reason: reason, actor: actor, policy: policy) { text in
                try signing.signature(for: text)
            }
        }
        guard let record else { return }
        if output.json {
            print(try CommandOutput.json(CancelledChangeSet(id: record.id, stack: record.stack, status: record.status.rawValue, reason: reason)))
        } else {
            print(
                "Change set \(TerminalText.escape(record.id)) of \(TerminalText.escape(record.stack)) "
                    + "is \(record.status.rawValue): \(TerminalText.escape(reason))")
        }
    }
}

/// The `--json` answer of `tollgate cancel`.
struct CancelledChangeSet: Encodable {
    var id: String
    var stack: String
    var status: String
    var reason: String
}

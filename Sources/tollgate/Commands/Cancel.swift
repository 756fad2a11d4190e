import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate cancel ID --reason TEXT`: withdraw a change set without judging its content.
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a pending or approved change set.",
        discussion: """
            A cancel is not a rejection: it says the change set should not go ahead now, not that \
            its content is wrong. The change set becomes CANCELLED with the reason, and the audit \
            trail records who cancelled it. A change set that is applying is not cut off: the cancel is \
            recorded on its execution, the applying process stops its provider (a command gets \
            SIGTERM, CloudFormation CancelUpdateStack and rolls back; a creation cannot be \
            cancelled) and ends it CANCELLED, and this command waits for that and prints the \
            execution's output. Exit status 1 when the provider finished before it saw the cancel. \
            A finished change set cannot be cancelled.
            """
    )

    @Argument(help: "The change set's id, such as cs-3f9a0c1e.")
    var id: String

    @Option(help: "Why the change set is cancelled; kept with it and in the audit trail.")
    var reason: String

    @Flag(help: "When the change set is applying: record the cancel and return at once instead of waiting for the provider to stop.")
    var noWait = false

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
        let cancelling = try await store.withStore(repository: repository.repo) { store -> ChangeSetCancelling? in
            let cancellation = ChangeSetCancellation(store: store)
            if signing.printText {
                print(try await cancellation.textToSign(changeSetID: id, reason: reason), terminator: "")
                return nil
            }
            var policy: PolicyInForce?
            if try await store.policyInForce() != nil {
                let managed = try await ManagedRepository.open(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
                policy = try await PolicyInForce.load(from: store, repository: managed)
            }
            return try await cancellation.cancel(changeSetID: id, reason: reason, actor: actor, policy: policy) { text in
                try signing.signature(for: text)
            }
        }
        guard let cancelling else { return }
        guard let running = cancelling.execution else {
            let record = cancelling.changeSet
            if output.json {
                print(try CommandOutput.json(CancelledChangeSet(id: record.id, stack: record.stack, status: record.status, reason: reason, execution: nil)))
            } else {
                print(
                    "Change set \(TerminalText.escape(record.id)) of \(TerminalText.escape(record.stack)) "
                        + "is \(record.status.rawValue): \(TerminalText.escape(reason))")
            }
            return
        }
        if !output.json {
            print("Change set \(TerminalText.escape(running.changeSetID)) is applying (execution \(TerminalText.escape(running.id))); "
                + (noWait ? "its process stops the provider and ends it CANCELLED." : "waiting for its process to stop the provider..."))
        }
        var ended = running
        if !noWait {
            ended = try await store.withStore(repository: repository.repo, readOnly: true) { store in
                try await ChangeSetCancellation(store: store).awaitEnd(of: running)
            }
        }
        let status = ended.result?.changeSetStatus ?? .applying
        if output.json {
            print(try CommandOutput.json(CancelledChangeSet(
                id: ended.changeSetID, stack: ended.stack, status: status, reason: reason, execution: ended.id)))
        } else if ended.finishedAt != nil {
            var text = "Change set \(TerminalText.escape(ended.changeSetID)) of \(TerminalText.escape(ended.stack)) is \(status.rawValue) "
                + "(execution \(TerminalText.escape(ended.id))). Provider output:\n"
            text += (ended.providerOutput ?? "(none)").split(separator: "\n", omittingEmptySubsequences: false)
                .map { "  " + TerminalText.escape(String($0)) }.joined(separator: "\n") + "\n"
            print(TerminalText.sanitize(text), terminator: "")
        }
        // The provider finished before it saw the cancel: the change went through.
        if ended.finishedAt != nil, ended.result != .cancelled { throw ExitCode.failure }
    }
}

import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine

/// `tollgate init`: trust the current `Policies/` once, explicitly, as the first policy in force.
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Trust the Policies/ of a commit as the first policy in force.",
        discussion: """
            Reviews are decided by the policy in force, never by the change under review. The \
            first policy has nothing before it to review it, so it is trusted once, explicitly, \
            and the audit trail records who trusted which commit. Afterwards Policies/ changes \
            only through policy change sets approved under the policy in force.
            """
    )

    @Option(help: ArgumentHelp("The commit whose Policies/ to trust (default: the tip of the branch).", valueName: "rev"))
    var commit: String?

    @OptionGroup var actor: OperatorOptions

    @Flag(help: "Trust this revision even though a policy is in force already; needs --key or --signature, and the audit trail names the one replaced.")
    var force = false

    @OptionGroup var signing: OperatorSignatureOptions

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let managed = try await ManagedRepository.open(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
        let commit = try await managed.commit(self.commit)
        let actor = self.actor.name ?? ""
        let trusted = try await store.withStore(repository: repository.repo) { store -> PolicyInForce? in
            let text = try await PolicyInForce.textToTrust(commit: commit, replacing: force, store: store)
            if signing.printText {
                print(text, terminator: "")
                return nil
            }
            return try await PolicyInForce.trust(
                commit: commit, repository: managed, store: store, actor: actor, replacing: force,
                signature: try signing.signature(for: text))
        }
        guard let trusted else { return }
        if output.json {
            print(try CommandOutput.json(InitJSON(commit: trusted.commit, actor: actor, people: trusted.policy.reviewers.people.map(\.id))))
        } else {
            let people = trusted.policy.reviewers.people.count
            print("Trusted Policies/ of commit \(trusted.commit.prefix(7)) as the policy in force (\(people) \(people == 1 ? "reviewer" : "reviewers")); recorded in the audit trail as trusted by \(TerminalText.escape(actor)).")
        }
    }
}

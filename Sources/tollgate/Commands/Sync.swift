import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate sync`: create change sets for the commits on the branch since the last sync.
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Create a change set for every stack the branch changed since the last sync.",
        discussion: """
            Scans the commits on the branch after the last synced one (on the first run, the whole \
            history, or from --from), and for each stack that changed creates one change set at \
            the newest commit that changed it, planned against the stack's recorded state. A \
            stack that still has an open change set gets a new one that lists the old one's \
            commits too, and the old one becomes SUPERSEDED. A deleted stack gets a change set \
            that removes everything; a change under Policies/ gets a policy change set. A stack \
            whose files changed without changing its change set gets none. Everything, with the \
            move of the cursor, is written in one transaction: a sync that is killed leaves \
            nothing behind, and running sync again with nothing new does nothing. With --remote, \
            the remote branch is first fetched into Tollgate's own clone; a branch whose history \
            no longer contains the last synced commit (a force-push) is refused and audited.
            """
    )

    @Option(help: ArgumentHelp(
        "On the first sync of the branch, the first commit to scan instead of the start of the history.",
        valueName: "rev"))
    var from: String?

    @Option(help: "The actor named in the audit trail for what the sync records.")
    var actor = "tollgate"

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if remote.remote != nil, repository.branch != nil {
            throw ValidationError("--branch names a branch of --repo; with --remote, pass --remote-branch.")
        }
    }

    func run() async throws {
        let followed = remote.remoteRepository(repository: repository.repo, state: store.state)
        let report = try await store.withStore(repository: repository.repo) { store in
            if let followed {
                return try await RemoteFollower(remote: followed, store: store, actor: actor).fetchAndSync(settingsFile: repository.config, from: from)
            }
            let managed = try await ManagedRepository.open(
                path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
            return try await ChangeSetSynchronizer(repository: managed, store: store, actor: actor).sync(from: from)
        }
        if output.json {
            print(try CommandOutput.json(report))
        } else {
            print(TerminalText.sanitize(SyncText(style: TextStyle(enabled: output.usesColor)).render(report)), terminator: "")
        }
    }
}

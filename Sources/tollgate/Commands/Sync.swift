import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate sync`: create change sets for the commits on the branch since the last sync.
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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
            nothing behind, and running sync again with nothing new does nothing.
            """
    )

    @Option(help: ArgumentHelp(
        "On the first sync of the branch, the first commit to scan instead of the start of the history.",
        valueName: "rev"))
    var from: String?

    @Option(help: "The actor named in the audit trail for what the sync records.")
    var actor = "tollgate"

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let managed = try ManagedRepository(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
        let report = try await store.withStore(repository: repository.repo) { store in
            try await ChangeSetSynchronizer(repository: managed, store: store, actor: actor).sync(from: from)
        }
        if output.json {
            print(try AuditRendering.json(report))
        } else {
            print(SyncText(style: TextStyle(enabled: output.usesColor)).render(report), terminator: "")
        }
    }
}

/// The text form of a ``SyncReport``: one line per change set created, then a summary.
struct SyncText {
    let style: TextStyle

    func render(_ report: SyncReport) -> String {
        if report.isNothingNew {
            return "Nothing new on \(report.branch): already synced up to \(report.cursor.prefix(7)).\n"
        }
        var lines: [String] = []
        for changeSet in report.created {
            var line = "\(style.bold(changeSet.id))  \(changeSet.stack)  \(changeSet.type)  at \(changeSet.targetCommit.prefix(7))"
            line += "  \(changeSet.commits.count) commit\(changeSet.commits.count == 1 ? "" : "s")  \(changeSet.summary)"
            if let old = changeSet.supersedes { line += style.dim("  (supersedes \(old))") }
            lines.append(line)
        }
        for id in report.withdrawn {
            lines.append("\(style.bold(id))  SUPERSEDED: its stack was deleted before it was ever applied")
        }
        if !report.unchanged.isEmpty {
            lines.append("No change set needed, nothing differs from the recorded state: \(report.unchanged.joined(separator: ", "))")
        }
        let from = report.previousCursor.map { "after \($0.prefix(7))" } ?? "from the start"
        lines.append("Synced \(report.branch) \(from) up to \(report.cursor.prefix(7)): \(report.relevantCommits) relevant commit\(report.relevantCommits == 1 ? "" : "s"), \(report.created.count) change set\(report.created.count == 1 ? "" : "s") created.")
        return lines.joined(separator: "\n") + "\n"
    }
}

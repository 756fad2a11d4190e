import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine

/// `tollgate history`: which stacks each commit on the branch changed, oldest first.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the commits on the branch and the stacks each one added, modified or deleted.",
        discussion: """
        Follows the branch's first-parent history, oldest commit first; a merge is compared with \
        the branch before it. Without --all, commits that changed no stack, no policy and no \
        settings are left out. With --json, one JSON object per line.
        """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Start after this commit, which must be on the branch.", valueName: "rev"))
    var since: String?

    @Flag(help: "Include commits that changed no stack, policy or settings.")
    var all = false

    func run() async throws {
        ManagedRepository.dedicateProcessToHistoryWalk()
        let managed = try await ManagedRepository.open(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
        // The walk goes newest first; each commit's output waits in the spool until it is done,
        // so that a long history is not held in memory.
        let renderer = HistoryText(style: TextStyle(enabled: output.usesColor))
        let spool = LineSpool()
        let json = output.json
        let lines = try await managed.historyEntries(since: since, includeAll: all) { entry in
            spool.append(json ? entry.jsonLine : TerminalText.sanitize(renderer.render(entry)))
        }
        var out = StandardOutput()
        try spool.write(lines, to: &out)
        if !output.json, lines.isEmpty {
            FileHandle.standardError.write(Data("No commit on '\(TerminalText.escape(managed.branch))' changed a stack, a policy or the settings.\n".utf8))
        }
        out.flush()
    }
}

import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate show ID`: one change set with its commits, changes, verdicts and executions.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one change set: its commits, changes, approvals and executions.",
        discussion: """
            With --approval-text, print only the exact text a reviewer signs (it names the change \
            set, its stack and its digest), for ssh-keygen -Y sign -n tollgate.
            """
    )

    @Argument(help: "The change set's id, such as cs-3f9a0c1e.")
    var id: String

    @Flag(help: "Print only the text to sign for this change set, unchanged.")
    var approvalText = false

    @Option(help: "With --approval-text: the verdict the text gives, approve or reject.")
    var verdict: VerdictChoice = .approve

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if approvalText && output.json {
            throw ValidationError("--approval-text prints the exact text to sign; it has no JSON form, so drop --json.")
        }
    }

    func run() async throws {
        let managed = try await ManagedRepository.open(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
        if approvalText {
            let text = try await store.withStore(repository: repository.repo, readOnly: true) { store in
                try await ReviewService(store: store).approvalText(changeSetID: id, verdict: verdict.verdict)
            }
            print(text, terminator: "")
            return
        }
        let view = try await store.withStore(repository: repository.repo, readOnly: true) { store in
            try await ReviewService(store: store).view(changeSetID: id, repository: managed)
        }
        let shown = ChangeSetJSON(view)
        if output.json {
            print(try CommandOutput.json(shown))
        } else {
            print(TerminalText.sanitize(shown.text(useColor: output.usesColor)), terminator: "")
        }
    }
}

extension ChangeSetJSON {
    /// The text for a person: header, commits, changes, verdicts, executions; every stored value
    /// escaped for the terminal.
    func text(useColor: Bool) -> String {
        let target = kind == .policy ? "Policies/" : "stack \(TerminalText.escape(stack))"
        var lines = [
            "Change set \(TerminalText.escape(id)): \(target), \(TerminalText.escape(status.rawValue))"
                + (storedStatus.map { " (stored as \(TerminalText.escape($0.rawValue)); the policy in force no longer says so)" } ?? "")
                + (statusReason.map { " (\(TerminalText.escape($0)))" } ?? ""),
            "Digest: \(TerminalText.escape(digest))",
            "Target commit: \(TerminalText.escape(targetCommit)), planned against state version \(baseStateVersion)",
            "Created \(CommandOutput.timestamp(createdAt)), updated \(CommandOutput.timestamp(updatedAt))",
            "Commits:",
        ]
        for commit in commits {
            let via = commit.mergedBy.map { " (merged by \(TerminalText.escape(String($0.prefix(7)))))" } ?? ""
            lines.append(
                "  \(TerminalText.escape(String(commit.id.prefix(7)))) \(TerminalText.escape(commit.author)) "
                    + "<\(TerminalText.escape(commit.email))> \(TerminalText.escape(commit.summary))\(via)")
        }
        var text = lines.joined(separator: "\n") + "\n"
        if let planFailure {
            text += "Changes: none; the stack could not be planned at \(TerminalText.escape(String(targetCommit.prefix(7)))): \(TerminalText.escape(planFailure))\n"
        } else if let changes {
            text += "Changes:\n" + ChangeSetRenderer(style: TextStyle(enabled: useColor)).render(changes)
        } else {
            text += "Changes: the Policies/ files of commit \(TerminalText.escape(String(targetCommit.prefix(7))))\n"
        }
        if let guards {
            text += "Guard rules: \(guards.outcomes.count) apply, \(guards.findings.count) failure\(guards.findings.count == 1 ? "" : "s")\n"
            for finding in guards.findings {
                text += "  \(TerminalText.escape(finding.summary)) [\(TerminalText.escape(finding.standing))]\n"
            }
        }
        text += approvals.isEmpty ? "Approvals: none\n" : "Approvals:\n"
        for approval in approvals {
            text += "  \(TerminalText.escape(approval.reviewer)) \(approval.verdict == .approve ? "approved" : "rejected") at \(CommandOutput.timestamp(approval.recordedAt))"
                + (approval.reason.map { " (\"\(TerminalText.escape($0))\")" } ?? "") + ", signed \(approval.signature == nil ? "no" : "yes")\n"
        }
        text += executions.isEmpty ? "Executions: none\n" : "Executions:\n"
        for execution in executions {
            text += "  \(TerminalText.escape(execution.id)) started \(CommandOutput.timestamp(execution.startedAt))"
                + (execution.actor.map { " by \(TerminalText.escape($0))" } ?? "") + ", "
                + (execution.result.map { "\(TerminalText.escape($0.rawValue)) at \(execution.finishedAt.map(CommandOutput.timestamp) ?? "?")" } ?? "not finished") + "\n"
            for event in execution.events {
                text += "    \(TerminalText.escape(event))\n"
            }
        }
        return text
    }
}

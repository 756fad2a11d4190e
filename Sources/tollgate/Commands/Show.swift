import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate show ID`: one change set with its commits, changes, verdicts and executions.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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
        let managed = try ManagedRepository(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
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
        let shown = ShowJSON(view)
        if output.json {
            print(try CommandOutput.json(shown))
        } else {
            print(TerminalText.sanitize(shown.text(useColor: output.usesColor)), terminator: "")
        }
    }
}

/// The `--json` answer of `tollgate show`; storage rows are copied into it, never encoded directly.
struct ShowJSON: Codable {
    struct Commit: Codable {
        var id: String
        var author: String
        var email: String
        var committerEmail: String
        var summary: String
        /// The merge that brought the commit onto the branch; nil for a commit on its first-parent line.
        var mergedBy: String?
    }

    struct Approval: Codable {
        var reviewer: String
        var verdict: String
        var digest: String
        var reason: String?
        var signature: String?
        var recordedAt: Date
    }

    struct Execution: Codable {
        var id: String
        /// Who started the apply; nil when the audit trail names no one.
        var actor: String?
        var startedAt: Date
        var finishedAt: Date?
        var result: String?
        var providerOutput: String?
        /// The provider's recorded events and output lines, oldest first.
        var events: [String]
    }

    var id: String
    var kind: String
    var stack: String
    /// For an open change set, the status `explain` computes under the policy in force now.
    var status: String
    /// The stored status, when it differs from ``status``: the policy changed since it was decided.
    var storedStatus: String?
    var statusReason: String?
    var digest: String
    var targetCommit: String
    var baseStateVersion: Int64
    var createdAt: Date
    var updatedAt: Date
    var commits: [Commit]
    var changes: ChangeSet?
    /// Why the stack could not be planned, for a change set that FAILED at its creation.
    var planFailure: String?
    var approvals: [Approval]
    var executions: [Execution]
    /// The guard rules' failures under the policy in force, for an open stack change set.
    var guards: GuardReport?

    /// Copies the engine's view of one change set into its wire form.
    init(_ view: ChangeSetView) {
        let record = view.record
        id = record.id
        kind = record.kind.rawValue
        stack = record.stack
        status = record.status.rawValue
        statusReason = record.statusReason
        digest = record.digest
        targetCommit = record.targetCommit
        baseStateVersion = record.baseStateVersion
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        commits = view.commits.map {
            Commit(
                id: $0.summary.id, author: $0.summary.authorName, email: $0.summary.authorEmail,
                committerEmail: $0.summary.committerEmail, summary: $0.summary.summary, mergedBy: $0.mergedBy)
        }
        changes = view.changes
        planFailure = view.planFailure?.reason
        approvals = view.approvals.map {
            Approval(reviewer: $0.reviewer, verdict: $0.verdict.rawValue, digest: $0.digest, reason: $0.reason, signature: $0.signature, recordedAt: $0.recordedAt)
        }
        executions = view.executions.map {
            Execution(
                id: $0.record.id, actor: $0.actor, startedAt: $0.record.startedAt, finishedAt: $0.record.finishedAt,
                result: $0.record.result?.rawValue, providerOutput: $0.record.providerOutput, events: $0.events)
        }
        if let computed = view.currentStatus, computed.rawValue != record.status.rawValue {
            status = computed.rawValue
            storedStatus = record.status.rawValue
        }
        guards = view.guards
    }

    /// The text for a person: header, commits, changes, verdicts, executions; every stored value
    /// escaped for the terminal.
    func text(useColor: Bool) -> String {
        let target = kind == ChangeSetKind.policy.rawValue ? "Policies/" : "stack \(TerminalText.escape(stack))"
        var lines = [
            "Change set \(TerminalText.escape(id)): \(target), \(TerminalText.escape(status))"
                + (storedStatus.map { " (stored as \(TerminalText.escape($0)); the policy in force no longer says so)" } ?? "")
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
            text += "  \(TerminalText.escape(approval.reviewer)) \(approval.verdict == Verdict.approve.rawValue ? "approved" : "rejected") at \(CommandOutput.timestamp(approval.recordedAt))"
                + (approval.reason.map { " (\"\(TerminalText.escape($0))\")" } ?? "") + ", signed \(approval.signature == nil ? "no" : "yes")\n"
        }
        text += executions.isEmpty ? "Executions: none\n" : "Executions:\n"
        for execution in executions {
            text += "  \(TerminalText.escape(execution.id)) started \(CommandOutput.timestamp(execution.startedAt))"
                + (execution.actor.map { " by \(TerminalText.escape($0))" } ?? "") + ", "
                + (execution.result.map { "\(TerminalText.escape($0)) at \(execution.finishedAt.map(CommandOutput.timestamp) ?? "?")" } ?? "not finished") + "\n"
            for event in execution.events {
                text += "    \(TerminalText.escape(event))\n"
            }
        }
        return text
    }
}

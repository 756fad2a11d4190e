import TollgateCore
import TollgateEngine

/// The text form of a ``SyncReport``: one line per change set created, then a summary.
struct SyncText {
    let style: TextStyle

    func render(_ report: SyncReport) -> String {
        if report.isNothingNew {
            return "Nothing new on \(TerminalText.escape(report.branch)): already synced up to \(report.cursor.prefix(7)).\n"
        }
        var lines: [String] = []
        for changeSet in report.created {
            var line = "\(style.bold(TerminalText.escape(changeSet.id)))  \(TerminalText.escape(changeSet.stack))  \(changeSet.type.rawValue)  at \(changeSet.targetCommit.prefix(7))"
            line += "  \(changeSet.commits.count) commit\(changeSet.commits.count == 1 ? "" : "s")  \(TerminalText.escape(changeSet.summary))"
            if let old = changeSet.supersedes { line += style.dim("  (supersedes \(TerminalText.escape(old)))") }
            lines.append(line)
        }
        for id in report.withdrawn {
            lines.append("\(style.bold(TerminalText.escape(id)))  SUPERSEDED: its stack was deleted before it was ever applied")
        }
        if !report.unchanged.isEmpty {
            lines.append("No change set needed, nothing differs from the recorded state: \(report.unchanged.map(TerminalText.escape).joined(separator: ", "))")
        }
        let from = report.previousCursor.map { "after \($0.prefix(7))" } ?? "from the start"
        lines.append("Synced \(TerminalText.escape(report.branch)) \(from) up to \(report.cursor.prefix(7)): \(report.relevantCommits) relevant commit\(report.relevantCommits == 1 ? "" : "s"), \(report.created.count) change set\(report.created.count == 1 ? "" : "s") created.")
        return lines.joined(separator: "\n") + "\n"
    }
}

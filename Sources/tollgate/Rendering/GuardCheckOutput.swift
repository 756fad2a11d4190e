import Foundation
import TollgateCore
import TollgateEngine

/// How `tollgate check` writes its report for people; its JSON, SARIF and JUnit shapes are in the
/// engine's Wire/ (``GuardCheckJSON``, ``SARIF``, ``GuardCheckJUnit``).
enum GuardCheckOutput {
    /// The text for a person; every value from the repository is escaped.
    static func text(_ check: GuardCheck) -> String {
        let escape = TerminalText.escape
        var lines = ["Guard rules of Policies/ at commit \(check.policyCommit.prefix(7)) over the templates of commit \(check.commit.prefix(7)):"]
        for report in check.reports {
            let failing = report.outcomes.filter { $0.status == .fail }.count
            lines.append("\(escape(report.stack)) (\(escape(report.template))): \(report.outcomes.count) rules apply, \(failing) fail"
                + (report.blocks ? ", blocks" : ""))
            for finding in report.findings {
                lines.append("  \(escape(finding.summary)) [\(escape(finding.standing))]")
            }
        }
        let blocked = check.reports.filter(\.blocks).map(\.stack)
        lines.append(blocked.isEmpty ? "Nothing blocks." : "Blocked: \(blocked.map(escape).joined(separator: ", ")).")
        return lines.joined(separator: "\n") + "\n"
    }
}

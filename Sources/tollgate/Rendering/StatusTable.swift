import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// The text of `tollgate status`: the policy line, then a table of aligned columns, `-` for
/// nothing, times in UTC.
struct StatusTable {
    let style: TextStyle

    static let header = ["STACK", "STATUS", "CHANGE SET", "EXECUTION", "STARTED", "FINISHED", "RESULT"]

    func render(_ report: StatusReport) -> String {
        policyLine(report.policy) + render(report.stacks)
    }

    /// `Policy in force: revision 2, commit abc1234, applied by alice at ... (cs-...)`, and the
    /// open policy change set with its status.
    private func policyLine(_ policy: PolicyStatus?) -> String {
        guard let policy else { return "Policy in force: none; run tollgate init to trust the first Policies/\n" }
        let how = policy.appliedChangeSet.map { "applied through \($0)" } ?? "trusted"
        var line = TerminalText.escape(
            "Policy in force: revision \(policy.revision), commit \(policy.commit.prefix(7)), \(how) by \(policy.actor) at \(Self.time(policy.recordedAt))")
        if let open = policy.pendingChangeSet, let status = policy.status {
            line += "; change set \(TerminalText.escape(open)) " + colour(Self.statusText(status, stored: policy.storedStatus), status)
        }
        return line + "\n"
    }

    /// The status word, with the stored one beside it when the policy in force says otherwise.
    static func statusText(_ status: StackCondition, stored: ChangeSetStatus?) -> String {
        status.rawValue + (stored.map { " (stored \($0.rawValue))" } ?? "")
    }

    func render(_ rows: [StackStatus]) -> String {
        let cells = rows.map { row in
            [
                row.stack, Self.statusText(row.status, stored: row.storedStatus) + (row.executionStalled ? " (process gone: apply --resume)" : ""), row.pendingChangeSet ?? row.failedChangeSet ?? "-", row.lastExecution ?? "-",
                row.startedAt.map(Self.time) ?? "-", row.finishedAt.map(Self.time) ?? "-", row.result?.rawValue ?? "-",
            ].map(TerminalText.escape)
        }
        let widths = Self.header.indices.map { column in
            ([Self.header[column]] + cells.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ fields: [String], status: StackCondition?) -> String {
            fields.enumerated().map { column, field in
                let padded = column == fields.count - 1 ? field : field.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                return column == 1 ? colour(padded, status) : padded
            }.joined(separator: "  ")
        }
        var lines = [style.bold(line(Self.header, status: nil))]
        for (row, fields) in zip(rows, cells) {
            lines.append(line(fields, status: row.status))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func colour(_ text: String, _ status: StackCondition?) -> String {
        switch status {
        case .failed, .planFailed, .tampered, .rejected, .unapprovable: return style.red(text)
        case .pending, .approved, .applying: return style.yellow(text)
        case .applied: return style.green(text)
        case .notApplied, nil: return text
        }
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

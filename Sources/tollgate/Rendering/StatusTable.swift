import Foundation
import TollgateCore
import TollgateEngine

/// The text table of `tollgate status`: aligned columns, `-` for nothing, times in UTC.
struct StatusTable {
    let style: TextStyle

    static let header = ["STACK", "STATUS", "CHANGE SET", "EXECUTION", "STARTED", "FINISHED", "RESULT"]

    func render(_ rows: [StackStatus]) -> String {
        let cells = rows.map { row in
            [
                row.stack, row.status.rawValue, row.pendingChangeSet ?? row.failedChangeSet ?? "-", row.lastExecution ?? "-",
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
        case .failed, .planFailed, .tampered: return style.red(text)
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

import ArgumentParser
import Foundation
import TollgateEngine
import TollgateStore

/// `tollgate status [TEXT]`: every stack at a glance.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every stack: its status, open change set and last execution.",
        discussion: """
            One row per stack in the repository or in the store: the status (APPLYING, PENDING, \
            APPROVED, FAILED, APPLIED or NOT_APPLIED), the open change set's id, and the last \
            execution's id, start, end and result.
            """
    )

    @Argument(help: "Only the stacks whose name contains this text.")
    var text: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let managed = try ManagedRepository(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
        let names = try managed.stackNames(at: managed.tip)
        let rows = try await store.withStore(repository: repository.repo) { store in
            try await StackStatusReader.statuses(repositoryStacks: names, matching: text, in: store)
        }
        if output.json {
            print(try AuditRendering.json(rows))
        } else {
            print(StatusTable(style: TextStyle(enabled: output.usesColor)).render(rows), terminator: "")
        }
    }
}

/// The text table of `tollgate status`: aligned columns, `-` for nothing, times in UTC.
struct StatusTable {
    let style: TextStyle

    static let header = ["STACK", "STATUS", "CHANGE SET", "EXECUTION", "STARTED", "FINISHED", "RESULT"]

    func render(_ rows: [StackStatus]) -> String {
        let cells = rows.map { row in
            [
                row.stack, row.status.rawValue, row.pendingChangeSet ?? "-", row.lastExecution ?? "-",
                row.startedAt.map(Self.time) ?? "-", row.finishedAt.map(Self.time) ?? "-", row.result?.rawValue ?? "-",
            ]
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
        case .failed: return style.red(text)
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

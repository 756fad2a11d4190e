import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate audit`: read the audit trail, verify its hash chain, export its head.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read and verify the hash-chained audit trail.",
        discussion: """
            Every change Tollgate records writes an audit entry in the same transaction, chained to \
            the one before by a SHA-256 hash. `audit verify` proves that no entry was changed, \
            deleted, inserted or reordered; keep the output of `audit head` somewhere safe and pass \
            it to `audit verify --head` to catch a cut tail or a rewritten chain as well.
            """,
        subcommands: [List.self, Verify.self, Head.self],
        defaultSubcommand: List.self
    )
}

extension Audit {
    /// `tollgate audit [list]`: the entries, filtered, as text, JSON or CSV.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Show audit entries, oldest first.")

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Only entries about this stack.")
        var stack: String?

        @Option(help: "Only entries caused by this actor (a reviewer id, an operator or tollgate).")
        var actor: String?

        @Option(help: ArgumentHelp(
            "Only entries written at or after this time: an ISO 8601 date (2026-01-31) or time (2026-01-31T09:00:00Z).",
            valueName: "time"))
        var since: String?

        @Flag(help: "Write CSV to standard output, one entry a row with a header row.")
        var csv = false

        func validate() throws {
            if output.json && csv {
                throw ValidationError("--json and --csv both choose the output format; give only one.")
            }
            if let since, Self.parseTime(since) == nil {
                throw ValidationError("--since \(since) is not an ISO 8601 date or time, such as 2026-01-31 or 2026-01-31T09:00:00Z.")
            }
        }

        func run() async throws {
            let filter = AuditFilter(stack: stack, actor: actor, since: since.flatMap(Self.parseTime))
            let entries = try await store.withStore(repository: repository.repo, readOnly: true) { store in
                try await store.auditEntries(filter)
            }
            if output.json {
                print(try CommandOutput.json(entries.map(AuditEntryJSON.init)))
            } else if csv {
                print(AuditRendering.csv(entries), terminator: "")
            } else {
                print(TerminalText.sanitize(AuditRendering.table(entries, color: output.usesColor)), terminator: "")
            }
        }

        /// Reads an ISO 8601 date (taken as midnight UTC) or date and time, with or without fractions.
        static func parseTime(_ text: String) -> Date? {
            WireJSON.time(text)
        }
    }

    /// `tollgate audit verify`: walk the chain and name the first bad entry.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check every link of the audit trail; exit non-zero at the first bad entry.")

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp(
            "A head hash printed earlier by `tollgate audit head`; the chain must still contain it.",
            valueName: "hash"))
        var head: String?

        func validate() throws {
            if let head, head.count != 64 || !head.allSatisfy(\.isHexDigit) {
                throw ValidationError("--head \(head) is not a head hash: give the 64 hex digits that `tollgate audit head` printed.")
            }
        }

        func run() async throws {
            let (verification, tables) = try await store.withStore(repository: repository.repo, readOnly: true) { store in
                try await store.verifyAuditTrailAndTables(expectedHead: head)
            }
            if output.json {
                print(try CommandOutput.json(AuditVerificationJSON(verification, tables: tables)))
            }
            switch verification {
            case .intact(let count, let head):
                if let tables {
                    if output.json { throw ExitCode.failure }
                    throw TableVerificationFailure(disagreement: tables)
                }
                if !output.json {
                    print("The audit trail is intact: \(count) \(count == 1 ? "entry" : "entries") verified, head \(TerminalText.escape(head)); every table agrees with it.")
                }
            case .tampered(let defect, _):
                if output.json { throw ExitCode.failure }
                throw AuditVerificationFailure(defect: defect)
            }
        }
    }

    /// `tollgate audit head`: the hash to keep for a later `audit verify --head`.
    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "head",
            abstract: "Print the hash of the last audit entry, to keep for `audit verify --head`.")

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let head = try await store.withStore(repository: repository.repo, readOnly: true) { store in
                try await store.auditHead()
            }
            let sequence = head?.sequence ?? 0
            let hash = head?.hash ?? AuditEntry.genesisHash
            if output.json {
                print(try CommandOutput.json(AuditHeadJSON(sequence: sequence, hash: hash)))
            } else {
                print(TerminalText.escape(hash))
            }
        }
    }
}

/// A failed verification, as the error `audit verify` exits with.
struct AuditVerificationFailure: Error, CustomStringConvertible {
    let defect: AuditDefect

    var description: String {
        "The audit trail fails verification at sequence \(defect.sequence). \(TerminalText.escape(defect.description))"
    }
}

/// A table row that an intact trail contradicts: the table was edited outside Tollgate.
struct TableVerificationFailure: Error, CustomStringConvertible {
    let disagreement: TableDisagreement

    var description: String {
        "The audit trail is intact, but the tables disagree with it: \(disagreement). Something edited the store outside tollgate; restore it from a backup."
    }
}

/// How audit entries look on standard output.
enum AuditRendering {
    static let csvHeader = [
        "sequence", "time", "actor", "action", "stack", "change_set", "commit", "digest", "details",
        "previous_hash", "hash",
    ]

    /// RFC 4180 CSV; details are one JSON object per cell.
    static func csv(_ entries: [AuditEntry]) -> String {
        var lines = [csvHeader.joined(separator: ",")]
        for entry in entries {
            let fields = [
                String(entry.sequence), CommandOutput.timestamp(entry.time), entry.actor, entry.action.rawValue,
                entry.stack ?? "", entry.changeSetID ?? "", entry.commit ?? "", entry.digest ?? "",
                detailsJSON(entry.details), entry.previousHash, entry.hash,
            ]
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func detailsJSON(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(details) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Aligned columns for people; the full hashes are in --json and --csv.
    static func table(_ entries: [AuditEntry], color: Bool) -> String {
        guard !entries.isEmpty else { return "No audit entries match.\n" }
        let header = ["SEQ", "TIME", "ACTOR", "ACTION", "STACK", "CHANGE SET", "DETAILS"]
        let rows = entries.map { entry in
            [
                String(entry.sequence), CommandOutput.timestamp(entry.time), entry.actor, entry.action.rawValue,
                entry.stack ?? "-", entry.changeSetID ?? "-",
                entry.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
            ].map(TerminalText.escape)
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let title = line(header)
        var text = (color ? "\u{1B}[1m" + title + "\u{1B}[0m" : title) + "\n"
        for row in rows {
            text += line(row) + "\n"
        }
        return text
    }
}

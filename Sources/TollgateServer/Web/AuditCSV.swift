import Foundation
import TollgateCore
import TollgateEngine

/// The audit trail as CSV (RFC 4180), for spreadsheets.
///
/// A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`,
/// so that a spreadsheet shows it as text instead of running it as a formula: actors, reasons and
/// stack names come from people and repositories.
enum AuditCSV {
    static let columns = ["sequence", "time", "actor", "action", "stack", "changeSet", "commit", "digest", "details", "previousHash", "hash"]

    static func text(_ entries: [AuditEntryJSON]) -> String {
        var lines = [columns.joined(separator: ",")]
        for entry in entries {
            let details = entry.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let cells = [
                String(entry.sequence), WebPages.time(entry.time) ?? "", entry.actor, entry.action.rawValue, entry.stack ?? "", entry.changeSet ?? "",
                entry.commit ?? "", entry.digest ?? "", details, entry.previousHash, entry.hash,
            ]
            lines.append(cells.map(cell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One cell, neutralised and quoted when it needs to be.
    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            text = "'" + text
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

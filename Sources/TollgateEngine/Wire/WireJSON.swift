public import Foundation
import Synchronization

// Wire/ is the one home of the JSON shapes Tollgate writes and reads: every `--json` answer and
// every HTTP body is a `Codable` type here, encoded by `WireJSON`.
//
// Key casing: a key is the Swift property name, in lowerCamelCase (`policyCommit`, `createdAt`),
// except inside a CloudFormation change set (`Changes` and what `plan --json` wraps around it) and
// a drift check's resources (`ResourceDriftEntry`, `PropertyDrift`), which keep CloudFormation's own
// PascalCase (`ResourceChange`, `LogicalResourceId`) so that they read as CloudFormation writes
// them. Kinds and statuses are enums whose raw values are the words shown (`TokenState.active`,
// `ChangeSetStatus`); CloudFormation's own status words in a drift check (`StackDriftStatus`,
// `DifferenceType`) stay the text CloudFormation sent, since AWS adds words to those sets.
//
// Formats that are not ours keep their standard's names: SARIF (`SARIF`), JUnit XML
// (`GuardCheckJUnit`) and the Slack incoming-webhook body (`NotificationMessage`). The git hosts'
// push payloads are read where they are parsed (TollgateServer's `GitHost`), as the hosts write them.
//
// Documented exceptions, Core types encoded as they are because Core itself uses them (the change
// set's digest, the review and the guard rules are computed in Core): `ChangeSet` and its parts,
// `PolicyChangeSet`, `PlanFailure`, `ReviewReport`, `GuardReport` with `GuardFinding` and
// `GuardRuleOutcome`, the enums of their fields, and `HistoryEntry.jsonLine` (`history --json`,
// written by hand in Core for speed and checked there against `JSONEncoder`).

/// The one JSON encoding of every `--json` answer and HTTP body: sorted keys, no escaped slashes,
/// dates as ISO 8601 in UTC with milliseconds (the precision the store keeps).
public enum WireJSON {
    /// An encoder with the rule; `pretty` for people reading a terminal.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return encoder
    }

    /// ISO 8601 in UTC with milliseconds.
    public static func timestamp(_ date: Date) -> String {
        timestampFormatter.withLock { $0.string(from: date) }
    }

    /// One formatter for every timestamp written: making one cost more than the rest of encoding
    /// an execution, and a formatter is not to be shared between threads unguarded.
    private static let timestampFormatter: Mutex<ISO8601DateFormatter> = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return Mutex(formatter)
    }()

    /// Reads an ISO 8601 date (taken as midnight UTC) or date and time, with or without fractions,
    /// as `--since` and `?since=` take it; nil when `text` is neither.
    public static func time(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        return ISO8601DateFormatter().date(from: text) ?? withFraction.date(from: text) ?? dateOnly.date(from: text)
    }
}

import Foundation
import TollgateEngine

/// What every command's `--json` and every printed time share, so that all answers read alike.
enum CommandOutput {
    /// `value` as pretty-printed JSON with sorted keys; dates as ``timestamp(_:)`` writes them.
    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try WireJSON.encoder(pretty: true).encode(value), as: UTF8.self)
    }

    /// ISO 8601 in UTC with milliseconds, the precision the store keeps.
    static func timestamp(_ date: Date) -> String {
        WireJSON.timestamp(date)
    }
}

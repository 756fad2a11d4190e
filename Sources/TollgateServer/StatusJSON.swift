import Foundation
import NIOCore
import Synchronization
import TollgateEngine

/// The JSON of `GET /api/stacks`, byte for byte what ``WireJSON`` writes for the report, made from
/// each row's JSON kept between reports: after an approval one row of a thousand has changed, and
/// encoding the other rows again cost more than everything else the request did.
final class StatusJSON: Sendable {
    private let kept = Mutex<(rows: [String: (row: StackStatus, json: [UInt8])], largestReport: Int)>(([:], 0))

    /// `report` as ``WireJSON/encoder(pretty:)`` encodes it.
    func encode(_ report: StatusReport) throws -> ByteBuffer {
        let encoder = WireJSON.encoder()
        // The report without rows ends in `[]}`; the rows go between the brackets, joined by
        // commas, as the encoder joins them.
        let frame = Array(try encoder.encode(StatusReport(policy: report.policy, stacks: [])))
        guard frame.count >= 3, frame.suffix(3).elementsEqual("[]}".utf8) else {
            return ByteBuffer(bytes: try encoder.encode(report))
        }
        return try kept.withLock { kept in
            // Rows of stacks gone from the reports are dropped now and then, all at once; a search
            // keeps few rows, so the bound follows the largest report, not this one.
            kept.largestReport = max(kept.largestReport, report.stacks.count)
            if kept.rows.count > 2 * kept.largestReport + 1_000 { kept.rows.removeAll(keepingCapacity: true) }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(frame.count + report.stacks.count * 256)
            buffer.writeBytes(frame.dropLast(2))
            for (index, row) in report.stacks.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                if let encoded = kept.rows[row.stack], encoded.row == row {
                    buffer.writeBytes(encoded.json)
                } else {
                    let json = Array(try encoder.encode(row))
                    kept.rows[row.stack] = (row, json)
                    buffer.writeBytes(json)
                }
            }
            buffer.writeBytes("]}".utf8)
            return buffer
        }
    }
}

import Foundation
import TollgateStore

/// A change set's running apply as server-sent events: `started` with the execution id, a `line`
/// per provider event as the applying process records it, and `end` with the result, after which
/// the stream closes.
///
/// The store is polled every ``pollInterval``: the applying process may be another `tollgate`, so
/// the store is the only place both see. Executions already finished when the stream opens are
/// not followed again; each line carries an event id (`EXECUTION:LINE`), so a browser that
/// reconnects with `Last-Event-ID` resumes after the last line it got.
struct ExecutionEventStream: Sendable {
    let store: any StateStore
    let changeSetID: String
    let lastEventID: String?
    var pollInterval: Duration = .milliseconds(500)
    /// A comment line this often keeps proxies from closing an idle stream.
    var keepAliveEvery = 30
    /// How long one stream lasts without an apply to follow; the browser then reconnects.
    var idleLimit: Duration = .seconds(600)

    func run(write: (String) async throws -> Void) async throws {
        let initial = try await store.executions(changeSetID: changeSetID)
        var following: String?
        var sent = 0
        var ignored = Set(initial.filter { $0.finishedAt != nil }.map(\.id))
        if let resume = Self.parse(lastEventID), initial.contains(where: { $0.id == resume.execution }) {
            following = resume.execution
            sent = resume.line + 1
            ignored.remove(resume.execution)
        }
        var polls = 0
        var idle = Duration.zero
        while true {
            let executions = polls == 0 ? initial : try await store.executions(changeSetID: changeSetID)
            polls += 1
            if following == nil, let next = executions.first(where: { !ignored.contains($0.id) }) {
                following = next.id
                try await write("event: started\ndata: \(next.id)\n\n")
            }
            if let id = following, let execution = executions.first(where: { $0.id == id }) {
                let lines = Self.lines(execution.providerOutput)
                while sent < lines.count {
                    try await write("id: \(id):\(sent)\nevent: line\ndata: \(lines[sent])\n\n")
                    sent += 1
                }
                if execution.finishedAt != nil {
                    try await write("event: end\ndata: \(execution.result?.rawValue ?? "ENDED")\n\n")
                    return
                }
            } else {
                idle += pollInterval
                if idle >= idleLimit { return }
            }
            if polls % keepAliveEvery == 0 { try await write(": waiting\n\n") }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// The provider's output as event lines; a carriage return would end an event's data early.
    static func lines(_ output: String?) -> [String] {
        guard let output, !output.isEmpty else { return [] }
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "\r", with: "") }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func parse(_ id: String?) -> (execution: String, line: Int)? {
        guard let id, let colon = id.lastIndex(of: ":"), let line = Int(id[id.index(after: colon)...]), line >= -1 else { return nil }
        return (String(id[..<colon]), line)
    }
}

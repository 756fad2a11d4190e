import Foundation
import NIOCore
import Testing
@testable import TollgateEngine
@testable import TollgateServer

@Suite("The stack list's JSON made from kept rows")
struct StatusJSONTests {
    static func row(_ name: String, _ status: StackCondition, execution: String? = nil) -> StackStatus {
        var row = StackStatus(stack: name, status: status)
        row.lastExecution = execution
        row.startedAt = execution.map { _ in Date(timeIntervalSince1970: 1_767_225_600.123) }
        return row
    }

    @Test("every report, before init or after, with odd names, as rows change and go: the bytes WireJSON writes")
    func sameBytes() throws {
        let policy = PolicyStatus(
            revision: 3, commit: "498554ba77706637fa237aeddb5cecd158a5b34c", actor: "ana \"the lead\"", recordedAt: Date(timeIntervalSince1970: 1_767_225_600),
            appliedChangeSet: "cs-00000001", pendingChangeSet: nil, status: nil, storedStatus: nil)
        let odd = ["a/b", "quote\"d", "back\\slash", "tab\there", "ünïcödé", "еxample", "emoji-🚀", "</script>"]
        var reports = [
            StatusReport(policy: nil, stacks: []),
            StatusReport(policy: policy, stacks: []),
            StatusReport(policy: policy, stacks: odd.map { Self.row($0, .pending) }),
            StatusReport(policy: nil, stacks: (0..<50).map { Self.row("s-\($0)", .applied, execution: "ex-\($0)") }),
        ]
        var changed = reports[3]
        changed.stacks[7].status = .applying
        changed.stacks.remove(at: 20)
        changed.stacks.append(Self.row("zz-new", .notApplied))
        reports.append(changed)
        reports.append(StatusReport(policy: policy, stacks: [Self.row("one", .approved)]))

        let json = StatusJSON()
        for report in reports + reports.reversed() {
            let made = try json.encode(report)
            let expected = try WireJSON.encoder().encode(report)
            #expect(Array(made.readableBytesView) == Array(expected), "\(String(decoding: expected, as: UTF8.self).prefix(200))")
        }
    }
}

import Testing
import TollgateCore

@Suite("Change set lifecycle")
struct LifecycleTests {
    static let legal: [(ChangeSetStatus, ChangeSetStatus)] = [
        (.pending, .approved), (.pending, .rejected), (.pending, .cancelled), (.pending, .superseded),
        (.approved, .applying), (.approved, .cancelled), (.approved, .superseded),
        (.applying, .applied), (.applying, .failed), (.applying, .cancelled),
    ]

    @Test("every transition of the design is allowed", arguments: legal)
    func legalTransition(from: ChangeSetStatus, to: ChangeSetStatus) throws {
        #expect(from.canTransition(to: to))
        try from.validateTransition(to: to, changeSetID: "cs-00000001")
    }

    @Test("every other transition is refused with an error naming the change set, from and to")
    func illegalTransitions() {
        let legal = Set(Self.legal.map { "\($0.0.rawValue)>\($0.1.rawValue)" })
        var refused = 0
        for from in ChangeSetStatus.allCases {
            for to in ChangeSetStatus.allCases where !legal.contains("\(from.rawValue)>\(to.rawValue)") {
                #expect(!from.canTransition(to: to))
                #expect(throws: IllegalTransitionError(changeSetID: "cs-0badf00d", from: from, to: to)) {
                    try from.validateTransition(to: to, changeSetID: "cs-0badf00d")
                }
                refused += 1
            }
        }
        #expect(refused == 64 - Self.legal.count)
    }

    @Test("terminal statuses", arguments: ChangeSetStatus.allCases)
    func terminal(status: ChangeSetStatus) {
        let terminal: Set<ChangeSetStatus> = [.applied, .failed, .rejected, .cancelled, .superseded]
        #expect(status.isTerminal == terminal.contains(status))
    }

    @Test("raw values are the design's upper-case names")
    func rawValues() {
        #expect(ChangeSetStatus.allCases.map(\.rawValue) == [
            "PENDING", "APPROVED", "APPLYING", "APPLIED", "FAILED", "REJECTED", "CANCELLED", "SUPERSEDED",
        ])
    }

    @Test("the error message names the change set and both statuses")
    func message() {
        let error = IllegalTransitionError(changeSetID: "cs-12ab34cd", from: .rejected, to: .applying)
        #expect(error.description.contains("cs-12ab34cd"))
        #expect(error.description.contains("REJECTED"))
        #expect(error.description.contains("APPLYING"))
        #expect(error.description.contains("final"))
    }
}

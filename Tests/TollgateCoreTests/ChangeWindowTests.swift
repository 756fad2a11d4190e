import Foundation
import Testing
import TollgateCore

/// Change windows and freezes, read in their time zone at an injected instant.
@Suite("Change windows and freezes")
struct ChangeWindowTests {
    static let reviewers = """
    people:
      - id: alice
        name: Alice Example
        emails: [alice@example.com]
    groups:
      owners: [alice]
    """
    static let approvals = """
    policy-changes:
      - count: 1
        from: owners
    time-zone: Europe/Paris
    windows:
      - days: [mon, tue, wed, thu]
        from: "09:00"
        to: "17:00"
    rules:
      - name: web
        stacks: [web]
        require:
          - count: 1
            from: owners
      - name: database
        stacks: [database]
        require:
          - count: 1
            from: owners
        windows:
          - days: [tue]
            from: "09:00"
            to: "12:00"
    """
    static let nightAndFreeze = """
    policy-changes:
      - count: 1
        from: owners
    freezes:
      - from: 2026-12-18
        to: 2027-01-04
        time-zone: Europe/Paris
        reason: year-end trading
    rules:
      - name: batch
        stacks: [batch]
        require:
          - count: 1
            from: owners
        windows:
          - days: [fri]
            from: "22:00"
            to: "02:00"
            time-zone: Europe/Paris
      - name: always
        stacks: [always]
        require:
          - count: 1
            from: owners
    """

    static func evaluator(_ approvals: String) throws -> ApprovalEvaluator {
        ApprovalEvaluator(policy: try PolicySet.parse(files: ["Policies/reviewers.yaml": reviewers, "Policies/approvals.yaml": approvals]))
    }

    @Test("Windows in Europe/Paris, with a rule's own window inside the general one", arguments: [
        ("web", "2026-11-24T08:30:00Z", true),  // Tuesday 09:30 in Paris
        ("web", "2026-11-24T07:30:00Z", false), // Tuesday 08:30 in Paris
        ("web", "2026-11-26T15:59:00Z", true),  // Thursday 16:59
        ("web", "2026-11-26T16:00:00Z", false), // Thursday 17:00, the end is exclusive
        ("web", "2026-11-27T10:00:00Z", false), // Friday
        ("web", "2026-07-07T07:30:00Z", true),  // Tuesday 09:30 in summer time (UTC+2)
        ("web", "2026-07-07T06:30:00Z", false), // Tuesday 08:30 in summer time
        ("database", "2026-11-24T10:30:00Z", true),  // Tuesday 11:30
        ("database", "2026-11-24T11:30:00Z", false), // Tuesday 12:30: outside the rule's window
        ("database", "2026-11-23T09:00:00Z", false), // Monday 10:00: outside the rule's window
    ])
    func windows(stack: String, instant: String, open: Bool) throws {
        let verdict = try Self.evaluator(Self.approvals).window(for: .stack(stack), at: Date(instant, strategy: .iso8601))
        #expect(verdict.isOpen == open, "\(verdict.reasons)")
    }

    @Test("An overnight window and a freeze, both in their time zone", arguments: [
        ("batch", "2026-11-27T21:30:00Z", true),  // Friday 22:30 in Paris
        ("batch", "2026-11-28T00:30:00Z", true),  // Saturday 01:30, still Friday's window
        ("batch", "2026-11-28T01:30:00Z", false), // Saturday 02:30
        ("batch", "2026-11-26T21:30:00Z", false), // Thursday 22:30
        ("always", "2026-12-17T22:59:00Z", true),  // 17 December 23:59 in Paris
        ("always", "2026-12-17T23:00:00Z", false), // 18 December 00:00 in Paris: frozen
        ("always", "2027-01-04T22:59:00Z", false), // 4 January 23:59: the last day is frozen too
        ("always", "2027-01-04T23:00:00Z", true),  // 5 January 00:00
    ])
    func overnightAndFreeze(stack: String, instant: String, open: Bool) throws {
        let verdict = try Self.evaluator(Self.nightAndFreeze).window(for: .stack(stack), at: Date(instant, strategy: .iso8601))
        #expect(verdict.isOpen == open, "\(verdict.reasons)")
    }

    @Test("A freeze is named in the verdict and blocks an approved change set")
    func freezeBlocksApply() throws {
        let evaluator = try Self.evaluator(Self.nightAndFreeze)
        let subject = ReviewSubject(changeSetID: "cs-1", target: .stack("always"), digest: "sha256:00")
        let claim = ApprovalClaim(verdict: .approve, digest: "sha256:00", proof: .verifiedKey(fingerprint: "SHA256:none"), time: Date(timeIntervalSince1970: 0))
        let verdict = evaluator.evaluate(subject, claims: [claim], at: try Date("2026-12-24T10:00:00Z", strategy: .iso8601))
        #expect(!verdict.canApplyNow)
        #expect(verdict.window.reasons == [
            "frozen 2026-12-18..2027-01-04 Europe/Paris (year-end trading)", "the next window opens at 2027-01-04T23:00:00Z",
        ])
        #expect(verdict.explanation.contains("Change window: closed: frozen 2026-12-18..2027-01-04"))
    }

    @Test("A closed window says when the next one opens: one of each list open, no freeze", arguments: [
        ("web", ChangeWindowTests.approvals, "2026-11-27T10:00:00Z", "2026-11-30T08:00:00Z"),      // Friday: Monday 09:00 in Paris
        ("web", ChangeWindowTests.approvals, "2026-11-26T16:00:00Z", "2026-11-30T08:00:00Z"),      // Thursday 17:00, just closed
        ("database", ChangeWindowTests.approvals, "2026-11-23T09:00:00Z", "2026-11-24T08:00:00Z"), // Monday: the rule's Tuesday
        ("batch", ChangeWindowTests.nightAndFreeze, "2026-12-24T10:00:00Z", "2027-01-08T21:00:00Z"), // the first Friday night after the freeze
        ("always", ChangeWindowTests.nightAndFreeze, "2026-12-24T10:00:00Z", "2027-01-04T23:00:00Z"), // the day after the freeze
    ])
    func nextOpening(stack: String, approvals: String, instant: String, next: String) throws {
        let verdict = try Self.evaluator(approvals).window(for: .stack(stack), at: Date(instant, strategy: .iso8601))
        #expect(!verdict.isOpen)
        #expect(verdict.nextOpening == (try Date(next, strategy: .iso8601)), "\(verdict.reasons)")
        #expect(verdict.reasons.last == "the next window opens at \(next)")
    }

    @Test("Changes to Policies/ are not held by windows")
    func policiesIgnoreWindows() throws {
        let verdict = try Self.evaluator(Self.approvals).window(for: .policies, at: Date("2026-11-27T10:00:00Z", strategy: .iso8601))
        #expect(verdict.isOpen)
    }

    @Test("An approved change set inside its window can be applied now")
    func approvedInsideWindow() throws {
        let keygen = try ApprovalTestFixture(people: ["alice"])
        let reviewers = keygen.reviewersYAML(groups: ["owners": ["alice"]])
        let evaluator = ApprovalEvaluator(policy: try keygen.policy(reviewers: reviewers, approvals: Self.approvals))
        let subject = ReviewSubject(changeSetID: "cs-2", target: .stack("web"), digest: "sha256:01")
        let claims = [try keygen.claim("alice", on: subject)]
        #expect(evaluator.evaluate(subject, claims: claims, at: try Date("2026-11-24T08:30:00Z", strategy: .iso8601)).canApplyNow)
        let closed = evaluator.evaluate(subject, claims: claims, at: try Date("2026-11-27T08:30:00Z", strategy: .iso8601))
        #expect(closed.status == .approved)
        #expect(!closed.canApplyNow)
        #expect(closed.blockers.first?.hasPrefix("outside the windows of Policies/approvals.yaml") == true)
    }
}

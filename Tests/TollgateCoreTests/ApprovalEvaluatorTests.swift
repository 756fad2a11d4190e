import Foundation
import Testing
import TollgateCore

/// Counting approvals: counts, groups, destructive changes, stack policy overrides, rejections.
@Suite("Approval rules")
struct ApprovalEvaluatorTests {
    static let groups = ["owners": ["alice", "bob", "carol"], "dba": ["erin", "frank"], "security": ["erin", "grace"]]
    static let approvals = """
    policy-changes:
      - count: 2
        from: owners
    stack-policy-override:
      - count: 1
        from: security
    rules:
      - name: web
        stacks: ["web-*"]
        require:
          - count: 2
            from: owners
        automatic: true
      - name: database
        stacks: [database]
        require:
          - count: 1
            from: dba
          - count: 1
            from: security
        destructive:
          - count: 2
            from: owners
    """
    static let databasePolicy = """
    {"Statement": [
      {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
      {"Effect": "Deny", "Action": "Update:Replace", "Principal": "*", "Resource": "LogicalResourceId/Primary"}
    ]}
    """
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    let fixture: ApprovalTestFixture
    let evaluator: ApprovalEvaluator

    init() throws {
        fixture = try ApprovalTestFixture(people: ["alice", "bob", "carol", "erin", "frank", "grace"])
        let policy = try fixture.policy(
            reviewers: fixture.reviewersYAML(groups: Self.groups),
            approvals: Self.approvals,
            stackPolicies: ["database": Self.databasePolicy]
        )
        evaluator = ApprovalEvaluator(policy: policy)
    }

    static func subject(_ stack: String, _ changes: [GuardedChange] = [], deletion: Bool = false, authors: Set<String> = [], newStack: Bool = false) -> ReviewSubject {
        ReviewSubject(
            changeSetID: "cs-1", target: .stack(stack), digest: "sha256:" + String(repeating: "0f", count: 32),
            resourceChanges: changes, isStackDeletion: deletion, isNewStack: newStack, authorEmails: authors
        )
    }

    @Test("Counts: 2 from owners needs two different owners", arguments: [
        ([String](), ReviewStatus.pending, 2),
        (["alice"], .pending, 1),
        (["alice", "bob"], .approved, 0),
        (["alice", "erin"], .pending, 1),
    ])
    func counts(approvers: [String], status: ReviewStatus, missing: Int) throws {
        let subject = Self.subject("web-shop")
        let claims = try approvers.map { try fixture.claim($0, on: subject) }
        let verdict = evaluator.evaluate(subject, claims: claims, at: Self.now)
        #expect(verdict.status == status)
        #expect(verdict.rules.first?.requirements.first?.missing == missing)
    }

    @Test("Groups: 1 from dba and 1 from security are two people, even when one is in both", arguments: [
        (["erin"], ReviewStatus.pending),
        (["frank"], .pending),
        (["erin", "frank"], .approved),
        (["erin", "grace"], .approved),
        (["frank", "grace"], .approved),
    ])
    func groups(approvers: [String], status: ReviewStatus) throws {
        let subject = Self.subject("database", [GuardedChange(logicalID: "Params", resourceType: "AWS::RDS::DBParameterGroup", action: .modify)])
        let claims = try approvers.map { try fixture.claim($0, on: subject) }
        #expect(evaluator.evaluate(subject, claims: claims, at: Self.now).status == status)
    }

    @Test("Destructive change sets need the destructive rule too", arguments: [
        (ResourceAction.modify, false, false),
        (.add, false, false),
        (.replace, false, true),
        (.conditionalReplace, false, true),
        (.remove, false, true),
        (.modify, true, true),
    ])
    func destructive(action: ResourceAction, deletion: Bool, needsOwners: Bool) throws {
        let subject = Self.subject("database", [GuardedChange(logicalID: "Params", resourceType: "AWS::RDS::DBParameterGroup", action: action)], deletion: deletion)
        let claims = try ["frank", "grace"].map { try fixture.claim($0, on: subject) }
        let verdict = evaluator.evaluate(subject, claims: claims, at: Self.now)
        #expect(verdict.rules.contains { $0.kind == .destructive(name: "database") } == needsOwners)
        #expect(verdict.status == (needsOwners ? .pending : .approved))
        if needsOwners {
            let withOwners = evaluator.evaluate(subject, claims: claims + [try fixture.claim("alice", on: subject), try fixture.claim("bob", on: subject)], at: Self.now)
            #expect(withOwners.status == .approved)
        }
    }

    @Test("A change the stack policy denies needs the override rule as well")
    func stackPolicyOverride() throws {
        let subject = Self.subject("database", [GuardedChange(logicalID: "Primary", resourceType: "AWS::RDS::DBInstance", action: .replace)])
        let base = try ["frank", "alice", "bob"].map { try fixture.claim($0, on: subject) }
        let without = evaluator.evaluate(subject, claims: base, at: Self.now)
        #expect(without.status == .pending)
        let override = try #require(without.rules.first { $0.kind == .stackPolicyOverride })
        #expect(override.requirements.first?.canStillApprove == ["erin", "grace"])
        #expect(without.stackPolicyDecisions.first?.outcome == .denied(reason: "Statement[1] denies Update:Replace"))

        // grace fills security for the database rule and the override; each rule counts her once.
        let with = evaluator.evaluate(subject, claims: base + [try fixture.claim("grace", on: subject)], at: Self.now)
        #expect(with.status == .approved)
        #expect(with.explanation.contains("Primary (AWS::RDS::DBInstance) replace: denied: Statement[1] denies Update:Replace"))
    }

    @Test("Without an override rule, a change the stack policy denies cannot be approved")
    func stackPolicyWithoutOverride() throws {
        let approvals = Self.approvals.replacingOccurrences(of: "stack-policy-override:\n  - count: 1\n    from: security\n", with: "")
        let policy = try fixture.policy(reviewers: fixture.reviewersYAML(groups: Self.groups), approvals: approvals, stackPolicies: ["database": Self.databasePolicy])
        let subject = Self.subject("database", [GuardedChange(logicalID: "Primary", resourceType: "AWS::RDS::DBInstance", action: .replace)])
        let claims = try ["alice", "bob", "carol", "erin", "frank", "grace"].map { try fixture.claim($0, on: subject) }
        let verdict = ApprovalEvaluator(policy: policy).evaluate(subject, claims: claims, at: Self.now)
        #expect(verdict.status == .unapprovable)
        #expect(verdict.problems.first?.contains("no stack-policy-override") == true)
    }

    @Test("A stack no rule covers cannot be approved")
    func uncoveredStack() throws {
        let subject = Self.subject("payments")
        let verdict = evaluator.evaluate(subject, claims: [try fixture.claim("alice", on: subject)], at: Self.now)
        #expect(verdict.status == .unapprovable)
        #expect(verdict.problems == ["no rule in Policies/approvals.yaml covers stack 'payments'; add one whose stacks match it"])
    }

    @Test("A rejection by someone who may approve rejects; others' rejections do not count")
    func rejections() throws {
        let subject = Self.subject("web-shop", authors: [ApprovalTestFixture.email("carol")])
        let byOwner = evaluator.evaluate(subject, claims: [try fixture.claim("alice", on: subject), try fixture.claim("bob", on: subject, verdict: .reject)], at: Self.now)
        #expect(byOwner.status == .rejected)
        #expect(byOwner.rejectedBy == ["bob"])

        let reasoned = ApprovalClaim(verdict: .reject, digest: subject.digest, proof: try fixture.claim("bob", on: subject, verdict: .reject).proof, time: Self.now, reason: "drops the cache")
        let explained = evaluator.evaluate(subject, claims: [reasoned], at: Self.now).explanation
        #expect(explained.contains("bob rejected at 2027-01-15T08:00:00Z (\"drops the cache\"): counts"))
        #expect(explained.contains("Cannot be applied now: it was rejected by bob."))

        let byOutsider = evaluator.evaluate(subject, claims: [try fixture.claim("frank", on: subject, verdict: .reject)], at: Self.now)
        #expect(byOutsider.status == .pending)
        #expect(byOutsider.claims.first?.problem == .notEligible(reviewer: "frank"))

        let byAuthor = evaluator.evaluate(subject, claims: [try fixture.claim("carol", on: subject, verdict: .reject)], at: Self.now)
        #expect(byAuthor.status == .pending)
    }

    @Test("Automatic apply needs every covering rule to allow it, and never for a new stack")
    func automatic() {
        #expect(evaluator.evaluate(Self.subject("web-shop"), claims: [], at: Self.now).appliesAutomatically)
        #expect(!evaluator.evaluate(Self.subject("web-shop", newStack: true), claims: [], at: Self.now).appliesAutomatically)
        #expect(!evaluator.evaluate(Self.subject("database"), claims: [], at: Self.now).appliesAutomatically)
        #expect(evaluator.evaluate(Self.subject("web-shop"), claims: [], at: Self.now).explanation
            .contains("Once approved, the policy lets it be applied automatically."))
        #expect(evaluator.evaluate(Self.subject("web-shop", newStack: true), claims: [], at: Self.now).explanation
            .contains("Once approved, the policy needs someone to start its apply."))
    }

    @Test("explain names each rule, who approved, who is still needed")
    func explanation() throws {
        let subject = Self.subject("web-shop")
        let verdict = evaluator.evaluate(subject, claims: [try fixture.claim("alice", on: subject)], at: Self.now)
        let text = verdict.explanation
        #expect(text.contains("Status: PENDING"))
        #expect(text.contains("rule 'web': not met"))
        #expect(text.contains("2 from owners: approved by alice; needs 1 more, from bob, carol"))
        #expect(text.contains("alice approved at"))
        #expect(text.contains("Cannot be applied now: it is not approved yet."))
    }

    @Test("The JSON report carries the same verdict")
    func jsonReport() throws {
        let subject = Self.subject("database", [GuardedChange(logicalID: "Primary", resourceType: "AWS::RDS::DBInstance", action: .replace)])
        let verdict = evaluator.evaluate(subject, claims: [try fixture.claim("frank", on: subject)], at: Self.now)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let json = String(decoding: try encoder.encode(verdict.report), as: UTF8.self)
        #expect(json.contains(#""status":"PENDING""#))
        #expect(json.contains(#""outcome":"denied""#))
        #expect(json.contains(#""title":"stack-policy-override""#))
        let decoded = try JSONDecoder.withISO8601().decode(ReviewReport.self, from: Data(json.utf8))
        #expect(decoded.rules.map(\.title) == ["rule 'database'", "rule 'database', destructive changes", "stack-policy-override"])
    }
}

private extension JSONDecoder {
    static func withISO8601() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

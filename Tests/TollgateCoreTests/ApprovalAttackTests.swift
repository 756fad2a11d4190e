import Foundation
import Testing
import TollgateCore

/// Every way to make an approval count that should not, evaluated as the engine will: with the
/// policy in force and the claims as recorded.
@Suite("Approvals resist attacks")
struct ApprovalAttackTests {
    static let groups = ["owners": ["alice", "bob"]]
    static let approvals = """
    policy-changes:
      - count: 2
        from: owners
    rules:
      - name: everything
        stacks: ["*"]
        require:
          - count: 2
            from: owners
    """
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let digest = "sha256:" + String(repeating: "aa", count: 32)
    static let otherDigest = "sha256:" + String(repeating: "bb", count: 32)

    var fixture: ApprovalTestFixture
    let policyInForce: PolicySet

    init() throws {
        fixture = try ApprovalTestFixture(people: ["alice", "bob", "mallory"])
        policyInForce = try fixture.policy(
            reviewers: fixture.reviewersYAML(people: ["alice", "bob"], groups: Self.groups),
            approvals: Self.approvals
        )
    }

    static func subject(_ target: ReviewTarget = .stack("network"), digest: String = digest, authors: Set<String> = []) -> ReviewSubject {
        ReviewSubject(changeSetID: "cs-9", target: target, digest: digest, authorEmails: authors)
    }

    private func problem(of claim: ApprovalClaim, on subject: ReviewSubject, policy: PolicySet? = nil) -> ClaimProblem? {
        let verdict = ApprovalEvaluator(policy: policy ?? policyInForce).evaluate(subject, claims: [claim], at: Self.now)
        return verdict.claims.first?.problem
    }

    @Test("A signature over another digest does not count")
    func otherDigest() throws {
        let subject = Self.subject()
        let stale = try fixture.claim("alice", on: Self.subject(digest: Self.otherDigest))
        #expect(problem(of: stale, on: subject) == .otherDigest(signed: Self.otherDigest, expected: Self.digest))

        // The same signature re-recorded under the current digest fails the signature check.
        let relabelled = ApprovalClaim(verdict: .approve, digest: Self.digest, proof: stale.proof, time: Self.now)
        let found = try #require(problem(of: relabelled, on: subject))
        #expect(found.description.contains("made for another change set or the file was altered"))
    }

    @Test("A signature in another namespace does not count")
    func otherNamespace() throws {
        let subject = Self.subject()
        let claim = try fixture.opensshClaim("alice", on: subject, namespace: "git")
        let found = try #require(problem(of: claim, on: subject))
        #expect(found.description.contains("wrong namespace 'git', expected 'tollgate'"))
    }

    @Test("A key nobody lists does not count")
    func unlistedKey() throws {
        let subject = Self.subject()
        let claim = try fixture.opensshClaim("mallory", on: subject)
        let found = try #require(problem(of: claim, on: subject))
        #expect(found.description.contains("not listed for any reviewer"))
    }

    @Test("A tampered signature file does not count")
    func tamperedSignature() throws {
        let subject = Self.subject()
        guard case let .sshSignature(signature) = try fixture.claim("alice", on: subject).proof else {
            Issue.record("expected an SSH signature")
            return
        }
        var bytes = signature.binary
        bytes[bytes.count - 5] ^= 0x01
        let tampered = try SSHSignature(binary: bytes)
        let claim = ApprovalClaim(verdict: .approve, digest: Self.digest, proof: .sshSignature(tampered), time: Self.now)
        let found = try #require(problem(of: claim, on: subject))
        #expect(found.description.contains("does not match the message"))
    }

    @Test("The change's own author does not count")
    func ownAuthor() throws {
        let subject = Self.subject(authors: ["ALICE@example.com"])
        let verdict = ApprovalEvaluator(policy: policyInForce).evaluate(subject, claims: [try fixture.claim("alice", on: subject), try fixture.claim("bob", on: subject)], at: Self.now)
        #expect(verdict.status == .pending)
        #expect(verdict.claims.first?.problem == .authorOfChange(reviewer: "alice", email: "alice@example.com"))
        #expect(verdict.rules.first?.requirements.first?.canStillApprove == [])
        #expect(verdict.explanation.contains("2 from owners: approved by bob; needs 1 more, but nobody left may approve"))
    }

    @Test("The same person approving twice counts once")
    func approvingTwice() throws {
        let subject = Self.subject()
        let first = try fixture.claim("alice", on: subject)
        let second = try fixture.opensshClaim("alice", on: subject)
        let verdict = ApprovalEvaluator(policy: policyInForce).evaluate(subject, claims: [first, second], at: Self.now)
        #expect(verdict.status == .pending)
        #expect(verdict.claims.map(\.problem) == [nil, .alreadyCounted(reviewer: "alice")])
        #expect(verdict.claims.last?.problem?.description == "'alice' has already approved; a person counts once")
    }

    @Test("A claim recorded for one reviewer but signed by another does not count")
    func reviewerMismatch() throws {
        let subject = Self.subject()
        let signed = try fixture.claim("bob", on: subject)
        let claim = ApprovalClaim(verdict: .approve, digest: Self.digest, proof: signed.proof, reviewerID: "alice", time: Self.now)
        #expect(problem(of: claim, on: subject) == .reviewerMismatch(claimed: "alice", keyHolder: "bob"))
    }

    @Test("An approval by a key the policy in force no longer lists does not count")
    func removedKey() throws {
        let subject = Self.subject()
        let claim = try fixture.claim("bob", on: subject)
        #expect(problem(of: claim, on: subject) == nil)
        var rotated = fixture
        try rotated.addKey(for: "bob")
        let newPolicy = try rotated.policy(reviewers: rotated.reviewersYAML(people: ["alice", "bob"], groups: Self.groups), approvals: Self.approvals)
        guard case let .sshSignature(signature) = claim.proof else {
            Issue.record("expected an SSH signature")
            return
        }
        #expect(problem(of: claim, on: subject, policy: newPolicy) == .keyNotListed(fingerprint: signature.publicKey.fingerprint))
    }

    @Test("A key verified earlier counts only while the policy in force lists it")
    func verifiedKey() throws {
        let subject = Self.subject()
        let alice = try #require(policyInForce.reviewers.person(id: "alice")?.keys.first)
        let listed = ApprovalClaim(verdict: .approve, digest: Self.digest, proof: .verifiedKey(fingerprint: alice.fingerprint), time: Self.now)
        #expect(problem(of: listed, on: subject) == nil)
        let stranger = ApprovalClaim(verdict: .approve, digest: Self.digest, proof: .verifiedKey(fingerprint: "SHA256:unknown"), time: Self.now)
        #expect(problem(of: stranger, on: subject) == .keyNotListed(fingerprint: "SHA256:unknown"))
    }

    /// Mallory pushes one commit that adds herself to reviewers.yaml as an owner and changes a
    /// stack. Both change sets are reviewed under the old policy.
    @Test("A push that adds its author to reviewers.yaml and changes a stack gains nothing")
    func policyChangeInSamePush() throws {
        let proposedReviewers = fixture.reviewersYAML(people: ["alice", "bob", "mallory"], groups: ["owners": ["alice", "bob", "mallory"]])
        let proposed = try fixture.policy(reviewers: proposedReviewers, approvals: Self.approvals)
        #expect(proposed.reviewers.person(id: "mallory") != nil)
        let evaluator = ApprovalEvaluator(policy: policyInForce)
        let mallory: Set<String> = [ApprovalTestFixture.email("mallory")]

        let stackChange = Self.subject(authors: mallory)
        let stackVerdict = evaluator.evaluate(stackChange, claims: [try fixture.claim("mallory", on: stackChange), try fixture.claim("alice", on: stackChange)], at: Self.now)
        #expect(stackVerdict.status == .pending)
        #expect(stackVerdict.claims.first?.problem?.description.contains("not listed for any reviewer") == true)

        let policyChange = ReviewSubject(
            changeSetID: "cs-10", target: .policies, digest: Self.otherDigest, authorEmails: mallory,
            proposedPolicyProblems: PolicySet.problems(in: ["Policies/reviewers.yaml": proposedReviewers, "Policies/approvals.yaml": Self.approvals])
        )
        let alone = evaluator.evaluate(policyChange, claims: [try fixture.claim("mallory", on: policyChange), try fixture.claim("alice", on: policyChange)], at: Self.now)
        #expect(alone.status == .pending)
        #expect(alone.rules.map(\.kind) == [.policyChanges])
        #expect(alone.rules.first?.requirements.first?.canStillApprove == ["bob"])

        let withOwners = evaluator.evaluate(policyChange, claims: [try fixture.claim("alice", on: policyChange), try fixture.claim("bob", on: policyChange)], at: Self.now)
        #expect(withOwners.status == .approved)

        // Even under the proposed policy, Mallory could not approve her own push.
        let underProposed = ApprovalEvaluator(policy: proposed).evaluate(stackChange, claims: [try fixture.claim("mallory", on: stackChange)], at: Self.now)
        #expect(underProposed.claims.first?.problem == .authorOfChange(reviewer: "mallory", email: "mallory@example.com"))
    }

    @Test("A malformed proposed policy makes its change set unapprovable, naming file, line and field")
    func malformedProposedPolicy() throws {
        let broken = Self.approvals.replacingOccurrences(of: "      - count: 2", with: "      - count: two")
        let problems = PolicySet.problems(in: [
            "Policies/reviewers.yaml": fixture.reviewersYAML(people: ["alice", "bob"], groups: Self.groups),
            "Policies/approvals.yaml": broken,
        ])
        #expect(problems.map(\.description) == ["Policies/approvals.yaml:8:16: rules[0].require[0].count must be a positive whole number"])
        let subject = ReviewSubject(changeSetID: "cs-11", target: .policies, digest: Self.digest, proposedPolicyProblems: problems)
        let verdict = ApprovalEvaluator(policy: policyInForce).evaluate(subject, claims: [try fixture.claim("alice", on: subject), try fixture.claim("bob", on: subject)], at: Self.now)
        #expect(verdict.status == .unapprovable)
        #expect(verdict.explanation.contains("Policies/approvals.yaml:8:16: rules[0].require[0].count"))
    }
}

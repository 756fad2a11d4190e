import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// Each attack on review fails with a message that says why, and leaves nothing recorded.
@Suite("Review: attacks and bad input")
struct ReviewAttackTests {
    @Test("a signature over another digest is refused")
    func otherDigest() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        let text = ApprovalText.make(changeSetID: record.id, target: .stack("web"), digest: String(repeating: "0", count: 64), verdict: .approve)
        let signature = try SSHSignature(armored: try review.fixture.signatureText(of: text, as: "amara"))
        await review.expectRefusal(["does not sign this change set's approval text", record.digest, record.id]) {
            _ = try await review.service.record(.approve, changeSetID: record.id, signature: signature, repository: review.repository)
        }
        #expect(try await review.store.approvals(changeSetID: record.id).isEmpty)
        try await review.store.close()
    }

    @Test("a signature in another namespace is refused")
    func otherNamespace() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        let signature = try review.fixture.sign(record, as: "amara", namespace: "git")
        await review.expectRefusal(["namespace", "git"]) {
            _ = try await review.service.record(.approve, changeSetID: record.id, signature: signature, repository: review.repository)
        }
        try await review.store.close()
    }

    @Test("a key nobody lists is refused")
    func unlistedKey() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        await review.expectRefusal(["not listed", record.id]) { try await review.review(record, as: "mallory") }
        try await review.store.close()
    }

    @Test("a tampered signature is refused")
    func tampered() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        var bytes = try review.fixture.sign(record, as: "amara").binary
        bytes[bytes.count - 1] ^= 0x01
        let tampered = try SSHSignature(binary: bytes)
        await review.expectRefusal(["does not sign this change set's approval text", "altered"]) {
            _ = try await review.service.record(.approve, changeSetID: record.id, signature: tampered, repository: review.repository)
        }
        try await review.store.close()
    }

    @Test("an approval signed as a rejection, or the other way round, is refused")
    func otherVerdict() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        let rejection = try review.fixture.sign(record, as: "amara", verdict: .reject)
        await review.expectRefusal(["signs the text to reject, not to approve"]) {
            _ = try await review.service.record(.approve, changeSetID: record.id, signature: rejection, repository: review.repository)
        }
        try await review.store.close()
    }

    @Test("the change's own author cannot approve it")
    func author() async throws {
        let review = try await TrustedReview.make()
        let fixture = review.fixture
        try await fixture.recordStackApplied(at: fixture.firstCommit, in: review.store)
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "amara-bucket"))
        let commit = try fixture.git.commit("amara's change", author: "Amara Okafor <Amara@Example.com>")
        let record = try await fixture.createStackChangeSet(commits: [fixture.firstCommit, commit], in: review.store)
        await review.expectRefusal(["'amara' authored or committed", "amara@example.com"]) { try await review.review(record, as: "amara") }
        #expect(try await review.store.approvals(changeSetID: record.id).isEmpty)
        #expect(try await review.review(record, as: "bastien").changeSet.status == .pending)
        try await review.store.close()
    }

    @Test("the same person approving twice counts once, and the second approval is refused")
    func twice() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.bucketRename()
        #expect(try await review.review(record, as: "amara").changeSet.status == .pending)
        await review.expectRefusal(["'amara' has already approved; a person counts once"]) { try await review.review(record, as: "amara") }
        #expect(try await review.store.approvals(changeSetID: record.id).count == 1)
        #expect(try await review.store.changeSet(id: record.id).status == .pending)
        try await review.store.close()
    }

    @Test("a malformed policy change set cannot be approved, and explain names file, line and field")
    func malformedPolicyChange() async throws {
        let review = try await TrustedReview.make()
        let fixture = review.fixture
        try fixture.git.write("Policies/approvals.yaml", ReviewFixture.approvals.replacingOccurrences(of: "count: 1", with: "count: many"))
        let broken = try fixture.git.commit("break approvals", author: ReviewFixture.outsider)
        let record = try await fixture.createPolicyChangeSet(commits: [broken], in: review.store)
        try await review.review(record, as: "amara")
        let outcome = try await review.review(record, as: "bastien")
        #expect(outcome.verdict.status == .unapprovable)
        #expect(outcome.changeSet.status == .pending)
        let problems = outcome.verdict.problems.joined(separator: "\n")
        #expect(problems.contains("Policies/approvals.yaml:8"), "\(problems)")
        #expect(problems.contains("rules[0].require[0].count"), "\(problems)")
        try await review.store.close()
    }

    @Test("one push that changes a stack and adds its author to reviewers.yaml gains the author nothing", arguments: [false, true])
    func samePush(postgres: Bool) async throws {
        let review = try await TrustedReview.make(postgres: postgres)
        let fixture = review.fixture
        let eve = try fixture.keygen.generateKey(type: "ed25519", in: fixture.folder, name: "eve", comment: "eve@laptop")
        let extra = """
              - id: eve
                name: Eve Intruder
                emails: [eve@example.com]
                keys: ["\(eve.publicKeyLine)"]

            """
        try fixture.git.write("Policies/reviewers.yaml", ReviewFixture.reviewers(keys: fixture.keys, extra: extra).replacingOccurrences(of: "owners: [amara, bastien]", with: "owners: [amara, bastien, eve]"))
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "eve-bucket"))
        let push = try fixture.git.commit("make eve an owner and rename the bucket", author: "Eve Intruder <eve@example.com>")
        let stack = try await fixture.createStackChangeSet(commits: [push], in: review.store)
        let policy = try await fixture.createPolicyChangeSet(commits: [push], in: review.store)

        for record in [stack, policy] {
            let signature = try SSHSignature(armored: try fixture.keygen.sign(record.approvalText(for: .approve), key: eve, namespace: "tollgate", in: fixture.folder))
            await review.expectRefusal(["not listed for any reviewer in the policy in force"]) {
                _ = try await review.service.record(.approve, changeSetID: record.id, signature: signature, repository: review.repository)
            }
        }

        let explained = try await review.service.explain(changeSetID: policy.id, repository: review.repository).verdict
        #expect(explained.status == .pending)
        let rule = try #require(explained.rules.first)
        #expect(rule.title == "policy-changes")
        #expect(rule.requirements.first?.requirement.count == 2)
        #expect(rule.requirements.first?.canStillApprove == ["amara", "bastien"])
        #expect(try await review.review(policy, as: "amara").changeSet.status == .pending)
        #expect(try await review.review(policy, as: "bastien").changeSet.status == .approved)

        try await review.store.transaction { tx in
            let execution = ExecutionRecord.newID()
            _ = try await tx.startExecution(id: execution, changeSetID: policy.id, actor: "tollgate")
            _ = try await tx.finishExecution(id: execution, result: .succeeded, providerOutput: nil, actor: "tollgate")
            try await PolicyInForce.recordApplied(try await tx.changeSet(id: policy.id), actor: "tollgate", in: tx)
        }
        let signature = try SSHSignature(armored: try fixture.keygen.sign(stack.approvalText(for: .approve), key: eve, namespace: "tollgate", in: fixture.folder))
        await review.expectRefusal(["'eve' authored or committed", "eve@example.com"]) {
            _ = try await review.service.record(.approve, changeSetID: stack.id, signature: signature, repository: review.repository)
        }
        try await review.store.close()
    }

    @Test("a reviewer already listed who adds themselves to owners in the same push cannot approve that push")
    func listedAuthorSamePush() async throws {
        let review = try await TrustedReview.make()
        let fixture = review.fixture
        try fixture.git.write("Policies/reviewers.yaml", ReviewFixture.reviewers(keys: fixture.keys).replacingOccurrences(of: "owners: [amara, bastien]", with: "owners: [amara, bastien, dana]"))
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "dana-bucket"))
        let push = try fixture.git.commit("make dana an owner", author: "Dana Ito <dana@example.com>")
        let stack = try await fixture.createStackChangeSet(commits: [push], in: review.store)
        let policy = try await fixture.createPolicyChangeSet(commits: [push], in: review.store)
        await review.expectRefusal(["'dana' authored or committed"]) { try await review.review(stack, as: "dana") }
        await review.expectRefusal(["'dana' authored or committed"]) { try await review.review(policy, as: "dana") }
        try await review.store.close()
    }
}

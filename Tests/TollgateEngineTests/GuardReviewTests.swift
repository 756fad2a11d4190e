import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// Guard rules through the review: read from the policy in force, changed only by an applied
/// policy change set, waivers kept in the audit trail, and exports that other stacks import.
@Suite("Guard rules in review")
struct GuardReviewTests {
    static let versioning = """
        rule S3_BUCKET_VERSIONING_ENABLED {
            Resources.*[ Type == 'AWS::S3::Bucket' ].Properties.VersioningConfiguration.Status == 'Enabled'
        }

        """

    /// Approves and applies policy change set `policy` (two owners), as the applier will.
    static func applyPolicy(_ policy: ChangeSetRecord, review: TrustedReview) async throws {
        try await review.review(policy, as: "amara")
        #expect(try await review.review(policy, as: "bastien").changeSet.status == .approved)
        try await review.store.transaction { tx in
            let execution = ExecutionRecord.newID()
            _ = try await tx.startExecution(id: execution, changeSetID: policy.id, actor: "tollgate")
            _ = try await tx.finishExecution(id: execution, result: .succeeded, providerOutput: nil, actor: "tollgate")
            try await PolicyInForce.recordApplied(try await tx.changeSet(id: policy.id), actor: "tollgate", in: tx)
        }
    }

    @Test("A rule added in the push under review does not judge it; once applied it blocks, and a waiver lets it through into the audit trail")
    func ruleUnderPolicyInForce() async throws {
        let review = try await TrustedReview.make()
        let fixture = review.fixture
        try await fixture.recordStackApplied(at: fixture.firstCommit, in: review.store)
        try fixture.git.write("Policies/guards/s3.guard", Self.versioning)
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "  Extra:\n    Type: AWS::S3::Bucket\n")
        let push = try fixture.git.commit("add a guard rule and a bucket", author: ReviewFixture.outsider)
        let stack = try await fixture.createStackChangeSet(commits: [push], in: review.store)
        let policy = try await fixture.createPolicyChangeSet(commits: [push], in: review.store)

        let before = try await review.service.explain(changeSetID: stack.id, repository: review.repository).verdict
        #expect(before.status == .pending, "the rule is not in force yet: \(before.problems)")
        #expect(before.guards == nil)

        try await Self.applyPolicy(policy, review: review)
        let after = try await review.service.explain(changeSetID: stack.id, repository: review.repository).verdict
        #expect(after.status == .unapprovable)
        #expect(Set(after.guards?.findings.compactMap(\.resource) ?? []) == ["Assets", "Extra"])
        #expect(after.explanation.contains("guard rule S3_BUCKET_VERSIONING_ENABLED (Policies/guards/s3.guard) fails on Extra"), "\(after.explanation)")

        var waivers = "waivers:\n"
        for resource in ["Assets", "Extra"] {
            waivers += "  - stack: web\n    resource: \(resource)\n    rule: S3_BUCKET_VERSIONING_ENABLED\n    reason: scratch data\n    requested-by: dana\n    expires: 2026-03-01\n"
        }
        try fixture.git.write("Policies/guards/waivers.yaml", waivers)
        let waive = try fixture.git.commit("waive versioning on web", author: ReviewFixture.outsider)
        try await Self.applyPolicy(try await fixture.createPolicyChangeSet(commits: [waive], in: review.store), review: review)
        let waived = try await review.service.explain(changeSetID: stack.id, repository: review.repository).verdict
        #expect(waived.status == .pending, "\(waived.problems)")
        #expect(waived.guards?.findings.count == 2)
        #expect(waived.explanation.contains("requested by dana: scratch data"), "\(waived.explanation)")

        let approved = try await review.review(stack, as: "amara")
        #expect(approved.changeSet.status == .approved)
        let entries = try await review.store.auditEntries(AuditFilter(changeSetID: stack.id))
        let approval = try #require(entries.last { $0.details["reason"]?.contains("approved under the policy") == true })
        #expect(approval.details["reason"]?.contains("guard failures waived: guard rule S3_BUCKET_VERSIONING_ENABLED") == true, "\(approval.details)")
        #expect(approval.details["reason"]?.contains("requested by dana") == true)

        // The waivers lapse with time alone: the status, brought up to date with the time, shows
        // the change set blocked again, as a whole read does.
        let reader = StatusReader(store: review.store, clock: fixture.clock)
        let kept = try await reader.report(repository: review.repository, matching: nil)
        #expect(kept.stacks.first { $0.stack == "web" }?.status == .approved)
        fixture.clock.advance(by: 61 * 86_400)
        let lapsed = try #require(try await reader.refreshedForTime(kept, repository: review.repository))
        #expect(lapsed.stacks.first { $0.stack == "web" }?.status != .approved)
        #expect(lapsed == (try await reader.report(repository: review.repository, matching: nil)))
        try await review.store.close()
    }

    @Test("A proposed waiver whose expiry has passed makes the policy change set unapprovable, by the injected clock")
    func expiredProposal() async throws {
        let review = try await TrustedReview.make()
        let fixture = review.fixture
        try fixture.git.write("Policies/guards/s3.guard", Self.versioning)
        try fixture.git.write("Policies/guards/waivers.yaml", """
            waivers:
              - stack: web
                resource: Assets
                rule: S3_BUCKET_VERSIONING_ENABLED
                reason: old
                requested-by: dana
                expires: 2026-01-04

            """)
        let push = try fixture.git.commit("add a stale waiver", author: ReviewFixture.outsider)
        let policy = try await fixture.createPolicyChangeSet(commits: [push], in: review.store)
        let verdict = try await review.service.explain(changeSetID: policy.id, repository: review.repository).verdict
        #expect(verdict.status == .unapprovable)
        #expect(verdict.problems.contains { $0.contains("Policies/guards/waivers.yaml:2: rule S3_BUCKET_VERSIONING_ENABLED") && $0.contains("already past") }, "\(verdict.problems)")
        try await review.store.close()
    }

    @Test("Removing an export that another stack's recorded state imports is blocked, naming the importer")
    func brokenImport() async throws {
        let review = try await TrustedReview.make()
        let fixture = review.fixture
        try fixture.git.write("Policies/approvals.yaml", ReviewFixture.approvals.replacingOccurrences(of: "stacks: [web]", with: "stacks: [\"*\"]"))
        try fixture.git.write("Stacks/network/template.yaml", """
            Resources:
              Vpc:
                Type: AWS::EC2::VPC
            Outputs:
              VpcId:
                Value: !Ref Vpc
                Export:
                  Name: !Sub "${AWS::StackName}-VpcId"

            """)
        try fixture.git.write("Stacks/service/template.yaml", """
            Resources:
              Subnet:
                Type: AWS::EC2::Subnet
                Properties:
                  VpcId: !ImportValue network-VpcId

            """)
        let both = try fixture.git.commit("network and service", author: ReviewFixture.outsider)
        let store = review.store
        let policyChange = try await fixture.createPolicyChangeSet(commits: [both], in: store)
        try await Self.applyPolicy(policyChange, review: review)
        try await fixture.recordStackApplied("network", at: both, in: store)
        try await fixture.recordStackApplied("service", at: both, in: store)
        try fixture.git.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        let drop = try fixture.git.commit("drop the export", author: ReviewFixture.outsider)
        let record = try await fixture.createStackChangeSet("network", commits: [drop], in: store)
        let verdict = try await review.service.explain(changeSetID: record.id, repository: review.repository).verdict
        #expect(verdict.status == .unapprovable)
        #expect(verdict.problems.contains { $0.contains("export network-VpcId (output VpcId), which stack service still imports") }, "\(verdict.problems)")
        try await store.close()
    }
}

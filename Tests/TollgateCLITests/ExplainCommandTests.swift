import Foundation
import Testing
import TollgateCore
import TollgateTestSupport
import TollgateStore

@Suite("tollgate explain on policy change sets")
struct ExplainCommandTests {
    @Test("a malformed policy change set cannot be approved, and explain names file, line and field")
    func malformed() async throws {
        let review = try await CLIReview.make()
        let fixture = review.fixture
        try fixture.git.write("Policies/approvals.yaml", ReviewFixture.approvals.replacingOccurrences(of: "stacks: [web]", with: "stacks: [web]\n    reviewers: [amara]"))
        let broken = try fixture.git.commit("add an unknown field", author: ReviewFixture.outsider)
        let store = try await fixture.openStore()
        let policy = try await fixture.createPolicyChangeSet(commits: [broken], in: store)
        try await store.close()
        let result = try review.run(["explain", policy.id])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Status: UNAPPROVABLE"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Policies/approvals.yaml:7"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("rules[0].reviewers"), "\(result.standardOutput)")
    }

    @Test("a push that adds its author as an owner needs the owners of the policy in force")
    func samePush() async throws {
        let review = try await CLIReview.make()
        let fixture = review.fixture
        try fixture.git.write("Policies/reviewers.yaml", ReviewFixture.reviewers(keys: fixture.keys).replacingOccurrences(of: "owners: [amara, bastien]", with: "owners: [amara, bastien, dana]"))
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "dana-bucket"))
        let push = try fixture.git.commit("make dana an owner", author: "Dana Ito <dana@example.com>")
        let store = try await fixture.openStore()
        let stack = try await fixture.createStackChangeSet(commits: [push], in: store)
        let policy = try await fixture.createPolicyChangeSet(commits: [push], in: store)
        try await store.close()
        let explained = try review.run(["explain", policy.id])
        #expect(explained.standardOutput.contains("policy-changes: not met"), "\(explained.standardOutput)")
        #expect(explained.standardOutput.contains("2 from owners: no approvals yet; needs 2 more, from amara, bastien"), "\(explained.standardOutput)")
        let key = try #require(fixture.keys["dana"]).privateKeyPath
        for id in [stack.id, policy.id] {
            let result = try review.run(["approve", id, "--key", key])
            #expect(result.status != 0)
            #expect(result.standardError.contains("'dana' authored or committed"), "\(result.standardError)")
        }
    }
}

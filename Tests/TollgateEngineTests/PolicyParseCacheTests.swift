import Foundation
import Testing
import TollgateCore
@testable import TollgateEngine
import TollgateTestSupport

@Suite("The policy parsed once per commit")
struct PolicyParseCacheTests {
    @Test("an open repository keeps the policy it parsed last, and never answers one commit with another's")
    func byCommit() async throws {
        let fixture = try ReviewFixture()
        let repository = try fixture.repository()
        try fixture.git.write("Policies/approvals.yaml", ReviewFixture.approvals.replacingOccurrences(of: "count: 2", with: "count: 1"))
        let relaxed = try fixture.git.commit("one owner suffices for policy changes", author: ReviewFixture.outsider)

        for commit in [fixture.firstCommit, fixture.firstCommit, relaxed, fixture.firstCommit, relaxed] {
            let read = try await PolicyInForce.read(commit: commit, repository: repository)
            #expect(read.commit == commit)
            #expect(read.policy.approvals.policyChanges.first?.count == (commit == relaxed ? 1 : 2), "\(commit)")
        }
        #expect(repository.policy(parsedAt: relaxed) != nil)
        #expect(repository.policy(parsedAt: fixture.firstCommit) == nil)
    }
}

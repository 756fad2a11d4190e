import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

@Suite("StackVisibility: what one reviewer may see under visible-to")
struct StackVisibilityTests {
    @Test("a hidden stack is left out of the status and the audit trail, and its change set and execution look unknown; Policies/ is seen by all")
    func hiddenStack() async throws {
        let approvals = ReviewFixture.approvals + """
              - name: vault
                stacks: [vault]
                require:
                  - count: 1
                    from: ops
                visible-to: [ops]

            """
        let review = try ReviewFixture(extraFiles: [
            "Policies/approvals.yaml": approvals, "Stacks/vault/template.yaml": ReviewFixture.template(bucket: "vault-keys"),
        ])
        let store = try await review.openStore()
        let repository = try review.repository()
        let before = try await StackVisibility.of(reviewer: "amara", store: store, repository: repository)
        #expect(before.policy == nil)
        #expect(before.allows(stack: "vault"))
        _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
        _ = try await ChangeSetSynchronizer(repository: repository, store: store, actor: "tollgate").sync()
        let vault = try #require(try await store.changeSets(ChangeSetFilter(stack: "vault")).first)
        let policy = try await review.createPolicyChangeSet(commits: [review.firstCommit], in: store)

        let amara = try await StackVisibility.of(reviewer: "amara", store: store, repository: repository)
        let dana = try await StackVisibility.of(reviewer: "dana", store: store, repository: repository)
        let report = try await StatusReader(store: store, clock: review.clock).report(repository: repository, matching: nil)
        #expect(amara.filter(report).stacks.map(\.stack) == ["web"])
        #expect(dana.filter(report).stacks.map(\.stack) == ["vault", "web"])
        await #expect(throws: StoreError.unknownChangeSet(vault.id)) { try await amara.changeSet(id: vault.id, in: store) }
        #expect(try await dana.changeSet(id: vault.id, in: store).id == vault.id)
        #expect(try await amara.changeSet(id: policy.id, in: store).id == policy.id)
        let trail = try await store.auditEntries(AuditFilter())
        #expect(trail.contains { $0.stack == "vault" })
        #expect(!amara.filter(trail).contains { $0.stack == "vault" })
        #expect(dana.filter(trail).count == trail.count)
        try await store.close()
    }
}

import Synchronization
import Testing
import TollgateCore
@testable import TollgateEngine
@testable import TollgateServer

@Suite("Status cache")
struct StatusCacheTests {
    final class Computations: Sendable {
        let count = Atomic<Int>(0)
        func compute() -> StatusReport {
            count.add(1, ordering: .relaxed)
            return StatusReport(policy: nil, stacks: [])
        }
    }

    @Test("requests see one computed report until the audit trail or the branch moves; a changed key computes again")
    func reuse() async throws {
        let cache = StatusCache(maximumAge: .seconds(3600))
        let computations = Computations()
        let key = StatusCache.Key(auditHead: 7, tip: "a")
        let first = try await cache.report(for: key) { computations.compute() }
        let again = try await cache.report(for: key) { computations.compute() }
        #expect(first == again)
        #expect(computations.count.load(ordering: .relaxed) == 1)
        _ = try await cache.report(for: StatusCache.Key(auditHead: 8, tip: "a")) { computations.compute() }
        _ = try await cache.report(for: StatusCache.Key(auditHead: 8, tip: "b")) { computations.compute() }
        #expect(computations.count.load(ordering: .relaxed) == 3)
    }

    @Test("a report older than its maximum age is computed again, and a failure is not kept")
    func age() async throws {
        let cache = StatusCache(maximumAge: .zero)
        let computations = Computations()
        let key = StatusCache.Key(auditHead: 1, tip: "a")
        _ = try await cache.report(for: key) { computations.compute() }
        _ = try await cache.report(for: key) { computations.compute() }
        #expect(computations.count.load(ordering: .relaxed) == 2)

        struct Unavailable: Error {}
        let keeping = StatusCache(maximumAge: .seconds(3600))
        await #expect(throws: Unavailable.self) { try await keeping.report(for: key) { throw Unavailable() } }
        _ = try await keeping.report(for: key) { computations.compute() }
        #expect(computations.count.load(ordering: .relaxed) == 3)
    }
}

@Suite("Policy cache")
struct PolicyCacheTests {
    @Test("the policy parsed for one commit is never served for another")
    func byCommit() async throws {
        let policy = try PolicySet.parse(files: [
            "Policies/reviewers.yaml": """
                people:
                  - id: ana
                    name: Ana
                    emails: [ana@example.com]
                    keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFFAtQKMSmxH5Ps3K/eqZiNglluGwNk5P4Adt6FKQ8Ea ana"]
                groups:
                  owners: [ana]

                """,
            "Policies/approvals.yaml": "policy-changes:\n  - count: 1\n    from: owners\nrules: []\n",
        ])
        let cache = PolicyCache()
        #expect(await cache.policy(for: "a") == nil)
        await cache.keep(policy, for: "a")
        #expect(await cache.policy(for: "a") != nil)
        #expect(await cache.policy(for: "b") == nil, "a new revision is read and parsed again")
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import TollgateEngine
@testable import TollgateServer
import TollgateStore
import TollgateTestSupport

@Suite("Reads kept per store version")
struct AuditedReadsTests {
    /// Counts the store reads the cache asks for and answers with a revision named after the count.
    final class Reads: Sendable {
        let count = Atomic<Int>(0)

        func policy() -> PolicyRevisionRecord? {
            let count = count.add(1, ordering: .relaxed).newValue
            return PolicyRevisionRecord(revision: Int64(count), commit: "commit-\(count)", changeSetID: nil, actor: "lead", recordedAt: Date(timeIntervalSince1970: 0))
        }

        func token(_ sha256: String) -> AccessTokenRecord? {
            count.add(1, ordering: .relaxed)
            guard sha256 != "unknown" else { return nil }
            return AccessTokenRecord(id: "tok-\(count.load(ordering: .relaxed))", reviewer: "amara", tokenSHA256: sha256, createdAt: Date(timeIntervalSince1970: 0), expiresAt: nil)
        }
    }

    @Test("a version's reads are kept until the trail moves; an older version never replaces a newer one's, and unknown tokens are not kept")
    func keptPerVersion() async throws {
        let cache = AuditedReads()
        let reads = Reads()
        let five = StoreVersion(auditSequence: 5), six = StoreVersion(auditSequence: 6)

        #expect(try await cache.policyInForce(at: five) { reads.policy() }?.commit == "commit-1")
        #expect(try await cache.policyInForce(at: five) { reads.policy() }?.commit == "commit-1")
        #expect(try await cache.token(sha256: "abc", at: five) { reads.token($0) }?.id == "tok-2")
        #expect(try await cache.token(sha256: "abc", at: five) { reads.token($0) }?.id == "tok-2")
        #expect(reads.count.load(ordering: .relaxed) == 2)

        // The trail moved: both are read again.
        #expect(try await cache.policyInForce(at: six) { reads.policy() }?.commit == "commit-3")
        #expect(try await cache.token(sha256: "abc", at: six) { reads.token($0) }?.id == "tok-4")

        // A request that read the older version gets the newer value kept, and keeps nothing of its own.
        #expect(try await cache.policyInForce(at: five) { reads.policy() }?.commit == "commit-3")
        #expect(try await cache.token(sha256: "def", at: five) { reads.token($0) }?.id == "tok-5")
        #expect(try await cache.token(sha256: "def", at: six) { reads.token($0) }?.id == "tok-6")

        #expect(try await cache.token(sha256: "unknown", at: six) { reads.token($0) } == nil)
        #expect(try await cache.token(sha256: "unknown", at: six) { reads.token($0) } == nil)
        #expect(reads.count.load(ordering: .relaxed) == 8)
    }

    @Test("a token the server has just let in is refused at the next request once another process revokes it")
    func revokedElsewhere() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token(for: "amara")
        try await fixture.test { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/api/stacks", method: .get, headers: [.authorization: "Bearer \(token.token)"]) { response in
                    #expect(response.status == .ok)
                }
            }
            // Straight into the store, as `tollgate token revoke` in another process does.
            _ = try await AccessTokens(store: fixture.store, clock: fixture.review.clock).revoke(id: token.record.id, actor: "lead")
            try await client.execute(uri: "/api/stacks", method: .get, headers: [.authorization: "Bearer \(token.token)"]) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("revoked"))
            }
        }
    }
}

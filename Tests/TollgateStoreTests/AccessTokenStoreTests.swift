import Foundation
import Testing
import TollgateCore
import TollgateStore
import TollgateTestSupport

@Suite("Access tokens and webhook deliveries in the store")
struct AccessTokenStoreTests {
    @Test("a token is stored by its hash, found by it, revoked once, and both acts are audited", arguments: StoreKind.allCases)
    func tokens(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let hash = String(repeating: "ab", count: 32)
        let expires = Date(timeIntervalSince1970: 1_800_000_000)
        let issued = try await fixture.store.transaction {
            try await $0.recordAccessToken(id: "tok-00000001", reviewer: "amara", tokenSHA256: hash, expiresAt: expires, actor: "lead")
        }
        #expect(try await fixture.store.accessToken(sha256: hash) == issued)
        #expect(try await fixture.store.accessToken(sha256: String(repeating: "cd", count: 32)) == nil)
        #expect(issued.expiresAt == expires)
        let revoked = try await fixture.store.transaction { try await $0.revokeAccessToken(id: "tok-00000001", actor: "lead") }
        #expect(revoked.revokedAt != nil)
        #expect(try await fixture.store.accessTokens() == [revoked])
        await #expect(throws: StoreError.accessTokenRevoked("tok-00000001")) {
            try await fixture.store.transaction { try await $0.revokeAccessToken(id: "tok-00000001", actor: "lead") }
        }
        await #expect(throws: StoreError.unknownAccessToken("tok-nope")) {
            try await fixture.store.transaction { try await $0.revokeAccessToken(id: "tok-nope", actor: "lead") }
        }
        let actions = try await fixture.store.auditEntries(AuditFilter()).map(\.action)
        #expect(actions == [.storeMigrated, .tokenIssued, .tokenRevoked])
        #expect(try await fixture.store.verifyAuditTrail() == .intact(count: 3, head: try #require(try await fixture.store.auditHead()).hash))
        try await fixture.close()
    }

    @Test("a webhook delivery id is recorded once per host", arguments: StoreKind.allCases)
    func deliveries(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        #expect(try await fixture.store.transaction { try await $0.recordWebhookDelivery(host: "github", deliveryID: "d-1") })
        #expect(try await !fixture.store.transaction { try await $0.recordWebhookDelivery(host: "github", deliveryID: "d-1") })
        #expect(try await fixture.store.transaction { try await $0.recordWebhookDelivery(host: "gitlab", deliveryID: "d-1") })
        try await fixture.close()
    }
}

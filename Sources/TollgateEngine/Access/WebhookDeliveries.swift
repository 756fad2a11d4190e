public import TollgateStore

/// The webhook deliveries already handled, so that a git host's redelivery changes nothing.
public struct WebhookDeliveries: Sendable {
    private let store: any StateStore

    /// The deliveries recorded in `store`.
    public init(store: any StateStore) {
        self.store = store
    }

    /// Records delivery `id` from `host` (`github`, `gitlab` or `bitbucket`); false when it was
    /// handled before, by this process or another sharing the store.
    public func claim(host: String, id: String) async throws -> Bool {
        try await store.transaction { try await $0.recordWebhookDelivery(host: host, deliveryID: id) }
    }
}

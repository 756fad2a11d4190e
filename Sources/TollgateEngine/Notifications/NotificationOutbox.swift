public import TollgateStore

/// The notification outbox as an operator sees it: what waits, what was delivered, what failed.
public struct NotificationOutbox: Sendable {
    private let store: any StateStore

    /// The outbox of `store`.
    public init(store: any StateStore) {
        self.store = store
    }

    /// Up to `limit` notifications, newest first; only failed ones when `failedOnly`.
    ///
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func list(failedOnly: Bool, limit: Int = 200) async throws -> [NotificationRecord] {
        try await store.notifications(states: failedOnly ? [.failed] : [], limit: limit)
    }

    /// How many notifications wait for delivery.
    public func backlog() async throws -> Int {
        try await store.notificationBacklog()
    }

    /// Queues failed notification `id` again, due now, with a fresh count of attempts, and audits
    /// that `actor` did so, in the same transaction.
    ///
    /// - Throws: ``StoreError/unknownNotification(_:)`` or ``StoreError/notificationNotFailed(id:state:)``.
    public func retry(id: Int64, actor: String) async throws -> NotificationRecord {
        try await store.transaction { try await $0.retryNotification(id: id, actor: actor) }
    }

    /// Deletes the delivered notifications finished `seconds` or more ago; queued and failed ones
    /// stay whatever their age.
    ///
    /// - Returns: how many were deleted.
    /// - Throws: ``StoreError`` when the store fails.
    @discardableResult
    public func deleteDelivered(olderThanSeconds seconds: Int) async throws -> Int {
        try await store.transaction { try await $0.deleteDeliveredNotifications(olderThanSeconds: seconds) }
    }
}

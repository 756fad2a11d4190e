import AsyncHTTPClient
import Logging
import ServiceLifecycle
import TollgateEngine
import TollgateStore

/// Delivers the notification outbox while the server runs: every `interval` it sends what is due
/// (see ``NotificationDispatcher``) and updates the outbox backlog gauge; once an hour it deletes
/// the delivered notifications past their retention.
struct NotificationService: Service {
    let dispatcher: NotificationDispatcher
    let interval: Duration
    let metrics: ServerMetrics
    let logger: Logger

    /// How often delivered notifications past their retention are deleted: retention is counted in
    /// days, so once an hour keeps the outbox small without a write every round.
    static let retentionInterval: Duration = .seconds(3_600)

    func run() async throws {
        var lastRetention: ContinuousClock.Instant?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // A receiver that hangs must not hold up shutdown; what was cut short is retried later.
                _ = try await cancelWhenGracefulShutdown { try await dispatcher.deliverDue() }
                if lastRetention.map({ ContinuousClock.now - $0 >= Self.retentionInterval }) ?? true {
                    try await dispatcher.deleteExpired()
                    lastRetention = ContinuousClock.now
                }
                metrics.outboxBacklog(try await dispatcher.store.notificationBacklog())
            } catch {
                // The store may be down for a moment; the outbox keeps everything for the next round.
                logger.error("notification delivery failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: interval)
                }
            } catch {
                break
            }
        }
        try await dispatcher.client.shutdown()
    }
}

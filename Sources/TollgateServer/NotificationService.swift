import AsyncHTTPClient
import Logging
import ServiceLifecycle
import TollgateEngine
import TollgateStore

/// Delivers the notification outbox while the server runs: every `interval` it sends what is due
/// (see ``NotificationDispatcher``) and updates the outbox backlog gauge.
struct NotificationService: Service {
    let dispatcher: NotificationDispatcher
    let interval: Duration
    let metrics: ServerMetrics
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // A receiver that hangs must not hold up shutdown; what was cut short is retried later.
                _ = try await cancelWhenGracefulShutdown { try await dispatcher.deliverDue() }
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

import ServiceLifecycle

/// Asks for a sync every `interval`, for a repository whose host sends no webhooks.
struct PollingService: Service {
    let interval: Duration
    let coalescer: SyncCoalescer

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: interval)
                }
            } catch {
                return
            }
            await coalescer.request(reason: "poll")
        }
    }
}

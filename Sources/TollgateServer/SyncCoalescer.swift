public import Logging

/// Runs the repository's sync one at a time and folds requests that arrive while one runs into a
/// single run after it: a burst of pushes costs at most two syncs, and no push is missed, since
/// the run after starts from the tip as it is then.
public actor SyncCoalescer {
    /// One sync of the repository; returns a one-line summary for the log.
    public typealias Sync = @Sendable () async throws -> String

    private let sync: Sync
    private let logger: Logger
    private let metrics: ServerMetrics?
    private var running = false
    private var again = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// How many syncs have finished (successfully or not) since the server started.
    public private(set) var completedRuns = 0
    /// How many of them failed.
    public private(set) var failedRuns = 0

    /// A coalescer running `sync`, logging to `logger` and counting into `metrics`.
    public init(logger: Logger, metrics: ServerMetrics? = nil, sync: @escaping Sync) {
        self.logger = logger
        self.metrics = metrics
        self.sync = sync
    }

    /// What ``request(reason:)`` did.
    public enum Outcome: String, Sendable {
        /// A sync started.
        case started
        /// A sync was running; one more runs after it.
        case queued
    }

    /// Asks for a sync: starts one, or marks "sync again after" the one running.
    @discardableResult
    public func request(reason: String) -> Outcome {
        if running {
            again = true
            logger.info("sync requested while one runs; another follows it", metadata: ["reason": .string(reason)])
            return .queued
        }
        running = true
        Task { await runUntilSettled(reason: reason) }
        return .started
    }

    /// Returns once no sync runs and none is due; at once when idle.
    public func waitUntilIdle() async {
        guard running else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func runUntilSettled(reason: String) async {
        var reason = reason
        repeat {
            again = false
            let clock = ContinuousClock()
            let start = clock.now
            do {
                let summary = try await sync()
                metrics?.syncFinished(succeeded: true, duration: clock.now - start)
                logger.info("sync finished: \(summary)", metadata: ["reason": .string(reason)])
            } catch {
                failedRuns += 1
                metrics?.syncFinished(succeeded: false, duration: clock.now - start)
                logger.error("sync failed: \(error)", metadata: ["reason": .string(reason)])
            }
            completedRuns += 1
            reason = "requested during the previous sync"
        } while again
        running = false
        let waiters = idleWaiters
        idleWaiters = []
        waiters.forEach { $0.resume() }
    }
}

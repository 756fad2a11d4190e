import HTTPTypes
public import Logging
public import ServiceLifecycle
import Synchronization
public import TollgateCore
public import TollgateEngine
public import TollgateStore

/// Runs the applies the API starts, each in a child task of this service, through the same
/// engine use case as `tollgate apply` (``ChangeSetApplication``): its checks, the stack's lock,
/// the lease renewed while the provider runs, and `--resume` for an apply whose process died are
/// all the engine's.
///
/// ``start(changeSetID:actor:)`` answers once the engine has taken the stack's lock and recorded
/// the execution, or with the engine's refusal when a check fails; the provider then runs on. On
/// graceful shutdown the service takes no new apply and waits for the running ones to finish, so
/// that their outcome is recorded; a server killed meanwhile leaves them to `apply --resume`.
public final class ApplyRunner: Service, Sendable {
    /// One apply asked for, and where to answer when it has started or was refused.
    private struct Job: Sendable {
        let changeSetID: String
        let actor: String
        let repository: ManagedRepository
        let reply: AsyncThrowingStream<ExecutionRecord, any Error>.Continuation
    }

    private let store: any StateStore
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: ServerMetrics
    private let providers: ProviderFactory
    private let jobs: AsyncStream<Job>
    private let submissions: AsyncStream<Job>.Continuation
    /// Running executions, each with the tasks waiting for its end by the number each waits under.
    private let running = Mutex<[String: [Int: CheckedContinuation<Void, Never>]]>([:])
    /// The number the next waiter waits under, so that a waiter that gives up removes only itself.
    private let nextWaiter = Atomic<Int>(0)

    /// A runner over `store` that makes providers with `providers`.
    public init(
        store: any StateStore, clock: any WallClock, logger: Logger, metrics: ServerMetrics = ServerMetrics(),
        providers: ProviderFactory = .standard
    ) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.providers = providers
        (jobs, submissions) = AsyncStream.makeStream(of: Job.self)
    }

    /// Takes applies until graceful shutdown, then waits for the running ones.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await job in jobs {
                    group.addTask { await self.perform(job) }
                }
            }
        } onGracefulShutdown: {
            self.submissions.finish()
        }
    }

    /// Starts applying change set `changeSetID` as `actor`, reading `repository` (the one the
    /// request opened, whose parsed policy the apply reuses), and returns its execution once the
    /// engine has taken the stack's lock; the provider runs on in this service. The answer comes
    /// from ``run()``, so the service must be running (it is one of the application's services).
    ///
    /// - Throws: the engine's refusal (``ApplyError``, ``StoreError``, ``ReviewError``) when a
    ///   check fails, so that nothing started; ``ServerError`` 503 while the server shuts down.
    public func start(changeSetID: String, actor: String, repository: ManagedRepository) async throws -> ExecutionRecord {
        let (replies, reply) = AsyncThrowingStream.makeStream(of: ExecutionRecord.self)
        if case .terminated = submissions.yield(Job(changeSetID: changeSetID, actor: actor, repository: repository, reply: reply)) {
            throw ServerError(.serviceUnavailable, code: "shutting_down", message: "The server is shutting down and starts no apply; try again on another server.")
        }
        for try await execution in replies {
            return execution
        }
        throw ServerError(.serviceUnavailable, code: "shutting_down", message: "The server stopped before the apply started; nothing was applied.")
    }

    /// Returns once execution `id` has ended here, at once when it is not running in this process
    /// or the task is cancelled.
    public func waitForEnd(ofExecution id: String) async {
        let number = nextWaiter.wrappingAdd(1, ordering: .relaxed).oldValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                // Under the lock, so that a cancel either finds the waiter or comes before it is kept.
                let isWaiting = running.withLock { running in
                    guard running[id] != nil, !Task.isCancelled else { return false }
                    running[id]?[number] = waiter
                    return true
                }
                if !isWaiting { waiter.resume() }
            }
        } onCancel: {
            running.withLock { $0[id]?.removeValue(forKey: number) }?.resume()
        }
    }

    /// Returns once execution `id`, running here, has ended, or after `timeout`: an execution run
    /// by another process (which shares the store) has its end noticed only by reading the store.
    public func waitForEnd(ofExecution id: String, upTo timeout: Duration) async {
        guard isRunning(id) else {
            try? await Task.sleep(for: timeout)
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForEnd(ofExecution: id) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Whether execution `id` is running in this process.
    private func isRunning(_ id: String) -> Bool {
        running.withLock { $0[id] != nil }
    }

    /// How many tasks wait for the end of execution `id`, which a test waits for before it lets
    /// the execution end.
    func waiters(ofExecution id: String) -> Int {
        running.withLock { $0[id]?.count ?? 0 }
    }

    private func perform(_ job: Job) async {
        let startedID = Mutex<String?>(nil)
        do {
            let report = try await ChangeSetApplication(store: store, clock: clock).apply(
                changeSetID: job.changeSetID, actor: job.actor, repository: job.repository, providers: providers
            ) { execution in
                startedID.withLock { $0 = execution.id }
                self.running.withLock { $0[execution.id] = [:] }
                job.reply.yield(execution)
                job.reply.finish()
            }
            metrics.applyFinished(outcome: report.changeSet.status.rawValue)
            logger.info("apply finished", metadata: [
                "changeset.id": "\(job.changeSetID)", "execution.id": "\(report.execution.id)",
                "changeset.status": "\(report.changeSet.status.rawValue)",
            ])
        } catch {
            // Before the start this is the caller's answer; after it, the log's.
            job.reply.finish(throwing: error)
            let started = startedID.withLock { $0 } != nil
            metrics.applyFinished(outcome: started ? "error" : "refused")
            if started {
                logger.error("apply failed after it started", metadata: ["changeset.id": "\(job.changeSetID)", "error": "\(String(reflecting: error))"])
            }
        }
        if let id = startedID.withLock({ $0 }) {
            for waiter in running.withLock({ $0.removeValue(forKey: id) ?? [:] }).values {
                waiter.resume()
            }
        }
    }
}

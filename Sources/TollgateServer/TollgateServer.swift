public import Hummingbird
public import Logging
import Foundation
import NIOCore
import ServiceLifecycle
public import TollgateCore
public import TollgateEngine
public import TollgateStore

/// `tollgate serve`: the HTTP front end over the same engine and store as the command line.
///
/// Like the CLI it parses, calls an engine use case and renders; it holds no business rule. It
/// takes the git hosts' push webhooks (``WebhookController``), serves the JSON API
/// (``APIController``) behind bearer tokens and the web page (``WebController``) behind session
/// cookies, answers `/healthz` and `/readyz`, and serves its Prometheus metrics at `/metrics`.
public final class TollgateServer: Sendable {
    /// Where the followed repository is and how it is read.
    public struct Repository: Sendable {
        /// The git repository (a work tree or a bare repository).
        public var path: String
        /// A tollgate.yaml to use instead of the one at the tip of the branch.
        public var settingsFile: String?
        /// The branch to follow; nil for the settings' branch, or main.
        public var branch: String?

        /// Creates the description.
        public init(path: String, settingsFile: String? = nil, branch: String? = nil) {
            self.path = path
            self.settingsFile = settingsFile
            self.branch = branch
        }
    }

    /// The repository followed.
    public let repository: Repository
    /// The state store shared with the command line.
    public let store: any StateStore
    /// The clock tokens expire by.
    public let clock: any WallClock
    /// The webhook secrets; a host without one refuses every delivery.
    public let secrets: WebhookSecrets
    /// The one place syncs run, coalesced.
    public let coalescer: SyncCoalescer
    /// The server's logger; request lines carry their request id.
    public let logger: Logger
    /// The largest webhook body taken.
    public let hookBodyLimit: Int
    /// What `/metrics` serves.
    public let metrics: ServerMetrics
    /// The last status report, shared by the stack list requests until something changes.
    let statusCache = StatusCache(maximumAge: .seconds(2))
    /// The repository opened last, shared by requests (``openRepository(at:)``) and the applies
    /// they start.
    let openedRepository = OpenedRepository()
    /// The policy revision in force and access tokens, read once per store version.
    let auditedReads = AuditedReads()
    /// `GET /api/stacks` answers as encoded, per status snapshot, reviewer and search.
    let statusBodies = StatusBodies()
    /// Encodes those answers from the rows' JSON kept between snapshots.
    let statusJSON = StatusJSON()
    /// The stack list page as rendered, per status snapshot, reviewer, session and search.
    let statusPages = StatusBodies()
    /// Signs the web page's session cookies and CSRF tokens.
    public let sessions: WebSessions
    /// Runs the applies `POST /api/change-sets/{id}/apply` starts; a service of the application.
    public let applies: ApplyRunner
    /// The address people reach the server at, for links in notifications; nil leaves links out.
    public let publicURL: String?
    /// How often the outbox is delivered; nil when this server delivers no notifications (`serve`
    /// delivers every 2 seconds).
    public let notificationInterval: Duration?
    /// Delivery timings and limits.
    public let notificationSettings: NotificationDispatcher.Settings
    /// The key the server signs session approvals with (`serve --server-key`); nil when it signs none.
    public let serverKey: SSHPrivateKey?

    /// A server of `repository` over `store`.
    public init(
        repository: Repository, store: any StateStore, secrets: WebhookSecrets, clock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "tollgate.server"), hookBodyLimit: Int = 1 << 20,
        sync: SyncCoalescer.Sync? = nil, sessions: WebSessions = WebSessions(), providers: ProviderFactory = .standard,
        publicURL: String? = nil, notificationInterval: Duration? = nil,
        notificationSettings: NotificationDispatcher.Settings = NotificationDispatcher.Settings(), serverKey: SSHPrivateKey? = nil
    ) {
        self.serverKey = serverKey
        self.sessions = sessions
        self.publicURL = publicURL
        self.notificationInterval = notificationInterval
        self.notificationSettings = notificationSettings
        self.repository = repository
        self.store = store
        self.secrets = secrets
        self.clock = clock
        self.logger = logger
        self.hookBodyLimit = hookBodyLimit
        let metrics = ServerMetrics()
        self.metrics = metrics
        let defaultSync: SyncCoalescer.Sync = { [repository, store] in
            let managed = try await ManagedRepository.open(
                path: repository.path, settingsFile: repository.settingsFile, branch: repository.branch, store: store)
            let report = try await ChangeSetSynchronizer(repository: managed, store: store, actor: "tollgate").sync()
            return "branch \(report.branch) at \(report.cursor.prefix(12)), \(report.created.count) change set(s) created"
        }
        coalescer = SyncCoalescer(logger: logger, metrics: metrics, sync: sync ?? defaultSync)
        applies = ApplyRunner(store: store, clock: clock, logger: logger, metrics: metrics, providers: providers)
    }

    /// The store's version now (``StoreVersion``): one indexed read, which every request makes
    /// once so that ``auditedReads`` can answer the rest.
    func storeVersion() async throws -> StoreVersion {
        StoreVersion(auditSequence: try await store.auditSequence())
    }

    /// The record of a bearer token that works now, and the store's version it was checked at.
    ///
    /// - Throws: ``AccessTokenError`` when the token is unknown, expired or revoked.
    func authenticate(_ token: String) async throws -> (record: AccessTokenRecord, version: StoreVersion) {
        let version = try await storeVersion()
        let record = try await AccessTokens(store: store, clock: clock).authenticate(token) { [store] sha256 in
            try await auditedReads.token(sha256: sha256, at: version) { try await store.accessToken(sha256: $0) }
        }
        return (record, version)
    }

    /// The record of the token whose hash is `sha256` at `version`, whatever its state (a web
    /// session keeps only the hash and says why a token stopped working).
    func accessToken(sha256: String, at version: StoreVersion) async throws -> AccessTokenRecord? {
        try await auditedReads.token(sha256: sha256, at: version) { [store] in try await store.accessToken(sha256: $0) }
    }

    /// The policy revision in force at `version`, or now when no version is given.
    func policyInForce(at version: StoreVersion? = nil) async throws -> PolicyRevisionRecord? {
        let version = if let version { version } else { try await storeVersion() }
        return try await auditedReads.policyInForce(at: version) { [store] in try await store.policyInForce() }
    }

    /// The repository as the engine reads it: the one opened last while its branch has not moved
    /// and the policy in force (whose `tollgate.yaml` it read) is the same, otherwise a new one.
    /// Opening reads and parses the settings, which would cost every request more than the rest.
    ///
    /// - Parameter version: the store's version the request read, if it read one.
    func openRepository(at version: StoreVersion? = nil) async throws -> ManagedRepository {
        let inForce = try await policyInForce(at: version)?.commit
        if let kept = await openedRepository.repository(readWith: inForce), try await kept.isCurrent() { return kept }
        let opened = try await ManagedRepository.open(
            path: repository.path, settingsFile: repository.settingsFile, branch: repository.branch, settingsCommit: inForce)
        await openedRepository.keep(opened, readWith: inForce)
        return opened
    }

    /// What `reviewer` may see under the `visible-to:` lists of the policy in force, whose parsed
    /// files `repository` keeps.
    func visibility(of reviewer: String, repository: ManagedRepository, at version: StoreVersion? = nil) async throws -> StackVisibility {
        try await StackVisibility.of(reviewer: reviewer, policyCommit: try await policyInForce(at: version)?.commit, repository: repository)
    }

    /// The whole status report, from ``statusCache``: kept while neither the store nor
    /// `repository`'s branch has changed, and brought up to date row by row when the store has.
    func statusSnapshot(repository: ManagedRepository, at version: StoreVersion? = nil) async throws -> StatusCache.Snapshot {
        let version = if let version { version } else { try await storeVersion() }
        let key = StatusCache.Key(auditHead: version.auditSequence, tip: repository.tipCommit)
        let reader = StatusReader(store: store, clock: clock)
        // A report may outlive the request that asked for it, so it gets the repository itself.
        return try await statusCache.snapshot(
            for: key,
            read: { [self] in try await reader.report(repository: try await openRepository(), matching: nil) },
            refresh: { [self] report, sequence in
                try await reader.refreshed(report, after: sequence, repository: try await openRepository())
            },
            refreshForTime: { [self] report in try await reader.refreshedForTime(report, repository: try await openRepository()) })
    }

    /// The routes and middleware; tests drive it in process with HummingbirdTesting.
    public func router() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware(metrics: metrics))
        router.add(middleware: PathGuardMiddleware())
        router.get("healthz") { _, _ in try JSONBody.response(HealthJSON(.ok)) }
        router.get("readyz") { _, context in try await self.readiness(context: context) }
        router.get("metrics") { _, _ in
            if let backlog = try? await self.store.notificationBacklog() {
                self.metrics.outboxBacklog(backlog)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: self.metrics.text())))
        }
        let repository = self.repository
        let store = self.store
        WebhookController(
            secrets: secrets,
            branch: {
                try await ManagedRepository.open(path: repository.path, settingsFile: repository.settingsFile, branch: repository.branch).branch
            },
            deliveries: WebhookDeliveries(store: store), coalescer: coalescer, bodyLimit: hookBodyLimit
        ).register(on: router)
        APIController(server: self).register(on: router)
        WebController(server: self, sessions: sessions).register(on: router)
        return router
    }

    /// A dispatcher of the store's outbox to the receivers of the policy in force, with a client of
    /// its own that the caller shuts down.
    public func notificationDispatcher() -> NotificationDispatcher {
        NotificationDispatcher(
            store: store,
            receivers: {
                do {
                    return try await PolicyInForce.load(from: self.store, repository: try await self.openRepository()).policy.notifications
                } catch ReviewError.noPolicyInForce {
                    // Before `tollgate init` no policy names a receiver: nobody is to be told.
                    return .none
                }
            },
            publicURL: publicURL, client: NotificationDispatcher.makeHTTPClient(timeout: notificationSettings.timeout),
            settings: notificationSettings, logger: logger)
    }

    /// Ready when the store answers and the repository opens.
    private func readiness(context: ServerRequestContext) async throws -> Response {
        do {
            _ = try await store.auditHead()
        } catch {
            context.logger.warning("not ready: the store cannot be read", metadata: ["error": "\(error)"])
            throw ServerError(.serviceUnavailable, code: "store_unavailable", message: "The state store cannot be read.")
        }
        do {
            _ = try await openRepository()
        } catch {
            context.logger.warning("not ready: the repository cannot be read", metadata: ["error": "\(error)"])
            throw ServerError(.serviceUnavailable, code: "repository_unreadable", message: "The repository cannot be read.")
        }
        return try JSONBody.response(HealthJSON(.ready))
    }

    /// The application listening on `host`:`port` (0 for any free port), polling every
    /// `pollInterval` when set, calling `onListening` with the bound port.
    public func application(
        host: String, port: Int, pollInterval: Duration?, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var services: [any Service] = [applies]
        if let pollInterval {
            services.append(PollingService(interval: pollInterval, coalescer: coalescer))
        }
        if let notificationInterval {
            services.append(NotificationService(
                dispatcher: notificationDispatcher(), interval: notificationInterval, metrics: metrics, logger: logger))
        }
        return Application(
            router: router(), configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "tollgate"),
            services: services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Listens on `host`:`port` and serves until SIGTERM or SIGINT; see
    /// ``application(host:port:pollInterval:onListening:)``.
    ///
    /// - Throws: ``ServerStartError/cannotListen(address:reason:)`` when the address cannot be bound.
    public func run(
        host: String, port: Int, pollInterval: Duration?, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        do {
            try await application(host: host, port: port, pollInterval: pollInterval, onListening: onListening).runService()
        } catch let error as IOError {
            throw ServerStartError.cannotListen(address: "\(host):\(port)", reason: String(cString: strerror(error.errnoCode)))
        }
    }
}

/// The server could not start.
public enum ServerStartError: Error, Sendable, CustomStringConvertible {
    /// Binding the listening socket failed.
    case cannotListen(address: String, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let address, let reason):
            "Cannot listen on \(address): \(reason); stop the program using it or choose another address with --listen."
        }
    }
}

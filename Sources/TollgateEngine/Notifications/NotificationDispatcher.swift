public import AsyncHTTPClient
import Crypto
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
public import TollgateCore
public import TollgateStore

/// Delivers the notification outbox: claims the notifications that are due, posts each to the
/// receivers the policy in force names for it, and records the outcome, retrying with exponential
/// backoff until every receiver has answered with success or the attempts run out.
///
/// Several dispatchers may share one store (one per `tollgate serve` process): a notification is
/// leased to one of them at a time, so each is sent once. A process that dies after posting and
/// before recording leaves the lease to lapse, and the notification is posted again: a receiver
/// may, rarely, see one twice, never none.
public struct NotificationDispatcher: Sendable {
    /// Limits and timings of delivery.
    public struct Settings: Sendable {
        /// Attempts before a notification is kept as failed.
        public var maximumAttempts = 8
        /// The wait after the first failed attempt; each further failure doubles it.
        public var firstRetrySeconds = 30
        /// The longest wait between two attempts.
        public var longestRetrySeconds = 3_600
        /// How long one receiver may take to answer, body included.
        public var timeout: Duration = .seconds(10)
        /// How much of a receiver's answer is read; the rest is never read.
        public var responseLimit = 64 * 1024
        /// Notifications claimed at once.
        public var batchSize = 20
        /// How long a delivered notification stays in the outbox before
        /// ``NotificationDispatcher/deleteExpired()`` deletes it; nil keeps every one. Queued and
        /// failed notifications are never deleted, whatever their age.
        public var deliveredRetentionSeconds: Int? = 30 * 86_400

        /// The defaults above.
        public init() {}

        /// The wait after `attempts` failed attempts.
        public func retryDelaySeconds(afterAttempts attempts: Int) -> Int {
            let exponent = min(max(attempts - 1, 0), 20)
            return min(firstRetrySeconds << exponent, longestRetrySeconds)
        }

        /// How long a claim lasts: longer than the slowest attempt of a whole batch, so that no
        /// other dispatcher takes a notification this one is still posting.
        var leaseSeconds: Int {
            Int(timeout.components.seconds + 1) * 2 * max(batchSize, 1) + 60
        }
    }

    /// The store whose outbox is delivered.
    public let store: any StateStore
    /// The policy in force's receivers, read afresh for every batch.
    public let receivers: @Sendable () async throws -> NotificationPolicy
    /// `serve --public-url`, for the link to each change set's page; nil leaves the link out.
    public let publicURL: String?
    /// The client that posts; its redirect configuration should be `.disallow`, as
    /// ``makeHTTPClient()`` makes it.
    public let client: HTTPClient
    /// Names this dispatcher in the leases it takes.
    public let holder: String
    /// Timings and limits.
    public let settings: Settings
    /// Where delivery failures are logged.
    public let logger: Logger

    /// Creates a dispatcher; nothing happens until ``deliverDue()``.
    public init(
        store: any StateStore, receivers: @escaping @Sendable () async throws -> NotificationPolicy, publicURL: String?,
        client: HTTPClient, holder: String = NotificationDispatcher.defaultHolder(), settings: Settings = Settings(),
        logger: Logger = Logger(label: "tollgate.notifications")
    ) {
        self.store = store
        self.receivers = receivers
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.client = client
        self.holder = holder
        self.settings = settings
        self.logger = logger
    }

    /// A client that never follows a redirect (a receiver cannot send the notification, and the
    /// secret in its URL's path, elsewhere) and gives up connecting after `timeout`.
    public static func makeHTTPClient(timeout: Duration = .seconds(10)) -> HTTPClient {
        let seconds = Int64(timeout.components.seconds) + (timeout.components.attoseconds > 0 ? 1 : 0)
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: HTTPClient.Configuration.Timeout(connect: .seconds(max(seconds, 1))))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// This process, on this host, for leases.
    public static func defaultHolder() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Delivers every notification due now, batch after batch, until none is left.
    ///
    /// - Returns: how many notifications it attempted.
    /// - Throws: ``StoreError`` when the store fails; delivery failures are recorded, not thrown.
    @discardableResult
    public func deliverDue() async throws -> Int {
        var attempted = 0
        while !Task.isCancelled {
            let claimed = try await store.transaction { tx in
                try await tx.claimNotifications(holder: holder, leaseSeconds: settings.leaseSeconds, limit: settings.batchSize)
            }
            if claimed.isEmpty { break }
            let policy: Result<NotificationPolicy, any Error>
            do {
                policy = .success(try await receivers())
            } catch {
                policy = .failure(error)
            }
            for notification in claimed {
                let outcome = await attempt(notification, policy: policy)
                let recorded = try await store.transaction { tx in
                    try await tx.recordNotificationAttempt(id: notification.id, holder: holder, outcome: outcome)
                }
                if !recorded {
                    logger.warning("notification lease lapsed before its outcome was recorded", metadata: ["notification": "\(notification.id)"])
                }
                attempted += 1
            }
        }
        return attempted
    }

    /// Deletes the delivered notifications older than ``Settings/deliveredRetentionSeconds``,
    /// timed by the store's clock; does nothing when retention is off.
    ///
    /// - Returns: how many were deleted.
    /// - Throws: ``StoreError`` when the store fails.
    @discardableResult
    public func deleteExpired() async throws -> Int {
        guard let seconds = settings.deliveredRetentionSeconds else { return 0 }
        let deleted = try await NotificationOutbox(store: store).deleteDelivered(olderThanSeconds: seconds)
        if deleted > 0 {
            logger.info("delivered notifications past retention deleted", metadata: ["count": "\(deleted)", "retention_seconds": "\(seconds)"])
        }
        return deleted
    }

    /// One attempt: posts to each receiver not told yet.
    func attempt(_ notification: NotificationRecord, policy: Result<NotificationPolicy, any Error>) async -> NotificationOutcome {
        var delivered = notification.deliveredTo
        var problems: [String] = []
        switch policy {
        case .failure(let error):
            problems.append("the policy in force could not be read (\(error))")
        case .success(let policy):
            let receivers = policy.receivers(for: notification.event, stack: notification.stack)
            // Encoded only for someone to tell: most events of most stacks have no receiver.
            let body = receivers.isEmpty ? [] : NotificationMessage(notification, publicURL: publicURL).json
            for receiver in receivers {
                let key = Self.key(of: receiver)
                guard !delivered.contains(key) else { continue }
                if let problem = await post(body, to: receiver) {
                    problems.append("\(receiver.redactedURL) \(problem)")
                    logger.warning(
                        "notification not delivered",
                        metadata: ["notification": "\(notification.id)", "receiver": "\(receiver.redactedURL)", "problem": "\(problem)"])
                } else {
                    delivered.append(key)
                }
            }
        }
        guard !problems.isEmpty else { return .delivered(deliveredTo: delivered) }
        let error = problems.joined(separator: "; ")
        let attempts = notification.attempts + 1
        if attempts >= settings.maximumAttempts {
            logger.error("notification failed; attempts ran out", metadata: ["notification": "\(notification.id)", "problem": "\(error)"])
            return .failed(deliveredTo: delivered, error: "after \(attempts) attempts: \(error)")
        }
        return .retry(deliveredTo: delivered, retryAfterSeconds: settings.retryDelaySeconds(afterAttempts: attempts), error: error)
    }

    /// Posts `body`; nil on a 2xx answer, else what went wrong.
    private func post(_ body: [UInt8], to receiver: NotificationReceiver) async -> String? {
        var request = HTTPClientRequest(url: receiver.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tollgate")
        request.body = .bytes(ByteBuffer(bytes: body))
        let prepared = request
        let client = self.client
        let limit = settings.responseLimit
        let timeout = settings.timeout
        do {
            // The deadline covers the answer's body too, which HTTPClient's own deadline does not:
            // a receiver that trickles bytes forever is cut off like one that never answers.
            let status = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask {
                    let response = try await client.execute(prepared, timeout: .seconds(Int64(timeout.components.seconds) + 1))
                    var read = 0
                    for try await chunk in response.body {
                        read += chunk.readableBytes
                        if read >= limit { break }
                    }
                    return Int(response.status.code)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let status else { return "did not answer within \(timeout)" }
            switch status {
            case 200..<300: return nil
            case 300..<400: return "answered \(status), a redirect, which is not followed"
            default: return "answered \(status)"
            }
        } catch let error as HTTPClientError {
            return "could not be reached (\(error))"
        } catch {
            return "could not be reached (\(type(of: error)))"
        }
    }

    /// How a receiver is named in ``NotificationRecord/deliveredTo``: a digest, so that the
    /// secret in a webhook URL is not copied into the store.
    static func key(of receiver: NotificationReceiver) -> String {
        SHA256.hash(data: Data(receiver.url.utf8)).prefix(12).lowercaseHex
    }
}

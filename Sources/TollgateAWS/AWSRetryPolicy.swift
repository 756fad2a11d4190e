/// How often and how patiently a failed call is tried again.
///
/// A call is retried when AWS answers 5xx or 429, when it names a throttling error, and when no
/// answer comes at all; any other error is final at once. The waits double from ``baseDelay`` up
/// to ``maximumDelay``, without jitter, so that what a test sees is exactly what runs; the sleep
/// itself is injected so that tests wait for nothing.
public struct AWSRetryPolicy: Sendable {
    /// How many tries in all, the first one included (at least 1).
    public var maximumAttempts: Int
    /// The wait before the first retry.
    public var baseDelay: Duration
    /// The longest wait between two tries.
    public var maximumDelay: Duration
    /// Waits for the given time; throws when the task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Creates a policy; the defaults try five times over about 7.5 seconds of waiting.
    public init(
        maximumAttempts: Int = 5,
        baseDelay: Duration = .milliseconds(500),
        maximumDelay: Duration = .seconds(20),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.sleep = sleep
    }

    /// The wait after failed try number `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = baseDelay
        for _ in 1..<max(1, attempt) {
            delay *= 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }

    /// Error codes by which AWS services ask a client to slow down: the list botocore's standard
    /// retry mode uses.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Error codes that mean a try went wrong on AWS's side and may go through next time.
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
    ]

    func isRetryable(status: Int, code: String?) -> Bool {
        if status >= 500 || status == 429 { return true }
        guard let code else { return false }
        return Self.throttlingCodes.contains(code) || Self.transientCodes.contains(code)
    }
}

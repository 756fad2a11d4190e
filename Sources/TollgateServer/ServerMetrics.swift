import Prometheus

/// The server's Prometheus metrics, served as text at `/metrics`: requests by route and status,
/// their latencies, and syncs by result with their durations.
///
/// Each server has its own registry rather than a process-wide metrics system, so that servers
/// started side by side (as tests do) count apart.
public final class ServerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private static let requestBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]
    private static let syncBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(100), .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300),
    ]

    /// An empty set of metrics.
    public init() {}

    /// Counts a finished request and records its latency; `route` is the route's pattern, so that
    /// ids in paths do not make a series each.
    func requestFinished(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "tollgate", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered."),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "tollgate", metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer an HTTP request."),
            labels: [("method", method), ("route", route)], buckets: Self.requestBuckets
        ).record(duration)
    }

    /// Counts a finished sync and records how long it took.
    func syncFinished(succeeded: Bool, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "tollgate", metricName: "syncs", unitName: "total", helpText: "Syncs of the followed branch, by result."),
            labels: [("result", succeeded ? "success" : "failure")]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "tollgate", metricName: "sync_duration", unitName: "seconds", helpText: "Time a sync of the followed branch took."),
            labels: [], buckets: Self.syncBuckets
        ).record(duration)
    }

    /// Counts an apply the API asked for by how it ended: the change set's status (`APPLIED`,
    /// `FAILED`, `CANCELLED`), `refused` when a check stopped it before it started, `error` when
    /// recording its end failed.
    func applyFinished(outcome: String) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "tollgate", metricName: "applies", unitName: "total", helpText: "Applies started through the API, by outcome."),
            labels: [("outcome", outcome)]
        ).increment()
    }

    /// Sets the number of notifications waiting in the outbox.
    func outboxBacklog(_ count: Int) {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "tollgate", metricName: "notification_outbox_backlog", unitName: "",
                helpText: "Notifications waiting in the outbox for delivery.")
        ).set(Double(count))
    }

    /// The Prometheus text exposition of every metric.
    public func text() -> String {
        registry.emitToString()
    }

    /// The route pattern of `path`, for the `route` label.
    static func route(of path: String) -> String {
        if path.hasPrefix("/api/change-sets/") {
            let parts = path.split(separator: "/")
            let actions: Set<Substring> = ["explanation", "approval-text", "cancel-text", "approvals", "cancel", "apply"]
            if parts.count == 4, actions.contains(parts[3]) { return "/api/change-sets/:id/\(parts[3])" }
            return "/api/change-sets/:id"
        }
        if path.hasPrefix("/api/executions/") { return "/api/executions/:id" }
        let known: Set<String> = [
            "/healthz", "/readyz", "/metrics", "/api/stacks", "/api/audit", "/api/whoami", "/hooks/github", "/hooks/gitlab", "/hooks/bitbucket",
        ]
        return known.contains(path) ? path : "other"
    }
}

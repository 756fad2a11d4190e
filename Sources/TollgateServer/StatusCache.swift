import TollgateCore
import TollgateEngine

/// The whole stack status, computed once and shared by the requests that arrive until the store
/// or the branch changes.
///
/// Every change of state appends to the audit trail, so the trail's head and the branch's tip say
/// when a report is out of date; change windows and lock leases move with time alone, so a report
/// is also kept for at most ``maximumAge``. Requests that arrive while one is being computed wait
/// for it instead of computing it again: a thousand stacks cost one evaluation, not one per request.
actor StatusCache {
    /// What a report was computed from.
    struct Key: Equatable {
        var auditHead: Int64?
        var tip: String
    }

    /// How long a report is served while nothing in the store or the branch changes.
    let maximumAge: Duration
    private var current: (key: Key, computedAt: ContinuousClock.Instant, report: Task<StatusReport, any Error>)?

    init(maximumAge: Duration) {
        self.maximumAge = maximumAge
    }

    /// The report for `key`: the one computed or being computed for it, or a new one from `compute`.
    func report(for key: Key, compute: @escaping @Sendable () async throws -> StatusReport) async throws -> StatusReport {
        let now = ContinuousClock.now
        if let current, current.key == key, now - current.computedAt < maximumAge {
            return try await current.report.value
        }
        let task = Task { try await compute() }
        current = (key, now, task)
        do {
            return try await task.value
        } catch {
            // A failure is not kept: the next request tries again.
            if current?.report == task { current = nil }
            throw error
        }
    }
}

/// The parsed `Policies/` of the revision in force, kept by commit: a commit's files never
/// change, so the policy is read from git and parsed once per revision rather than per request.
actor PolicyCache {
    private var latest: (commit: String, policy: PolicySet)?

    /// The policy parsed for `commit`, if it is the one kept.
    func policy(for commit: String) -> PolicySet? {
        latest?.commit == commit ? latest?.policy : nil
    }

    /// Keeps `policy`, parsed from `commit`, in place of the one kept before.
    func keep(_ policy: PolicySet, for commit: String) {
        latest = (commit, policy)
    }
}

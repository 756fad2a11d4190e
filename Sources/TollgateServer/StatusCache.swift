import NIOCore
import TollgateCore
import TollgateEngine

/// The whole stack status, kept up to date with the store and shared by every request.
///
/// Every change of state appends to the audit trail with the stack it concerns, so the trail's
/// head and the branch's tip say when a report is out of date, and the new entries say which rows:
/// after an approval one stack is read again, not a thousand. Lock leases and guard waivers lapse
/// with time alone, so a report older than ``maximumAge`` has the rows time can change read again
/// in the background (``StatusReader/refreshedForTime(_:repository:)``) while requests still get
/// the one kept. Requests that arrive while a report is being brought up to date wait for it
/// instead of reading it again.
actor StatusCache {
    /// What a report was computed from.
    struct Key: Equatable {
        var auditHead: Int64?
        var tip: String
    }

    /// A report, the key it is up to date with, and when the read that last brought it up to date
    /// with time started.
    struct Snapshot: Sendable {
        var key: Key
        var readAt: ContinuousClock.Instant
        var report: StatusReport
        /// Numbers the snapshots kept, so that what is derived from one (its JSON) can be kept too.
        var version: Int
    }

    /// Reads the whole report.
    typealias Read = @Sendable () async throws -> StatusReport
    /// Brings a report up to date with the entries after a sequence; nil when only a full read can.
    typealias Refresh = @Sendable (StatusReport, Int64) async throws -> StatusReport?
    /// Brings a report up to date with the time; nil when only a full read can.
    typealias TimeRefresh = @Sendable (StatusReport) async throws -> StatusReport?

    /// How long a report is trusted while nothing in the store or the branch changes.
    let maximumAge: Duration
    private var current: Snapshot?
    private var pending: (key: Key, task: Task<Snapshot, any Error>)?
    private var backgroundRead: Task<Void, Never>?
    private var versions = 0

    init(maximumAge: Duration) {
        self.maximumAge = maximumAge
    }

    /// The report up to date with `key`: the one kept, the one being brought up to date, or the
    /// one kept refreshed with the entries since (`refresh`), or else a full read (`read`). A
    /// report kept too long is brought up to date with the time (`refreshForTime`) in the background.
    func snapshot(
        for key: Key, read: @escaping Read, refresh: @escaping Refresh, refreshForTime: @escaping TimeRefresh = { _ in nil }
    ) async throws -> Snapshot {
        let now = ContinuousClock.now
        if let current, current.key == key {
            if now - current.readAt >= maximumAge { readInBackground(current, read: read, refreshForTime: refreshForTime) }
            return current
        }
        if let pending, pending.key == key { return try await pending.task.value }
        let base = current
        let task = Task<Snapshot, any Error> {
            if let base, base.key.tip == key.tip, let from = base.key.auditHead, let to = key.auditHead, to > from,
                let updated = try await refresh(base.report, from) {
                return Snapshot(key: key, readAt: base.readAt, report: updated, version: 0)
            }
            return Snapshot(key: key, readAt: now, report: try await read(), version: 0)
        }
        pending = (key, task)
        defer { if pending?.key == key { pending = nil } }
        return keep(try await task.value)
    }

    /// Waits for the background read under way, if any (a test's way to see it land).
    func backgroundReadFinished() async {
        await backgroundRead?.value
    }

    /// Keeps `snapshot` in place of the one kept. An older key is fine: every request brings the
    /// snapshot up to its own key first, so a newer one kept is never needed again.
    private func keep(_ snapshot: Snapshot) -> Snapshot {
        // Most background reads find what was kept: the version stays, and so does what was
        // made from it (the encoded list), instead of being made again for every request.
        if var unchanged = current, unchanged.key == snapshot.key, unchanged.report == snapshot.report {
            unchanged.readAt = max(unchanged.readAt, snapshot.readAt)
            current = unchanged
            return unchanged
        }
        versions += 1
        var kept = snapshot
        kept.version = versions
        current = kept
        return kept
    }

    /// Brings `snapshot` up to date with the time without keeping anyone waiting.
    private func readInBackground(_ snapshot: Snapshot, read: @escaping Read, refreshForTime: @escaping TimeRefresh) {
        guard backgroundRead == nil else { return }
        backgroundRead = Task {
            let started = ContinuousClock.now
            var report = try? await refreshForTime(snapshot.report)
            if report == nil { report = try? await read() }
            if let report {
                _ = keep(Snapshot(key: snapshot.key, readAt: started, report: report, version: 0))
            }
            backgroundRead = nil
        }
    }
}

/// Answers made from the newest status snapshot, as sent (the JSON of `GET /api/stacks`, the
/// stack list page): with a thousand stacks, encoding or rendering the list costs more than
/// everything else a request does.
actor StatusBodies {
    private var version = 0
    private var bodies: [String: ByteBuffer] = [:]
    /// Reviewers times searches is unbounded; past this many, the oldest snapshot's bodies go.
    private let limit = 256

    /// The body kept for `key` under snapshot `version`, or the one `encode` makes, then kept.
    func body(version: Int, key: String, encode: () throws -> ByteBuffer) rethrows -> ByteBuffer {
        if version != self.version || bodies.count >= limit {
            self.version = version
            bodies.removeAll(keepingCapacity: true)
        }
        if let body = bodies[key] { return body }
        let body = try encode()
        bodies[key] = body
        return body
    }
}

/// The repository a server opened last, with the policy commit whose settings it read; libgit2
/// reads through it one at a time (``ManagedRepository/read(_:)``), so requests can share it.
actor OpenedRepository {
    private var latest: (policyCommit: String?, repository: ManagedRepository)?

    /// The repository kept, if it was opened under the policy commit `policyCommit`.
    func repository(readWith policyCommit: String?) -> ManagedRepository? {
        latest.flatMap { $0.policyCommit == policyCommit ? $0.repository : nil }
    }

    /// Keeps `repository`, opened under `policyCommit`, in place of the one kept before.
    func keep(_ repository: ManagedRepository, readWith policyCommit: String?) {
        latest = (policyCommit, repository)
    }
}

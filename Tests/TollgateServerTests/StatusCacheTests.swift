import NIOCore
import Synchronization
import Testing
@testable import TollgateEngine
@testable import TollgateServer

@Suite("Status cache")
struct StatusCacheTests {
    /// Counts the full reads and refreshes the cache asks for.
    final class Reads: Sendable {
        let full = Atomic<Int>(0)
        let refreshes = Atomic<Int>(0)

        /// An empty report, or one with `stack` when the read should find a change.
        func read(adding stack: String? = nil) -> StatusReport {
            full.add(1, ordering: .relaxed)
            return StatusReport(policy: nil, stacks: stack.map { [StackStatus(stack: $0, status: .pending)] } ?? [])
        }

        /// Refreshes by adding a row named after the sequence it started from, or asks for a full read.
        func refresh(_ report: StatusReport, after sequence: Int64, possible: Bool = true) -> StatusReport? {
            refreshes.add(1, ordering: .relaxed)
            guard possible else { return nil }
            var refreshed = report
            refreshed.stacks.append(StackStatus(stack: "after-\(sequence)", status: .pending))
            return refreshed
        }
    }

    @Test("one read is shared until the trail moves; then the kept report is refreshed from its head, and a new branch tip reads it whole")
    func reuse() async throws {
        let cache = StatusCache(maximumAge: .seconds(3600))
        let reads = Reads()
        func snapshot(_ head: Int64, _ tip: String, refreshable: Bool = true) async throws -> StatusCache.Snapshot {
            try await cache.snapshot(
                for: StatusCache.Key(auditHead: head, tip: tip), read: { reads.read() },
                refresh: { reads.refresh($0, after: $1, possible: refreshable) })
        }
        let first = try await snapshot(7, "a")
        let again = try await snapshot(7, "a")
        #expect(first.report == again.report && first.version == again.version)
        #expect(reads.full.load(ordering: .relaxed) == 1)

        let moved = try await snapshot(9, "a")
        #expect(moved.report.stacks.map(\.stack) == ["after-7"], "refreshed from the kept report's head")
        #expect(moved.version > first.version)
        #expect(reads.full.load(ordering: .relaxed) == 1)

        _ = try await snapshot(10, "a", refreshable: false)
        #expect(reads.full.load(ordering: .relaxed) == 2, "a refresh that cannot be done is a full read")
        _ = try await snapshot(10, "b")
        #expect(reads.full.load(ordering: .relaxed) == 3)
        #expect(reads.refreshes.load(ordering: .relaxed) == 2)
    }

    @Test("a report older than its maximum age is still served while it is read again in the background; a failure is not kept")
    func age() async throws {
        let cache = StatusCache(maximumAge: .zero)
        let reads = Reads()
        let key = StatusCache.Key(auditHead: 1, tip: "a")
        let first = try await cache.snapshot(for: key, read: { reads.read() }, refresh: { reads.refresh($0, after: $1) })
        let served = try await cache.snapshot(for: key, read: { reads.read() }, refresh: { reads.refresh($0, after: $1) })
        #expect(served.version == first.version, "the kept report answers at once")
        await cache.backgroundReadFinished()
        #expect(reads.full.load(ordering: .relaxed) == 2)
        let unchanged = try await cache.snapshot(for: key, read: { reads.read(adding: "new") }, refresh: { reads.refresh($0, after: $1) })
        #expect(unchanged.version == first.version, "read again unchanged: the same version, so what was made from it stays")
        await cache.backgroundReadFinished()
        #expect(reads.full.load(ordering: .relaxed) == 3)
        let later = try await cache.snapshot(for: key, read: { reads.read() }, refresh: { reads.refresh($0, after: $1) })
        #expect(later.version > first.version, "the background read found a change and replaced it")
        #expect(later.report.stacks.map(\.stack) == ["new"])
        await cache.backgroundReadFinished()

        struct Unavailable: Error {}
        let keeping = StatusCache(maximumAge: .seconds(3600))
        let fresh = Reads()
        await #expect(throws: Unavailable.self) {
            try await keeping.snapshot(for: key, read: { throw Unavailable() }, refresh: { _, _ in throw Unavailable() })
        }
        _ = try await keeping.snapshot(for: key, read: { fresh.read() }, refresh: { fresh.refresh($0, after: $1) })
        #expect(fresh.full.load(ordering: .relaxed) == 1, "the failed read was not kept")
    }

    @Test("a report kept too long is brought up to date with the time, not read whole, unless only a whole read can")
    func ageingRefresh() async throws {
        let cache = StatusCache(maximumAge: .zero)
        let reads = Reads()
        let key = StatusCache.Key(auditHead: 1, tip: "a")
        let timed = Atomic<Int>(0)
        let first = try await cache.snapshot(for: key, read: { reads.read() }, refresh: { reads.refresh($0, after: $1) })
        _ = try await cache.snapshot(for: key, read: { reads.read() }, refresh: { reads.refresh($0, after: $1) }, refreshForTime: { report in
            timed.add(1, ordering: .relaxed)
            var lapsed = report
            lapsed.stacks.append(StackStatus(stack: "lapsed", status: .applying))
            return lapsed
        })
        await cache.backgroundReadFinished()
        let later = try await cache.snapshot(for: key, read: { reads.read() }, refresh: { reads.refresh($0, after: $1) }, refreshForTime: { _ in nil })
        #expect(timed.load(ordering: .relaxed) == 1)
        #expect(reads.full.load(ordering: .relaxed) == 1, "the time refresh stood in for a whole read")
        #expect(later.version > first.version)
        #expect(later.report.stacks.map(\.stack) == ["lapsed"])
        await cache.backgroundReadFinished()
        #expect(reads.full.load(ordering: .relaxed) == 2, "a time refresh that cannot answer asks for a whole read")
    }

    @Test("the encoded answer is kept per snapshot version, reviewer and search, and dropped with a new version")
    func bodies() async throws {
        let bodies = StatusBodies()
        let encodings = Atomic<Int>(0)
        func body(_ version: Int, _ key: String) async -> ByteBuffer {
            await bodies.body(version: version, key: key) {
                encodings.add(1, ordering: .relaxed)
                return ByteBuffer(string: "\(version) \(key)")
            }
        }
        #expect(await body(1, "ana") == ByteBuffer(string: "1 ana"))
        #expect(await body(1, "ana") == ByteBuffer(string: "1 ana"))
        #expect(await body(1, "ben") == ByteBuffer(string: "1 ben"))
        #expect(encodings.load(ordering: .relaxed) == 2)
        #expect(await body(2, "ana") == ByteBuffer(string: "2 ana"))
        #expect(encodings.load(ordering: .relaxed) == 3)
    }
}

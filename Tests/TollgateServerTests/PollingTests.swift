import Logging
import Testing
@testable import TollgateServer

@Suite("Polling")
struct PollingTests {
    @Test("with no webhook, polling asks for a sync every interval until the service stops")
    func pollsRepeatedly() async throws {
        let (syncs, signal) = AsyncStream<Void>.makeStream()
        let coalescer = SyncCoalescer(logger: Logger(label: "test")) {
            signal.yield()
            return "polled"
        }
        let polling = Task { try await PollingService(interval: .milliseconds(1), coalescer: coalescer).run() }
        var seen = 0
        for await _ in syncs {
            seen += 1
            if seen == 3 { break }
        }
        polling.cancel()
        try await polling.value
        await coalescer.waitUntilIdle()
        #expect(seen == 3)
        #expect(await coalescer.completedRuns >= 3)
        #expect(await coalescer.failedRuns == 0)
    }
}

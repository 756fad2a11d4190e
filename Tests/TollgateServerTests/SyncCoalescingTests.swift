import HummingbirdTesting
import HTTPTypes
import Hummingbird
import Foundation
import Logging
import NIOCore
import Testing
import TollgateCore
import TollgateEngine
import TollgateServer
import TollgateStore
import TollgateTestSupport

/// Holds each sync that passes it until the test lets one through: a sync made slow on purpose,
/// without sleeping.
actor Turnstile {
    private var permits = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func pass() async {
        if permits > 0 {
            permits -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            permits += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

@Suite("Coalesced syncs")
struct SyncCoalescingTests {
    @Test("requests while a sync runs fold into exactly one more sync after it; a later request starts a new one")
    func burstCoalesces() async throws {
        let turnstile = Turnstile()
        let runs = Counter()
        let coalescer = SyncCoalescer(logger: Logger(label: "test")) {
            await runs.increment()
            await turnstile.pass()
            return "held"
        }
        #expect(await coalescer.request(reason: "push 1") == .started)
        for push in 2...6 {
            #expect(await coalescer.request(reason: "push \(push)") == .queued)
        }
        await turnstile.release()
        await turnstile.release()
        await coalescer.waitUntilIdle()
        #expect(await coalescer.completedRuns == 2)
        #expect(await runs.value == 2)
        #expect(await coalescer.request(reason: "push 7") == .started)
        await turnstile.release()
        await coalescer.waitUntilIdle()
        #expect(await coalescer.completedRuns == 3)
    }

    @Test("many commits pushed while a slow sync runs: one more sync picks all of them up, one change set at the tip")
    func slowSyncWithManyCommits() async throws {
        let turnstile = Turnstile()
        let fixture = try await ServerFixture(sync: { repository, store in
            { @Sendable in
                let managed = try await ManagedRepository.open(path: repository.path, store: store)
                let report = try await ChangeSetSynchronizer(repository: managed, store: store, actor: "tollgate").sync()
                // The sync is slow: it holds here until the test has pushed everything else.
                await turnstile.pass()
                return "\(report.created.count) created"
            }
        })
        let first = fixture.review.firstCommit
        let body = WebhookPayloads.github(branch: "main", after: first)
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(body), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
            }
            // 60 commits arrive in 6 pushes while the first sync is still running.
            var tip = first
            for push in 0..<6 {
                for commit in 0..<10 {
                    tip = try fixture.commitWebChange("bucket-\(push)-\(commit)")
                }
                let later = WebhookPayloads.github(branch: "main", after: tip)
                try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(later), body: ByteBuffer(string: later)) { response in
                    #expect(response.status == .accepted)
                    #expect((jsonObject(response.body)["reason"] as? String ?? "").contains("another follows"))
                }
            }
        }
        await turnstile.release()
        await turnstile.release()
        await fixture.server.coalescer.waitUntilIdle()
        #expect(await fixture.server.coalescer.completedRuns == 2)
        #expect(await fixture.server.coalescer.failedRuns == 0)
        let tip = try fixture.review.git.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let open = try await fixture.openChangeSets()
        #expect(open.map(\.targetCommit) == [tip])
        #expect(open.first?.commits.count == 61)
        #expect(try await fixture.store.scanCursor(branch: "main") == tip)
    }
}

actor Counter {
    private(set) var value = 0

    func increment() {
        value += 1
    }
}

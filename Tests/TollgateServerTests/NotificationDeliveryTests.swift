import AsyncHTTPClient
import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// The outbox delivered to real HTTP receivers on loopback, with backoff driven by the stores'
/// stepping clock rather than by waiting.
@Suite("Notification delivery")
struct NotificationDeliveryTests {
    /// A fixture whose policy in force sends every event to `paths` of the receiver on `port`.
    static func fixture(port: Int, paths: [String] = ["hook"]) throws -> ReviewFixture {
        let receivers = paths.map { "  - url: http://127.0.0.1:\(port)/\($0)\n" }.joined()
        return try ReviewFixture(extraFiles: ["Policies/notifications.yaml": "notifications:\n" + receivers])
    }

    static func dispatcher(
        _ review: ReviewFixture, store: any StateStore, client: HTTPClient, holder: String = "test",
        settings: NotificationDispatcher.Settings = NotificationDispatcher.Settings()
    ) -> NotificationDispatcher {
        NotificationDispatcher(
            store: store,
            receivers: { try await PolicyInForce.load(from: store, repository: try review.repository()).policy.notifications },
            publicURL: "https://tollgate.example.com/", client: client, holder: holder, settings: settings)
    }

    @Test("a receiver that fails twice and then recovers gets the notification exactly once, each retry after a longer wait")
    func failsThenRecovers() async throws {
        let receiver = NotificationReceiver(script: [500, 503])
        try await receiver.run { port in
            let review = try Self.fixture(port: port)
            let store = try await review.openStore()
            let repository = try review.repository()
            _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
            let changeSet = try await review.createStackChangeSet(commits: [review.firstCommit], in: store)
            let client = NotificationDispatcher.makeHTTPClient()
            let dispatcher = Self.dispatcher(review, store: store, client: client)

            #expect(try await dispatcher.deliverDue() == 1)
            #expect(receiver.answered == [500])
            var queued = try #require(try await store.notifications(states: [.queued], limit: 10).first)
            #expect(queued.attempts == 1)
            #expect(queued.lastError?.contains("http://127.0.0.1/… answered 500") == true, "\(queued.lastError ?? "")")
            #expect(try await dispatcher.deliverDue() == 0, "nothing is due before the backoff has passed")

            review.clock.advance(by: 30)
            #expect(try await dispatcher.deliverDue() == 1)
            #expect(receiver.answered == [500, 503])
            queued = try #require(try await store.notifications(states: [.queued], limit: 10).first)
            #expect(queued.attempts == 2)
            review.clock.advance(by: 30)
            #expect(try await dispatcher.deliverDue() == 0, "the second wait is twice the first")

            review.clock.advance(by: 31)
            #expect(try await dispatcher.deliverDue() == 1)
            #expect(receiver.answered == [500, 503, 200])
            review.clock.advance(by: 100_000)
            #expect(try await dispatcher.deliverDue() == 0)
            #expect(receiver.answered.count == 3, "delivered once, never again")
            #expect(try await store.notificationBacklog() == 0)
            #expect(try await store.notifications(states: [.delivered], limit: 10).map(\.changeSetID) == [changeSet.id])

            let message = try #require(receiver.delivered.first)
            #expect(message["changeSet"] as? String == changeSet.id)
            #expect(message["stack"] as? String == "web")
            #expect(message["status"] as? String == "PENDING")
            #expect(message["event"] as? String == "pending")
            #expect(message["actor"] as? String == "tollgate")
            #expect(message["url"] as? String == "https://tollgate.example.com/change-sets/\(changeSet.id)")
            let text = try #require(receiver.texts.last)
            #expect(text.contains("<https://tollgate.example.com/change-sets/\(changeSet.id)|\(changeSet.id)>"), "\(text)")
            #expect(text.contains("*web*") && text.contains("PENDING"), "\(text)")
            try await client.shutdown()
            try await store.close()
        }
    }

    @Test("notifications left undelivered when a server stops are delivered by the next one, on a store opened afresh")
    func deliveredAfterRestart() async throws {
        let receiver = NotificationReceiver(script: [502])
        try await receiver.run { port in
            let review = try Self.fixture(port: port)
            let first = try await review.openStore()
            let repository = try review.repository()
            _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: first, actor: "lead")
            let changeSet = try await review.createStackChangeSet(commits: [review.firstCommit], in: first)
            let firstClient = NotificationDispatcher.makeHTTPClient()
            #expect(try await Self.dispatcher(review, store: first, client: firstClient, holder: "before").deliverDue() == 1)
            try await firstClient.shutdown()
            try await first.close()

            review.clock.advance(by: 60)
            let second = try await review.openStore()
            let secondClient = NotificationDispatcher.makeHTTPClient()
            #expect(try await Self.dispatcher(review, store: second, client: secondClient, holder: "after").deliverDue() == 1)
            #expect(receiver.answered == [502, 200])
            #expect(receiver.delivered.map { $0["changeSet"] as? String } == [changeSet.id])
            try await secondClient.shutdown()
            try await second.close()
        }
    }

    @Test("two dispatchers on one PostgreSQL database deliver each of twelve notifications exactly once")
    func twoDispatchersOnePostgres() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { port in
            let review = try Self.fixture(port: port)
            let server = try PostgresServer.shared()
            let location = StoreLocation.postgres(url: server.url(database: try server.makeDatabase()))
            let one = try await location.open(clock: review.clock)
            let two = try await location.open(clock: review.clock)
            let repository = try review.repository()
            _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: one, actor: "lead")
            var commits = [review.firstCommit]
            _ = try await review.createStackChangeSet(commits: commits, in: one)
            for index in 1..<12 {
                try review.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets-\(index)"))
                commits.append(try review.git.commit("bucket \(index)", author: ReviewFixture.outsider))
                _ = try await review.createStackChangeSet(commits: commits, in: one)
            }
            #expect(try await one.notificationBacklog() == 12)

            var settings = NotificationDispatcher.Settings()
            settings.batchSize = 2
            let clientOne = NotificationDispatcher.makeHTTPClient()
            let clientTwo = NotificationDispatcher.makeHTTPClient()
            let dispatchers = [
                Self.dispatcher(review, store: one, client: clientOne, holder: "one", settings: settings),
                Self.dispatcher(review, store: two, client: clientTwo, holder: "two", settings: settings),
            ]
            let attempted = try await withThrowingTaskGroup(of: Int.self) { group in
                for dispatcher in dispatchers {
                    group.addTask { try await dispatcher.deliverDue() }
                }
                return try await group.reduce(0, +)
            }
            #expect(attempted == 12)
            let ids = receiver.delivered.compactMap { ($0["id"] as? NSNumber)?.int64Value }
            #expect(ids.count == 12)
            #expect(Set(ids).count == 12, "no notification was sent twice: \(ids.sorted())")
            #expect(try await one.notifications(states: [.delivered], limit: 20).count == 12)
            try await clientOne.shutdown()
            try await clientTwo.shutdown()
            try await one.close()
            try await two.close()
        }
    }

    @Test("a receiver that hangs times out, one that redirects is not followed, one that answers without end is not read to the end; only the failing ones are retried")
    func hostileReceivers() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { port in
            let review = try Self.fixture(port: port, paths: ["hang", "redirect", "huge"])
            let store = try await review.openStore()
            let repository = try review.repository()
            _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
            _ = try await review.createStackChangeSet(commits: [review.firstCommit], in: store)
            var settings = NotificationDispatcher.Settings()
            // Long enough for a loaded machine to answer on loopback; the hanging receiver never does.
            settings.timeout = .seconds(5)
            let client = NotificationDispatcher.makeHTTPClient(timeout: settings.timeout)
            let dispatcher = Self.dispatcher(review, store: store, client: client, settings: settings)

            #expect(try await dispatcher.deliverDue() == 1)
            let queued = try #require(try await store.notifications(states: [.queued], limit: 1).first)
            let error = queued.lastError ?? ""
            #expect(error.contains("did not answer within"), "\(error)")
            #expect(error.contains("answered 302, a redirect, which is not followed"), "\(error)")
            #expect(!error.contains("huge"), "\(error)")
            #expect(queued.deliveredTo.count == 1, "the endless answer counted as delivered")
            #expect(receiver.elsewhere == 0)
            #expect(receiver.huge == 1)

            review.clock.advance(by: 60)
            #expect(try await dispatcher.deliverDue() == 1)
            #expect(receiver.huge == 1, "a receiver that was told is not told again")
            #expect(receiver.elsewhere == 0)
            try await client.shutdown()
            try await store.close()
        }
    }

    @Test("a notification whose attempts run out is kept as failed, listed, delivered once retried (audited), and deleted after retention")
    func failedKeptAndRetried() async throws {
        let receiver = NotificationReceiver(script: [500, 500])
        try await receiver.run { port in
            let review = try Self.fixture(port: port)
            let store = try await review.openStore()
            let repository = try review.repository()
            _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
            _ = try await review.createStackChangeSet(commits: [review.firstCommit], in: store)
            var settings = NotificationDispatcher.Settings()
            settings.maximumAttempts = 2
            let client = NotificationDispatcher.makeHTTPClient()
            let dispatcher = Self.dispatcher(review, store: store, client: client, settings: settings)
            let outbox = NotificationOutbox(store: store)

            #expect(try await dispatcher.deliverDue() == 1)
            review.clock.advance(by: 30)
            #expect(try await dispatcher.deliverDue() == 1)
            review.clock.advance(by: 100_000)
            #expect(try await dispatcher.deliverDue() == 0, "a failed notification is not retried by itself")
            let failed = try await outbox.list(failedOnly: true)
            #expect(failed.count == 1)
            #expect(failed.first?.lastError?.hasPrefix("after 2 attempts:") == true)
            #expect(try await outbox.backlog() == 0)

            let id = try #require(failed.first?.id)
            _ = try await outbox.retry(id: id, actor: "ops")
            #expect(try await dispatcher.deliverDue() == 1)
            #expect(receiver.answered == [500, 500, 200])
            #expect(try await outbox.list(failedOnly: true).isEmpty)
            let retried = try await store.auditEntries(AuditFilter(actor: "ops"))
            #expect(retried.map(\.action) == [.notificationRetried])
            #expect(retried.first?.details["notification"] == String(id))

            // Retention (30 days by default) deletes the delivered notification once old enough, by the store's clock.
            var keepForever = settings
            keepForever.deliveredRetentionSeconds = nil
            review.clock.advance(by: 29 * 86_400)
            #expect(try await dispatcher.deleteExpired() == 0)
            review.clock.advance(by: 2 * 86_400)
            #expect(try await Self.dispatcher(review, store: store, client: client, settings: keepForever).deleteExpired() == 0)
            #expect(try await outbox.list(failedOnly: false).count == 1)
            #expect(try await dispatcher.deleteExpired() == 1)
            #expect(try await outbox.list(failedOnly: false).isEmpty)
            try await client.shutdown()
            try await store.close()
        }
    }

    @Test("receivers are chosen by event and stack from the policy in force; an event nobody listens to is delivered to nobody")
    func receiversByEventAndStack() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { port in
            let review = try ReviewFixture(extraFiles: ["Policies/notifications.yaml": """
                notifications:
                  - url: http://127.0.0.1:\(port)/hook
                    events: [rejected]
                    stacks: ["web"]
                  - url: http://127.0.0.1:\(port)/hook
                    events: [pending]
                    stacks: ["payments-*"]

                """])
            let store = try await review.openStore()
            let repository = try review.repository()
            _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
            let changeSet = try await review.createStackChangeSet(commits: [review.firstCommit], in: store)
            _ = try await store.transaction {
                try await $0.transition(changeSetID: changeSet.id, to: .rejected, actor: "amara", reason: "<!channel> & friends")
            }
            let client = NotificationDispatcher.makeHTTPClient()
            #expect(try await Self.dispatcher(review, store: store, client: client).deliverDue() == 2)
            #expect(receiver.delivered.map { $0["event"] as? String } == ["rejected"])
            let text = receiver.texts.first
            #expect(text?.contains("&lt;!channel&gt; &amp; friends") == true, "\(text ?? "")")
            #expect(text?.contains("<!channel>") == false)
            #expect(try await store.notifications(states: [.delivered], limit: 10).count == 2)
            try await client.shutdown()
            try await store.close()
        }
    }

    @Test("a notifications.yaml committed but not applied as policy tells nobody: receivers come from the policy in force")
    func onlyThePolicyInForce() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { port in
            let review = try ReviewFixture()
            let store = try await review.openStore()
            let repository = try review.repository()
            _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
            try review.git.write("Policies/notifications.yaml", "notifications:\n  - url: http://127.0.0.1:\(port)/hook\n")
            try review.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets-2"))
            let commit = try review.git.commit("send notifications to me, and change web", author: ReviewFixture.outsider)
            _ = try await review.createStackChangeSet(commits: [review.firstCommit, commit], in: store)
            let client = NotificationDispatcher.makeHTTPClient()
            #expect(try await Self.dispatcher(review, store: store, client: client).deliverDue() == 1)
            #expect(receiver.bodies.isEmpty)
            #expect(try await store.notifications(states: [.delivered], limit: 10).count == 1)
            try await client.shutdown()
            try await store.close()
        }
    }
}

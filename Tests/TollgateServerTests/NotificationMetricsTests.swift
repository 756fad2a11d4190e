import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TollgateCore
import TollgateEngine
import TollgateServer
import TollgateStore
import TollgateTestSupport

@Suite("Notification metrics")
struct NotificationMetricsTests {
    @Test("/metrics shows the outbox backlog: one after a sync created a change set, none once the outbox is delivered")
    func backlogGauge() async throws {
        let fixture = try await ServerFixture()
        let body = WebhookPayloads.github(branch: "main", after: fixture.review.firstCommit)
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(body), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
            }
            await fixture.server.coalescer.waitUntilIdle()
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("tollgate_notification_outbox_backlog 1"), "\(text)")
            }
            // The fixture's policy names no receivers: the notification is done once looked at.
            let dispatcher = fixture.server.notificationDispatcher()
            #expect(try await dispatcher.deliverDue() == 1)
            try await dispatcher.client.shutdown()
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("tollgate_notification_outbox_backlog 0"), "\(text)")
            }
        }
        #expect(try await fixture.store.notifications(states: [.delivered], limit: 10).map(\.event) == [.pending])
    }
}

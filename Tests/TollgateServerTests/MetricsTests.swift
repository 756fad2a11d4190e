import TollgateTestSupport
import TollgateEngine
import TollgateStore
import TollgateCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TollgateServer

@Suite("Metrics")
struct MetricsTests {
    @Test("/metrics counts requests by route and status, their latencies, and syncs by result, in Prometheus text")
    func prometheusText() async throws {
        let fixture = try await ServerFixture()
        let body = WebhookPayloads.github(branch: "main", after: fixture.review.firstCommit)
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(body), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
            }
            await fixture.server.coalescer.waitUntilIdle()
            try await client.execute(uri: "/api/change-sets/cs-00000000", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(text.contains(#"tollgate_http_requests_total{method="POST",route="/hooks/github",status="202"} 1"#), "\(text)")
                #expect(text.contains(#"tollgate_http_requests_total{method="GET",route="/api/change-sets/:id",status="401"} 1"#))
                #expect(text.contains(#"tollgate_http_request_duration_seconds_count{method="POST",route="/hooks/github"} 1"#))
                #expect(text.contains(#"tollgate_syncs_total{result="success"} 1"#))
                #expect(text.contains("tollgate_sync_duration_seconds_count 1"))
            }
        }
    }
}

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

func bearer(_ token: String) -> HTTPFields {
    fields([("Authorization", "Bearer \(token)")])
}

@Suite("API and its bearer tokens")
struct APITests {
    @Test("no token, a malformed header, an unknown, expired or revoked token: 401 with a JSON error naming why")
    func refusedTokens() async throws {
        let fixture = try await ServerFixture()
        let expired = try await fixture.token(lifetime: 60)
        fixture.review.clock.advance(by: 120)
        let revoked = try await fixture.token(for: "bastien")
        _ = try await AccessTokens(store: fixture.store, clock: fixture.review.clock).revoke(id: revoked.record.id, actor: "lead")
        let cases: [(HTTPFields, String, String)] = [
            ([:], "missing_token", "Authorization"),
            (fields([("Authorization", "Basic YW1hcmE6cGFzcw==")]), "missing_token", "Bearer"),
            (bearer("tgt_" + String(repeating: "0", count: 64)), "invalid_token", "not one Tollgate issued"),
            (bearer(expired.token), "invalid_token", "expired"),
            (bearer(revoked.token), "invalid_token", "revoked"),
        ]
        try await fixture.test { client in
            for (headers, code, words) in cases {
                try await client.execute(uri: "/api/stacks", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    #expect(errorCode(response.body) == code)
                    #expect(errorMessage(response.body).contains(words), "\(code): \(errorMessage(response.body))")
                }
            }
        }
    }

    @Test("a token acts only as its reviewer")
    func whoami() async throws {
        let fixture = try await ServerFixture()
        let amara = try await fixture.token(for: "amara")
        let dana = try await fixture.token(for: "dana")
        try await fixture.test { client in
            for (token, reviewer) in [(amara, "amara"), (dana, "dana")] {
                var headers = bearer(token.token)
                headers[HTTPField.Name("X-Tollgate-Reviewer")!] = "bastien"
                try await client.execute(uri: "/api/whoami", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    #expect(jsonObject(response.body)["reviewer"] as? String == reviewer)
                    #expect(jsonObject(response.body)["token"] as? String == token.record.id)
                }
            }
        }
    }

    @Test("a token is issued only to a reviewer of the policy in force, and the store keeps only its hash")
    func issuing() async throws {
        let fixture = try await ServerFixture()
        await #expect(throws: AccessTokenError.unknownReviewer("mallory", known: ["amara", "bastien", "dana"])) {
            try await fixture.token(for: "mallory")
        }
        let issued = try await fixture.token()
        let stored = try await fixture.store.accessTokens()
        #expect(stored.map(\.id) == [issued.record.id])
        #expect(stored.first?.tokenSHA256 != issued.token)
        #expect(stored.first?.tokenSHA256.count == 64)
        let trail = try await fixture.store.auditEntries(AuditFilter())
        #expect(trail.contains { $0.action == .tokenIssued && $0.details["reviewer"] == "amara" && $0.details["token"] == issued.record.id })
        #expect(!trail.contains { $0.details.values.contains(issued.token) })
    }

    @Test("GET /api/stacks is status --json; ?q= keeps the names containing the text")
    func stacks() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token()
        _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
        let report = try await StatusReader(store: fixture.store, clock: fixture.review.clock)
            .report(repository: try fixture.review.repository(), matching: nil)
        let expected = canonicalJSON(try WireJSON.encoder().encode(report))
        try await fixture.test { client in
            try await client.execute(uri: "/api/stacks", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(canonicalJSON(Data(Array(response.body.readableBytesView))) == expected)
                let body = jsonObject(response.body)
                let stacks = body["stacks"] as? [[String: Any]] ?? []
                #expect(stacks.map { $0["stack"] as? String } == ["web"])
                #expect(stacks.first?["status"] as? String == "PENDING")
            }
            try await client.execute(uri: "/api/stacks?q=we", method: .get, headers: bearer(token.token)) { response in
                #expect((jsonObject(response.body)["stacks"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/api/stacks?q=nothing-like-it", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                #expect((jsonObject(response.body)["stacks"] as? [Any])?.count == 0)
            }
        }
    }

    @Test("GET /api/change-sets/{id} is show --json; an unknown id is 404, a malformed one 400")
    func changeSet() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token()
        _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
        let record = try #require(try await fixture.openChangeSets().first)
        let view = ChangeSetJSON(try await ReviewService(store: fixture.store).view(changeSetID: record.id, repository: try fixture.review.repository()))
        let expected = canonicalJSON(try WireJSON.encoder().encode(view))
        try await fixture.test { client in
            try await client.execute(uri: "/api/change-sets/\(record.id)", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                #expect(canonicalJSON(Data(Array(response.body.readableBytesView))) == expected)
                let body = jsonObject(response.body)
                #expect(body["digest"] as? String == record.digest)
                #expect((body["commits"] as? [[String: Any]])?.first?["author"] as? String == "Carol Outsider")
            }
            try await client.execute(uri: "/api/change-sets/cs-00000000", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .notFound)
                #expect(errorMessage(response.body).contains("cs-00000000"))
            }
            try await client.execute(uri: "/api/change-sets/cs%20%3Cscript%3E", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .badRequest)
                #expect(errorCode(response.body) == "invalid_id")
            }
        }
    }

    @Test("path traversal in any URL is 400 before any route or token check", arguments: [
        "/api/change-sets/..%2F..%2Fetc%2Fpasswd", "/api/../etc/passwd", "/hooks/%2e%2e/%2e%2e/etc/passwd",
        "/api/change-sets/cs-1%00", "/api/change-sets/..%5C..%5Cwindows", "/api/./stacks",
    ])
    func traversal(_ path: String) async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(errorCode(response.body) == "bad_path")
            }
        }
    }

    @Test("GET /api/audit?since= filters by time; a bad since is 400 naming it")
    func audit() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token()
        try await fixture.test { client in
            try await client.execute(uri: "/api/audit?since=2000-01-01", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                let data = Data(Array(response.body.readableBytesView))
                let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
                #expect(entries.contains { $0["action"] as? String == "token.issued" })
                #expect(entries.contains { $0["action"] as? String == "policy.revision_recorded" })
            }
            try await client.execute(uri: "/api/audit?since=2999-01-01T00:00:00Z", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "[]")
            }
            try await client.execute(uri: "/api/audit?since=yesterday", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .badRequest)
                #expect(errorMessage(response.body).contains("since=yesterday"))
            }
        }
    }

    @Test("unknown paths are 404 with a JSON body; healthz and readyz answer without a token")
    func healthAndUnknown() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/no/such/thing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(errorCode(response.body) == "not_found")
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] != nil)
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ready"}"#)
            }
            try FileManager.default.removeItem(atPath: fixture.review.git.path + "/.git")
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(errorCode(response.body) == "repository_unreadable")
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}

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

/// Deliveries signed as each git host signs them, with their payload shapes.
enum SignedDelivery {
    static func github(_ body: String, id: String = UUID().uuidString, secret: String = ServerFixture.githubSecret, event: String = "push") -> HTTPFields {
        fields([
            ("Content-Type", "application/json"), ("X-GitHub-Event", event), ("X-GitHub-Delivery", id),
            ("X-Hub-Signature-256", "sha256=" + WebhookSignature.hmacSHA256Hex(body: Array(body.utf8), secret: secret)),
            ("User-Agent", "GitHub-Hookshot/abc1234"),
        ])
    }

    static func gitlab(id: String = UUID().uuidString, token: String = ServerFixture.gitlabToken) -> HTTPFields {
        fields([
            ("Content-Type", "application/json"), ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Event-UUID", id),
            ("X-Gitlab-Token", token), ("X-Gitlab-Instance", "https://gitlab.example.com"), ("User-Agent", "GitLab/17.0.0"),
        ])
    }

    static func bitbucket(_ body: String, id: String = UUID().uuidString, secret: String = ServerFixture.bitbucketSecret) -> HTTPFields {
        fields([
            ("Content-Type", "application/json"), ("X-Event-Key", "repo:push"), ("X-Request-UUID", id),
            ("X-Hub-Signature", "sha256=" + WebhookSignature.hmacSHA256Hex(body: Array(body.utf8), secret: secret)),
            ("User-Agent", "Bitbucket-Webhooks/2.0"),
        ])
    }
}

@Suite("Webhooks")
struct WebhookTests {
    @Test("a signed GitHub push to main syncs: the web stack gets its change set and the cursor reaches the tip")
    func githubPushSyncs() async throws {
        let fixture = try await ServerFixture()
        let tip = try fixture.review.git.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let body = WebhookPayloads.github(branch: "main", after: tip)
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(body), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
                #expect(jsonObject(response.body)["status"] as? String == "accepted")
            }
        }
        await fixture.server.coalescer.waitUntilIdle()
        #expect(try await fixture.openChangeSets().map(\.targetCommit) == [tip])
        #expect(try await fixture.store.scanCursor(branch: "main") == tip)
        #expect(await fixture.server.coalescer.failedRuns == 0)
    }

    @Test("a missing or wrong signature is 401 and does nothing", arguments: [
        ("missing", nil as String?), ("wrong secret", "not the secret"), ("empty", ""),
    ])
    func githubBadSignature(_ name: String, _ secret: String?) async throws {
        let fixture = try await ServerFixture()
        let body = WebhookPayloads.github(branch: "main", after: fixture.review.firstCommit)
        var headers = SignedDelivery.github(body, secret: secret ?? "x")
        if secret == nil { headers[HTTPField.Name("X-Hub-Signature-256")!] = nil }
        if secret == "" { headers[HTTPField.Name("X-Hub-Signature-256")!] = "" }
        let sent = headers
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: sent, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .unauthorized, "\(name)")
                #expect(errorCode(response.body) == "invalid_signature")
                #expect(errorMessage(response.body).contains("X-Hub-Signature-256"))
            }
        }
        await fixture.server.coalescer.waitUntilIdle()
        #expect(await fixture.server.coalescer.completedRuns == 0)
        #expect(try await fixture.store.scanCursor(branch: "main") == nil)
    }

    @Test("a body signed for other content is refused: the signature covers the raw bytes")
    func tamperedBody() async throws {
        let fixture = try await ServerFixture()
        let signed = WebhookPayloads.github(branch: "feature", after: fixture.review.firstCommit)
        let sent = WebhookPayloads.github(branch: "main", after: fixture.review.firstCommit)
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(signed), body: ByteBuffer(string: sent)) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(await fixture.server.coalescer.completedRuns == 0)
    }

    @Test("an endpoint with no secret configured refuses every delivery with 403, even a correctly signed one")
    func noSecretConfigured() async throws {
        let fixture = try await ServerFixture(secrets: WebhookSecrets(github: nil, gitlab: nil, bitbucket: nil))
        let body = WebhookPayloads.github(branch: "main", after: fixture.review.firstCommit)
        try await fixture.test { client in
            for (uri, headers) in [("/hooks/github", SignedDelivery.github(body, secret: "")), ("/hooks/gitlab", SignedDelivery.gitlab(token: "")),
                                   ("/hooks/bitbucket", SignedDelivery.bitbucket(body, secret: ""))] {
                try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                    #expect(errorCode(response.body) == "webhook_disabled")
                    #expect(errorMessage(response.body).contains("TOLLGATE_"))
                }
            }
        }
        #expect(await fixture.server.coalescer.completedRuns == 0)
    }

    @Test("a repeated delivery id changes nothing: 200 with 'duplicate', no second sync")
    func replayedDelivery() async throws {
        let fixture = try await ServerFixture()
        let body = WebhookPayloads.github(branch: "main", after: fixture.review.firstCommit)
        let headers = SignedDelivery.github(body, id: "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
            }
            await fixture.server.coalescer.waitUntilIdle()
            // A new commit arrives; a replay of the old delivery must not sync it.
            try fixture.commitWebChange("replayed-bucket")
            try await client.execute(uri: "/hooks/github", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(jsonObject(response.body)["status"] as? String == "duplicate")
            }
        }
        await fixture.server.coalescer.waitUntilIdle()
        #expect(await fixture.server.coalescer.completedRuns == 1)
        #expect(try await fixture.openChangeSets().map(\.targetCommit) == [fixture.review.firstCommit])
    }

    @Test("a push to another branch, a deleted branch, a tag or a ping is ignored with 202 and a reason")
    func otherBranchesIgnored() async throws {
        let fixture = try await ServerFixture()
        let commit = fixture.review.firstCommit
        let feature = WebhookPayloads.github(branch: "feature/x", after: commit)
        let deleted = WebhookPayloads.github(branch: "main", after: commit, deleted: true)
        let tag = WebhookPayloads.github(branch: "main", after: commit).replacingOccurrences(of: "refs/heads/main", with: "refs/tags/v1")
        let bitbucketDeleted = WebhookPayloads.bitbucket(branch: nil, after: commit)
        try await fixture.test { client in
            for (body, expected) in [(feature, "'feature/x'"), (deleted, "no branch"), (tag, "no branch")] {
                try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(body), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .accepted)
                    let answer = jsonObject(response.body)
                    #expect(answer["status"] as? String == "ignored")
                    #expect((answer["reason"] as? String ?? "").contains(expected))
                }
            }
            let ping = #"{"zen":"Keep it logically awesome.","hook_id":1}"#
            try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(ping, event: "ping"), body: ByteBuffer(string: ping)) { response in
                #expect(response.status == .accepted)
                #expect((jsonObject(response.body)["reason"] as? String ?? "").contains("ping"))
            }
            try await client.execute(uri: "/hooks/bitbucket", method: .post, headers: SignedDelivery.bitbucket(bitbucketDeleted), body: ByteBuffer(string: bitbucketDeleted)) { response in
                #expect(response.status == .accepted)
                #expect(jsonObject(response.body)["status"] as? String == "ignored")
            }
        }
        await fixture.server.coalescer.waitUntilIdle()
        #expect(await fixture.server.coalescer.completedRuns == 0)
        #expect(try await fixture.store.scanCursor(branch: "main") == nil)
    }

    @Test("GitLab: the exact token syncs, any other token is 401")
    func gitlab() async throws {
        let fixture = try await ServerFixture()
        let body = WebhookPayloads.gitlab(branch: "main", after: fixture.review.firstCommit)
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/gitlab", method: .post, headers: SignedDelivery.gitlab(token: "gl-token-for-test"), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .unauthorized)
                #expect(errorMessage(response.body).contains("X-Gitlab-Token"))
            }
            try await client.execute(uri: "/hooks/gitlab", method: .post, headers: SignedDelivery.gitlab(), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
            }
        }
        await fixture.server.coalescer.waitUntilIdle()
        #expect(await fixture.server.coalescer.completedRuns == 1)
        #expect(try await fixture.openChangeSets().count == 1)
    }

    @Test("Bitbucket: sha256= over the raw body syncs, a wrong secret is 401")
    func bitbucket() async throws {
        let fixture = try await ServerFixture()
        let body = WebhookPayloads.bitbucket(branch: "main", after: fixture.review.firstCommit)
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/bitbucket", method: .post, headers: SignedDelivery.bitbucket(body, secret: "wrong"), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/hooks/bitbucket", method: .post, headers: SignedDelivery.bitbucket(body), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
            }
        }
        await fixture.server.coalescer.waitUntilIdle()
        #expect(await fixture.server.coalescer.completedRuns == 1)
        #expect(try await fixture.openChangeSets().count == 1)
    }

    @Test("bad input: an oversized body is 413, a form body 415, a broken payload 400, no delivery id 400; nothing syncs")
    func badInput() async throws {
        let fixture = try await ServerFixture()
        let big = String(repeating: " ", count: (1 << 20) + 1)
        let valid = WebhookPayloads.github(branch: "main", after: fixture.review.firstCommit)
        var form = SignedDelivery.github(valid)
        form[.contentType] = "application/x-www-form-urlencoded"
        let broken = #"{"ref": 42}"#
        var withoutID = SignedDelivery.github(valid)
        withoutID[HTTPField.Name("X-GitHub-Delivery")!] = nil
        let noID = withoutID
        let formHeaders = form
        try await fixture.test { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(big), body: ByteBuffer(string: big)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(errorCode(response.body) == "body_too_large")
            }
            try await client.execute(uri: "/hooks/github", method: .post, headers: formHeaders, body: ByteBuffer(string: valid)) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(errorMessage(response.body).contains("application/json"))
            }
            try await client.execute(uri: "/hooks/github", method: .post, headers: SignedDelivery.github(broken), body: ByteBuffer(string: broken)) { response in
                #expect(response.status == .badRequest)
                #expect(errorMessage(response.body).contains("field ref"))
            }
            try await client.execute(uri: "/hooks/github", method: .post, headers: noID, body: ByteBuffer(string: valid)) { response in
                #expect(response.status == .badRequest)
                #expect(errorMessage(response.body).contains("X-GitHub-Delivery"))
            }
            try await client.execute(uri: "/hooks/github", method: .get) { response in
                #expect(response.status == .notFound || response.status == .methodNotAllowed)
                #expect(errorCode(response.body) != nil)
            }
        }
        #expect(await fixture.server.coalescer.completedRuns == 0)
    }
}

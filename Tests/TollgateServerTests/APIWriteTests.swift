import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TollgateCore
import TollgateEngine
@testable import TollgateServer
import TollgateStore
import TollgateTestSupport

/// Headers of a JSON request authenticated by `token`.
func jsonRequest(_ token: String, contentType: String = "application/json") -> HTTPFields {
    fields([("Authorization", "Bearer \(token)"), ("Content-Type", contentType)])
}

/// A JSON body from a dictionary of strings.
func jsonBody(_ object: [String: String]) -> ByteBuffer {
    ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
}

/// A server whose `web` stack has one change set waiting for review.
func serverWithPendingChangeSet(extraFiles: [String: String] = [:]) async throws -> (ServerFixture, ChangeSetRecord) {
    let fixture = try await ServerFixture(extraFiles: extraFiles)
    _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
    let record = try #require(try await fixture.openChangeSets().first)
    return (fixture, record)
}

@Suite("API: verdicts, cancels and applies")
struct APIWriteTests {
    @Test("approving with a real ssh-keygen signature records it as the token's reviewer and moves the change set to APPROVED")
    func approve() async throws {
        let (fixture, record) = try await serverWithPendingChangeSet()
        let token = try await fixture.token(for: "amara")
        try await fixture.test { client in
            var text = ""
            try await client.execute(uri: "/api/change-sets/\(record.id)/approval-text?verdict=approve", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                text = String(buffer: response.body)
            }
            #expect(text == record.approvalText(for: .approve))
            let signature = try fixture.review.signatureText(of: text, as: "amara")
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/approvals", method: .post, headers: jsonRequest(token.token),
                body: jsonBody(["verdict": "approve", "signature": signature])
            ) { response in
                #expect(response.status == .created)
                let body = jsonObject(response.body)
                #expect(body["status"] as? String == "APPROVED")
                #expect(body["reviewer"] as? String == "amara")
                #expect(response.headers[.location] == "/api/change-sets/\(record.id)")
            }
            try await client.execute(uri: "/api/change-sets/\(record.id)", method: .get, headers: bearer(token.token)) { response in
                let approvals = jsonObject(response.body)["approvals"] as? [[String: Any]] ?? []
                #expect(approvals.map { $0["reviewer"] as? String } == ["amara"])
                #expect(approvals.first?["signature"] as? String == signature)
            }
            try await client.execute(uri: "/api/change-sets/\(record.id)/explanation", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                let body = jsonObject(response.body)
                #expect(body["status"] as? String == "APPROVED")
                #expect((body["review"] as? [String: Any])?["status"] as? String == "APPROVED")
            }
        }
        #expect(try await fixture.store.changeSet(id: record.id).status == .approved)
    }

    @Test("a verdict the policy does not let the reviewer give is 403; a rejection with a reason moves the change set to REJECTED")
    func reject() async throws {
        let (fixture, record) = try await serverWithPendingChangeSet()
        let dana = try await fixture.token(for: "dana")
        let bastien = try await fixture.token(for: "bastien")
        try await fixture.test { client in
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/approvals", method: .post, headers: jsonRequest(dana.token),
                body: jsonBody(["verdict": "approve", "signature": try fixture.review.signatureText(of: record.approvalText(for: .approve), as: "dana")])
            ) { response in
                #expect(response.status == .forbidden)
                #expect(errorMessage(response.body).contains("would not count"))
            }
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/approvals", method: .post, headers: jsonRequest(bastien.token),
                body: jsonBody([
                    "verdict": "reject", "reason": "the bucket name breaks the CDN",
                    "signature": try fixture.review.signatureText(of: record.approvalText(for: .approve), as: "bastien"),
                ])
            ) { response in
                #expect(response.status == .forbidden)
                #expect(errorMessage(response.body).contains("not to reject"))
            }
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/approvals", method: .post, headers: jsonRequest(bastien.token),
                body: jsonBody([
                    "verdict": "reject", "reason": "the bucket name breaks the CDN",
                    "signature": try fixture.review.signatureText(of: record.approvalText(for: .reject), as: "bastien"),
                ])
            ) { response in
                #expect(response.status == .created)
                #expect(jsonObject(response.body)["status"] as? String == "REJECTED")
            }
        }
        let approvals = try await fixture.store.approvals(changeSetID: record.id)
        #expect(approvals.map(\.reviewer) == ["bastien"])
        #expect(approvals.first?.reason == "the bucket name breaks the CDN")
    }

    @Test("a signature made with another reviewer's key is 403 and records nothing")
    func anotherReviewersKey() async throws {
        let (fixture, record) = try await serverWithPendingChangeSet()
        let token = try await fixture.token(for: "amara")
        let signature = try fixture.review.signatureText(of: record.approvalText(for: .approve), as: "bastien")
        try await fixture.test { client in
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/approvals", method: .post, headers: jsonRequest(token.token),
                body: jsonBody(["verdict": "approve", "signature": signature])
            ) { response in
                #expect(response.status == .forbidden)
                #expect(errorCode(response.body) == "refused")
                #expect(errorMessage(response.body).contains("bastien"))
                #expect(errorMessage(response.body).contains("amara"))
            }
        }
        #expect(try await fixture.store.approvals(changeSetID: record.id).isEmpty)
        #expect(try await fixture.store.changeSet(id: record.id).status == .pending)
        #expect(!(try await fixture.store.auditEntries(AuditFilter(changeSetID: record.id))).contains { $0.actor == "bastien" })
    }

    @Test("an expired or revoked token is 401 on a write, and nothing is recorded")
    func refusedTokenOnWrite() async throws {
        let (fixture, record) = try await serverWithPendingChangeSet()
        let expired = try await fixture.token(for: "amara", lifetime: 60)
        let revoked = try await fixture.token(for: "amara")
        _ = try await AccessTokens(store: fixture.store, clock: fixture.review.clock).revoke(id: revoked.record.id, actor: "lead")
        fixture.review.clock.advance(by: 120)
        let signature = try fixture.review.signatureText(of: record.approvalText(for: .approve), as: "amara")
        try await fixture.test { client in
            for token in [expired, revoked] {
                for path in ["approvals", "apply", "cancel"] {
                    try await client.execute(
                        uri: "/api/change-sets/\(record.id)/\(path)", method: .post, headers: jsonRequest(token.token),
                        body: jsonBody(["verdict": "approve", "signature": signature, "reason": "no"])
                    ) { response in
                        #expect(response.status == .unauthorized, "\(path)")
                        #expect(errorCode(response.body) == "invalid_token")
                    }
                }
            }
        }
        #expect(try await fixture.store.approvals(changeSetID: record.id).isEmpty)
        #expect(try await fixture.store.changeSet(id: record.id).status == .pending)
    }

    @Test("an unknown id is 404 on every change set route")
    func unknownID() async throws {
        let (fixture, _) = try await serverWithPendingChangeSet()
        let token = try await fixture.token()
        try await fixture.test { client in
            for (path, method) in [
                ("change-sets/cs-00000000/explanation", HTTPRequest.Method.get), ("change-sets/cs-00000000/approval-text", .get),
                ("change-sets/cs-00000000/approvals", .post), ("change-sets/cs-00000000/apply", .post),
                ("change-sets/cs-00000000/cancel", .post), ("executions/ex-00000000", .get),
            ] {
                let signature = try fixture.review.signatureText(of: "anything", as: "amara")
                try await client.execute(
                    uri: "/api/\(path)", method: method, headers: jsonRequest(token.token),
                    body: jsonBody(["verdict": "approve", "signature": signature, "reason": "gone"])
                ) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(errorCode(response.body) == "not_found")
                    #expect(errorMessage(response.body).contains("-00000000"))
                }
            }
        }
    }

    @Test("a malformed body is 400, a wrong content type 415, an oversized body 413, a missing field 422; nothing is recorded")
    func badBodies() async throws {
        let (fixture, record) = try await serverWithPendingChangeSet()
        let token = try await fixture.token()
        let signature = try fixture.review.signatureText(of: record.approvalText(for: .approve), as: "amara")
        let huge = String(repeating: "A", count: 200 * 1024)
        let cases: [(String, ByteBuffer, HTTPResponse.Status, String)] = [
            ("application/json", ByteBuffer(string: "{\"verdict\": \"approve\", "), .badRequest, "invalid_json"),
            ("application/json", ByteBuffer(string: "[1, 2]"), .badRequest, "invalid_json"),
            ("text/plain", jsonBody(["verdict": "approve", "signature": signature]), .unsupportedMediaType, "unsupported_media_type"),
            ("application/x-www-form-urlencoded", ByteBuffer(string: "verdict=approve"), .unsupportedMediaType, "unsupported_media_type"),
            ("application/json", jsonBody(["verdict": "approve", "signature": huge]), .contentTooLarge, "body_too_large"),
            ("application/json", jsonBody(["verdict": "approve"]), .unprocessableContent, "invalid_body"),
            ("application/json", jsonBody(["verdict": "maybe", "signature": signature]), .badRequest, "invalid_verdict"),
            ("application/json", jsonBody(["verdict": "approve", "signature": "not a signature"]), .unprocessableContent, "invalid_signature"),
        ]
        try await fixture.test { client in
            for (contentType, body, status, code) in cases {
                try await client.execute(
                    uri: "/api/change-sets/\(record.id)/approvals", method: .post, headers: jsonRequest(token.token, contentType: contentType), body: body
                ) { response in
                    #expect(response.status == status, "\(code)")
                    #expect(errorCode(response.body) == code, "\(errorMessage(response.body))")
                }
            }
        }
        #expect(try await fixture.store.approvals(changeSetID: record.id).isEmpty)
    }

    @Test(
        "a verdict outside approve and reject is 400 naming the field verdict; a missing signature is still reported first",
        arguments: [
            (["verdict": "maybe", "signature": "x"], HTTPResponse.Status.badRequest,
             #"{"error":{"code":"invalid_verdict","message":"The field verdict is 'maybe'; write approve or reject.","status":400}}"#),
            (["verdict": "APPROVE", "signature": "x"], .badRequest,
             #"{"error":{"code":"invalid_verdict","message":"The field verdict is 'APPROVE'; write approve or reject.","status":400}}"#),
            (["verdict": "", "signature": "x"], .badRequest,
             #"{"error":{"code":"invalid_verdict","message":"The field verdict is ''; write approve or reject.","status":400}}"#),
            (["verdict": "maybe"], .unprocessableContent,
             #"{"error":{"code":"invalid_body","message":"The body has no field signature, which this endpoint needs.","status":422}}"#),
        ])
    func badVerdict(body: [String: String], status: HTTPResponse.Status, answer: String) async throws {
        let (fixture, record) = try await serverWithPendingChangeSet()
        let token = try await fixture.token()
        try await fixture.test { client in
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/approvals", method: .post, headers: jsonRequest(token.token), body: jsonBody(body)
            ) { response in
                #expect(response.status == status)
                #expect(String(buffer: response.body) == answer)
            }
        }
        #expect(try await fixture.store.approvals(changeSetID: record.id).isEmpty)
        #expect(try await fixture.store.changeSet(id: record.id).status == .pending)
    }

    @Test("applying a change set that is not approved is 409 with the engine's reason, and starts nothing")
    func applyNotApproved() async throws {
        let (fixture, record) = try await serverWithPendingChangeSet()
        let token = try await fixture.token()
        try await fixture.test { client in
            try await client.execute(uri: "/api/change-sets/\(record.id)/apply", method: .post, headers: bearer(token.token)) { response in
                #expect(response.status == .conflict)
                #expect(errorCode(response.body) == "conflict")
                #expect(errorMessage(response.body).contains("only an APPROVED change set is applied"))
            }
        }
        #expect(try await fixture.store.executions(changeSetID: record.id).isEmpty)
    }

    @Test("an apply through the API runs in the server, answers 202 with the execution's Location, and ends APPLIED")
    func applyThroughAPI() async throws {
        let (fixture, record) = try await serverWithPendingChangeSet()
        let token = try await fixture.token(for: "amara")
        _ = try await ReviewService(store: fixture.store, clock: fixture.review.clock).record(
            .approve, changeSetID: record.id, signature: try fixture.review.sign(record, as: "amara"), repository: try fixture.review.repository())
        try await fixture.test { client in
            var location = ""
            var executionID = ""
            try await client.execute(uri: "/api/change-sets/\(record.id)/apply", method: .post, headers: bearer(token.token)) { response in
                #expect(response.status == .accepted)
                let body = jsonObject(response.body)
                executionID = body["execution"] as? String ?? ""
                location = response.headers[.location] ?? ""
                #expect(location == "/api/executions/\(executionID)")
                #expect(body["location"] as? String == location)
            }
            await fixture.server.applies.waitForEnd(ofExecution: executionID)
            try await client.execute(uri: location, method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                let body = jsonObject(response.body)
                #expect(body["result"] as? String == "SUCCEEDED")
                #expect(body["changeSet"] as? String == record.id)
                #expect(body["finishedAt"] is String)
            }
            try await client.execute(uri: "/api/change-sets/\(record.id)", method: .get, headers: bearer(token.token)) { response in
                let body = jsonObject(response.body)
                #expect(body["status"] as? String == "APPLIED")
                #expect((body["executions"] as? [[String: Any]])?.map { $0["actor"] as? String } == ["amara"])
            }
            try await client.execute(uri: "/api/change-sets/\(record.id)/apply", method: .post, headers: bearer(token.token)) { response in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"tollgate_applies_total{outcome="APPLIED"} 1"#), "\(text)")
                #expect(text.contains(#"tollgate_applies_total{outcome="refused"} 1"#))
                #expect(text.contains(#"tollgate_http_requests_total{method="POST",route="/api/change-sets/:id/apply",status="202"} 1"#))
            }
        }
        #expect(try await fixture.store.changeSet(id: record.id).status == .applied)
    }

    @Test("GET of an execution with ?wait answers once the apply has ended, not before; a wait that is not 0 to 60 seconds is 400 naming it")
    func waitForExecution() async throws {
        let (fixture, record, token, release) = try await serverWithHeldApply()
        try await fixture.test { client in
            let executionID = try await client.execute(uri: "/api/change-sets/\(record.id)/apply", method: .post, headers: bearer(token.token)) { response in
                jsonObject(response.body)["execution"] as? String ?? ""
            }
            for wait in ["61", "-1", "soon", "nan", "1e400"] {
                try await client.execute(uri: "/api/executions/\(executionID)?wait=\(wait)", method: .get, headers: bearer(token.token)) { response in
                    #expect(response.status == .badRequest)
                    #expect(errorCode(response.body) == "invalid_wait")
                    #expect(errorMessage(response.body).contains("wait="), "\(errorMessage(response.body))")
                }
            }
            try await client.execute(uri: "/api/executions/\(executionID)?wait=0", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                #expect(jsonObject(response.body)["finishedAt"] == nil, "still applying")
            }
            let answer = try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask {
                    try await client.execute(uri: "/api/executions/\(executionID)?wait=30", method: .get, headers: bearer(token.token)) { response in
                        #expect(response.status == .ok)
                        return String(buffer: response.body)
                    }
                }
                group.addTask {
                    // The provider ends only once the request waits (or has answered, wrongly at
                    // once), so that an answer given before the end shows.
                    while fixture.server.applies.waiters(ofExecution: executionID) == 0, !Task.isCancelled { await Task.yield() }
                    release.yield()
                    return nil
                }
                var answer: String?
                while let next = try await group.next() {
                    if let next {
                        answer = next
                        group.cancelAll()
                    }
                }
                return answer ?? ""
            }
            let body = jsonObject(ByteBuffer(string: answer))
            #expect(body["result"] as? String == "SUCCEEDED", "\(answer)")
            #expect(body["finishedAt"] is String)
        }
    }

    @Test("POST apply with ?wait answers 200 with the execution once it has ended within the wait, or 202 as without it once the wait is over")
    func applyAndWait() async throws {
        let (fixture, record, token, release) = try await serverWithHeldApply()
        let store = fixture.store
        try await fixture.test { client in
            let answer = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String, String?)?.self) { group in
                group.addTask {
                    try await client.execute(uri: "/api/change-sets/\(record.id)/apply?wait=30", method: .post, headers: bearer(token.token)) { response in
                        (response.status, String(buffer: response.body), response.headers[.location])
                    }
                }
                group.addTask {
                    // Released once the request waits for the execution it started (or has answered).
                    while !Task.isCancelled {
                        if let started = try await store.executions(changeSetID: record.id).first,
                            fixture.server.applies.waiters(ofExecution: started.id) > 0 { break }
                        await Task.yield()
                    }
                    release.yield()
                    return nil
                }
                var answer: (HTTPResponse.Status, String, String?)?
                while let next = try await group.next() {
                    if let next {
                        answer = next
                        group.cancelAll()
                    }
                }
                return try #require(answer)
            }
            #expect(answer.0 == .ok, "\(answer.1)")
            let body = jsonObject(ByteBuffer(string: answer.1))
            #expect(body["result"] as? String == "SUCCEEDED")
            #expect(body["finishedAt"] is String)
            #expect(answer.2 == "/api/executions/\(body["id"] as? String ?? "")")
            #expect(try await store.changeSet(id: record.id).status == .applied)

            // A wait shorter than the apply: answered 202 as without one.
            try fixture.commitWebChange("web-assets-wait")
            _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: store, actor: "tollgate").sync()
            let next = try #require(try await fixture.openChangeSets().first)
            for reviewer in ["amara", "bastien"] {
                _ = try await ReviewService(store: store, clock: fixture.review.clock).record(
                    .approve, changeSetID: next.id, signature: try fixture.review.sign(next, as: reviewer), repository: try fixture.review.repository())
            }
            let executionID = try await client.execute(uri: "/api/change-sets/\(next.id)/apply?wait=0.05", method: .post, headers: bearer(token.token)) { response in
                #expect(response.status == .accepted, "\(String(buffer: response.body))")
                return jsonObject(response.body)["execution"] as? String ?? ""
            }
            release.yield()
            await fixture.server.applies.waitForEnd(ofExecution: executionID)
        }
    }

    @Test("cancel with a reason is recorded as the token's reviewer; under operators-must-sign it needs that reviewer's signature")
    func cancel() async throws {
        let (fixture, record) = try await serverWithPendingChangeSet()
        let token = try await fixture.token(for: "dana")
        try await fixture.test { client in
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/cancel", method: .post, headers: jsonRequest(token.token), body: jsonBody(["reason": ""])
            ) { response in
                #expect(response.status == .badRequest)
                #expect(errorCode(response.body) == "invalid_reason")
            }
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/cancel", method: .post, headers: jsonRequest(token.token),
                body: jsonBody(["reason": "superseded by the next release"])
            ) { response in
                #expect(response.status == .ok)
                #expect(jsonObject(response.body)["status"] as? String == "CANCELLED")
            }
        }
        let entries = try await fixture.store.auditEntries(AuditFilter(changeSetID: record.id))
        #expect(entries.last?.actor == "dana")
        #expect(try await fixture.store.changeSet(id: record.id).status == .cancelled)
    }

    @Test("under operators-must-sign a cancel needs the token reviewer's own signature of the cancel text")
    func signedCancel() async throws {
        let approvals = ReviewFixture.approvals + "operators-must-sign: true\n"
        let (fixture, record) = try await serverWithPendingChangeSet(extraFiles: ["Policies/approvals.yaml": approvals])
        let token = try await fixture.token(for: "dana")
        let reason = "the release is postponed"
        try await fixture.test { client in
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/cancel", method: .post, headers: jsonRequest(token.token), body: jsonBody(["reason": reason])
            ) { response in
                #expect(response.status == .forbidden)
                #expect(errorMessage(response.body).contains("must be signed"))
            }
            var text = ""
            let query = reason.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            try await client.execute(uri: "/api/change-sets/\(record.id)/cancel-text?reason=\(query)", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
                text = String(buffer: response.body)
            }
            let others = try fixture.review.signatureText(of: text, as: "amara")
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/cancel", method: .post, headers: jsonRequest(token.token),
                body: jsonBody(["reason": reason, "signature": others])
            ) { response in
                #expect(response.status == .forbidden)
                #expect(errorMessage(response.body).contains("amara"))
            }
            #expect(try await fixture.store.changeSet(id: record.id).status == .pending)
            let own = try fixture.review.signatureText(of: text, as: "dana")
            try await client.execute(
                uri: "/api/change-sets/\(record.id)/cancel", method: .post, headers: jsonRequest(token.token),
                body: jsonBody(["reason": reason, "signature": own])
            ) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(try await fixture.store.changeSet(id: record.id).status == .cancelled)
    }
}

/// A server whose applies end only when the returned continuation yields, and an approved
/// change set of stack web with a token for its approver.
func serverWithHeldApply() async throws -> (ServerFixture, ChangeSetRecord, IssuedAccessToken, AsyncStream<Void>.Continuation) {
    let (released, release) = AsyncStream<Void>.makeStream()
    let fixture = try await ServerFixture(providers: ProviderFactory { _, _ in HeldProvider(released: released) })
    _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
    let record = try #require(try await fixture.openChangeSets().first)
    let token = try await fixture.token(for: "amara")
    _ = try await ReviewService(store: fixture.store, clock: fixture.review.clock).record(
        .approve, changeSetID: record.id, signature: try fixture.review.sign(record, as: "amara"), repository: try fixture.review.repository())
    return (fixture, record, token, release)
}

/// A provider that succeeds once `released` yields, so that a test decides when an apply ends.
struct HeldProvider: Provider {
    let released: AsyncStream<Void>

    func apply(_ request: DeploymentRequest, progress: ProviderProgress) async throws -> ProviderOutcome {
        for await _ in released { break }
        return ProviderOutcome(succeeded: true, output: "released")
    }
}

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

/// `POST /api/change-sets/{id}/session-approval` with `token`, and `body` (none by default) sent as `contentType`.
private func postSessionApproval(
    _ client: any TestClientProtocol, _ id: String, token: String, body: ByteBuffer? = nil, contentType: String = "application/json",
    _ check: @escaping @Sendable (TestResponse) throws -> Void
) async throws {
    let headers = body == nil ? bearer(token) : jsonRequest(token, contentType: contentType)
    try await client.execute(uri: "/api/change-sets/\(id)/session-approval", method: .post, headers: headers, body: body) { try check($0) }
}

/// Nothing of a session approval was recorded for `id`: no verdict, no attestation, still PENDING.
private func expectNothingRecorded(_ store: any StateStore, _ id: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
    #expect(try await store.approvals(changeSetID: id).isEmpty, sourceLocation: sourceLocation)
    #expect(try await store.changeSet(id: id).status == .pending, sourceLocation: sourceLocation)
    let audit = try await store.auditEntries(AuditFilter(changeSetID: id))
    #expect(audit.allSatisfy { $0.action != .sessionApprovalAttested && $0.action != .approvalRecorded }, sourceLocation: sourceLocation)
}

@Suite("API: session approvals signed by the server")
struct APISessionApprovalTests {
    @Test("a token's reviewer approves with no signature of their own: 201, the server's signature is stored, explain counts it, the audit has the attestation")
    func approve() async throws {
        let session = try await SessionFixture(allowed: true)
        let record = session.record
        let token = try await session.fixture.token(for: "amara")
        try await session.test { client in
            try await postSessionApproval(client, record.id, token: token.token, body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "/api/change-sets/\(record.id)")
                let body = jsonObject(response.body)
                #expect(body["status"] as? String == "APPROVED")
                #expect(body["reviewer"] as? String == "amara")
                #expect((body["review"] as? [String: Any])?["status"] as? String == "APPROVED")
            }
            try await client.execute(uri: "/api/change-sets/\(record.id)", method: .get, headers: bearer(token.token)) { response in
                let approvals = jsonObject(response.body)["approvals"] as? [[String: Any]] ?? []
                #expect(approvals.map { $0["reviewer"] as? String } == ["amara"])
                #expect((approvals.first?["reason"] as? String)?.contains("attested by the server key \(session.serverKey.publicKey.fingerprint)") == true)
            }
            try await client.execute(uri: "/api/change-sets/\(record.id)/explanation", method: .get, headers: bearer(token.token)) { response in
                let review = jsonObject(response.body)["review"] as? [String: Any]
                #expect(review?["status"] as? String == "APPROVED")
                let rules = review?["rules"] as? [[String: Any]] ?? []
                #expect(rules.first?["satisfied"] as? Bool == true)
            }
            try await client.execute(uri: "/api/audit", method: .get, headers: bearer(token.token)) { response in
                let entries = (try? JSONSerialization.jsonObject(with: Data(Array(response.body.readableBytesView)))) as? [[String: Any]] ?? []
                let attested = entries.filter { $0["action"] as? String == "approval.session_attested" }
                #expect(attested.count == 1)
                #expect(attested.first?["actor"] as? String == "amara")
                #expect(attested.first?["changeSet"] as? String == record.id)
                #expect((attested.first?["details"] as? [String: String])?["server_key"] == session.serverKey.publicKey.fingerprint)
            }
            // Approved now, so a second click has nothing left to approve.
            try await postSessionApproval(client, record.id, token: token.token) { response in
                #expect(response.status == .conflict)
                #expect(errorMessage(response.body).contains("APPROVED"))
            }
        }
        let approvals = try await session.fixture.store.approvals(changeSetID: record.id)
        #expect(approvals.count == 1)
        let stored = try SSHSignature(armored: try #require(approvals.first?.signature))
        #expect(stored.publicKey == session.serverKey.publicKey)
        let text = ApprovalText.attested(changeSetID: record.id, stack: "web", digest: record.digest, reviewer: "amara")
        let verified = try session.fixture.review.keygen.verify(
            text, signature: stored.armored, publicKeyLine: session.serverKeyLine, namespace: "tollgate", in: session.fixture.review.folder)
        #expect(verified.status == 0, "ssh-keygen -Y verify: \(verified.standardError)")
    }

    @Test("where the policy in force does not allow session approvals, the answer is 403 naming the policy, and nothing is recorded")
    func notAllowed() async throws {
        let session = try await SessionFixture(allowed: false)
        let token = try await session.fixture.token(for: "amara")
        try await session.test { client in
            try await postSessionApproval(client, session.record.id, token: token.token) { response in
                #expect(response.status == .forbidden)
                #expect(errorCode(response.body) == "refused")
                #expect(errorMessage(response.body).contains("does not allow session approvals"))
                #expect(errorMessage(response.body).contains("Policies/approvals.yaml"))
            }
        }
        try await expectNothingRecorded(session.fixture.store, session.record.id)
    }

    @Test("a server started without --server-key, or with a key server-keys does not list, refuses with 403 saying which, and records nothing")
    func serverKeyMissingOrUnlisted() async throws {
        let unlisted = try await SessionFixture(allowed: true, listing: .other)
        let amara = try await unlisted.fixture.token(for: "amara")
        try await unlisted.test { client in
            try await postSessionApproval(client, unlisted.record.id, token: amara.token) { response in
                #expect(response.status == .forbidden)
                #expect(errorMessage(response.body).contains(unlisted.serverKey.publicKey.fingerprint))
                #expect(errorMessage(response.body).contains("is not listed in server-keys of Policies/approvals.yaml"))
            }
        }
        try await expectNothingRecorded(unlisted.fixture.store, unlisted.record.id)

        let keyless = try await SessionFixture(allowed: true)
        let token = try await keyless.fixture.token(for: "amara")
        // The fixture's own server holds no key, as `serve` without --server-key.
        try await keyless.fixture.test { client in
            try await postSessionApproval(client, keyless.record.id, token: token.token) { response in
                #expect(response.status == .forbidden)
                #expect(errorCode(response.body) == "refused")
                #expect(errorMessage(response.body).contains("started without --server-key"))
            }
        }
        try await expectNothingRecorded(keyless.fixture.store, keyless.record.id)
    }

    @Test("a reviewer no rule lets approve, and a change to Policies/, are refused with 403; nothing is recorded")
    func reviewerAndPolicyChangeRefused() async throws {
        let session = try await SessionFixture(allowed: true)
        let review = session.fixture.review
        try review.git.write("Policies/approvals.yaml", try String(contentsOfFile: review.git.path + "/Policies/approvals.yaml", encoding: .utf8) + "# reviewed again\n")
        try review.git.commit("note in approvals.yaml", author: ReviewFixture.outsider)
        _ = try await ChangeSetSynchronizer(repository: try review.repository(), store: session.fixture.store, actor: "tollgate").sync()
        let policyChange = try #require(try await session.fixture.store.changeSets(ChangeSetFilter(statuses: [.pending])).first { $0.kind == .policy })
        let dana = try await session.fixture.token(for: "dana")
        let amara = try await session.fixture.token(for: "amara")
        try await session.test { client in
            try await postSessionApproval(client, session.record.id, token: dana.token) { response in
                #expect(response.status == .forbidden)
                #expect(errorMessage(response.body).contains("'dana' is not named by any rule"))
            }
            try await postSessionApproval(client, policyChange.id, token: amara.token) { response in
                #expect(response.status == .forbidden)
                #expect(errorMessage(response.body).contains("a change to Policies/ needs each reviewer's own signature"))
            }
        }
        try await expectNothingRecorded(session.fixture.store, session.record.id)
        try await expectNothingRecorded(session.fixture.store, policyChange.id)
    }

    @Test("an unknown change set, and one visible-to hides from the reviewer, are 404; a member of the group approves it with no body")
    func unknownAndHidden() async throws {
        let session = try await SessionFixture(
            allowed: true, rules: APIVisibilityTests.approvals, extraFiles: ["Stacks/vault/template.yaml": ReviewFixture.template(bucket: "vault-keys")])
        let vault = try #require(try await session.fixture.store.changeSets(ChangeSetFilter(stack: "vault")).first)
        let amara = try await session.fixture.token(for: "amara")
        let dana = try await session.fixture.token(for: "dana")
        try await session.test { client in
            for id in ["cs-00000000", vault.id] {
                try await postSessionApproval(client, id, token: amara.token) { response in
                    #expect(response.status == .notFound, "\(id)")
                    #expect(errorMessage(response.body) == "No change set has the id \(id).")
                }
            }
            try await postSessionApproval(client, vault.id, token: dana.token) { response in
                #expect(response.status == .created)
                #expect(jsonObject(response.body)["status"] as? String == "APPROVED")
            }
        }
        #expect(try await session.fixture.store.approvals(changeSetID: vault.id).map(\.reviewer) == ["dana"])
    }

    @Test("a body that is not a JSON object is 400, one of another type 415, an oversized one 413, no token 401; nothing is recorded")
    func badRequests() async throws {
        let session = try await SessionFixture(allowed: true)
        let token = try await session.fixture.token(for: "amara")
        let id = session.record.id
        let cases: [(String, ByteBuffer, HTTPResponse.Status, String)] = [
            ("application/json", ByteBuffer(string: "[1, 2]"), .badRequest, "invalid_json"),
            ("application/json", ByteBuffer(string: "{\"approve\": "), .badRequest, "invalid_json"),
            ("text/plain", ByteBuffer(string: "approve"), .unsupportedMediaType, "unsupported_media_type"),
            ("application/json", jsonBody(["note": String(repeating: "A", count: 200 * 1024)]), .contentTooLarge, "body_too_large"),
        ]
        try await session.test { client in
            for (contentType, body, status, code) in cases {
                try await postSessionApproval(client, id, token: token.token, body: body, contentType: contentType) { response in
                    #expect(response.status == status, "\(code)")
                    #expect(errorCode(response.body) == code)
                }
            }
            try await client.execute(uri: "/api/change-sets/\(id)/session-approval", method: .post) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
        try await expectNothingRecorded(session.fixture.store, id)
    }
}

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

@Suite("API: stacks limited with visible-to")
struct APIVisibilityTests {
    /// The fixture's policy plus stack `vault`, which only `ops` (dana) may see and approve.
    static let approvals = ReviewFixture.approvals + """
          - name: vault
            stacks: [vault]
            require:
              - count: 1
                from: ops
            visible-to: [ops]

        """

    @Test("a hidden stack is 404 to an outsider on every route and left out of lists and the audit trail; a member sees and applies it")
    func hiddenStack() async throws {
        let fixture = try await ServerFixture(extraFiles: [
            "Policies/approvals.yaml": Self.approvals, "Stacks/vault/template.yaml": ReviewFixture.template(bucket: "vault-keys"),
        ])
        _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
        let vault = try #require(try await fixture.store.changeSets(ChangeSetFilter(stack: "vault")).first)
        let amara = try await fixture.token(for: "amara")
        let dana = try await fixture.token(for: "dana")
        let signature = try fixture.review.signatureText(of: vault.approvalText(for: .approve), as: "dana")
        try await fixture.test { client in
            try await client.execute(uri: "/api/stacks", method: .get, headers: bearer(amara.token)) { response in
                #expect((jsonObject(response.body)["stacks"] as? [[String: Any]])?.map { $0["stack"] as? String } == ["web"])
            }
            try await client.execute(uri: "/api/stacks", method: .get, headers: bearer(dana.token)) { response in
                #expect((jsonObject(response.body)["stacks"] as? [[String: Any]])?.map { $0["stack"] as? String } == ["vault", "web"])
            }
            let routes: [(String, HTTPRequest.Method)] = [
                ("change-sets/\(vault.id)", .get), ("change-sets/\(vault.id)/explanation", .get),
                ("change-sets/\(vault.id)/approval-text", .get), ("change-sets/\(vault.id)/cancel-text?reason=x", .get),
                ("change-sets/\(vault.id)/approvals", .post), ("change-sets/\(vault.id)/cancel", .post), ("change-sets/\(vault.id)/apply", .post),
            ]
            for (path, method) in routes {
                try await client.execute(
                    uri: "/api/\(path)", method: method, headers: jsonRequest(amara.token),
                    body: jsonBody(["verdict": "approve", "signature": signature, "reason": "hidden"])
                ) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(errorMessage(response.body) == "No change set has the id \(vault.id).")
                }
            }
            try await client.execute(
                uri: "/api/change-sets/\(vault.id)/approvals", method: .post, headers: jsonRequest(dana.token),
                body: jsonBody(["verdict": "approve", "signature": signature])
            ) { response in
                #expect(response.status == .created)
                #expect(jsonObject(response.body)["status"] as? String == "APPROVED")
            }
            var executionID = ""
            try await client.execute(uri: "/api/change-sets/\(vault.id)/apply", method: .post, headers: bearer(dana.token)) { response in
                #expect(response.status == .accepted)
                executionID = jsonObject(response.body)["execution"] as? String ?? ""
            }
            await fixture.server.applies.waitForEnd(ofExecution: executionID)
            try await client.execute(uri: "/api/executions/\(executionID)", method: .get, headers: bearer(amara.token)) { response in
                #expect(response.status == .notFound)
                #expect(errorMessage(response.body) == "No execution has the id \(executionID).")
            }
            try await client.execute(uri: "/api/executions/\(executionID)", method: .get, headers: bearer(dana.token)) { response in
                #expect(jsonObject(response.body)["result"] as? String == "SUCCEEDED")
            }
            for (token, expected) in [(amara, false), (dana, true)] {
                try await client.execute(uri: "/api/audit", method: .get, headers: bearer(token.token)) { response in
                    let entries = (try? JSONSerialization.jsonObject(with: Data(Array(response.body.readableBytesView)))) as? [[String: Any]] ?? []
                    #expect(!entries.isEmpty)
                    #expect(entries.contains { $0["stack"] as? String == "vault" } == expected)
                    #expect(entries.contains { $0["changeSet"] as? String == vault.id } == expected)
                }
            }
        }
    }
}

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

@Suite("Web page: apply button and visible-to")
struct WebApplyVisibilityTests {
    @Test("the apply button of an APPROVED change set starts the apply in the server, which ends APPLIED; without the CSRF token nothing starts")
    func applyButton() async throws {
        let fixture = try await ServerFixture()
        _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
        let record = try #require(try await fixture.openChangeSets().first)
        let token = try await fixture.token(for: "amara")
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            #expect(!String(buffer: try await getPage(client, "/change-sets/\(record.id)", session: session).body).contains(#"id="apply""#))
            let signature = try fixture.review.signatureText(of: record.approvalText(for: .approve), as: "amara")
            _ = try await postForm(client, "/change-sets/\(record.id)/approve", session: session, [("csrf", session.csrf), ("signature", signature)])
            let page = String(buffer: try await getPage(client, "/change-sets/\(record.id)", session: session).body)
            #expect(page.contains(#"<button id="apply" type="submit">Apply</button>"#))

            let forged = try await postForm(client, "/change-sets/\(record.id)/apply", session: session, [("csrf", "x")])
            #expect(forged.status == .forbidden)
            #expect(try await fixture.store.executions(changeSetID: record.id).isEmpty)

            let started = try await postForm(client, "/change-sets/\(record.id)/apply", session: session, [("csrf", session.csrf)])
            #expect(started.status == .seeOther)
            let execution = try #require(try await fixture.store.executions(changeSetID: record.id).first)
            #expect(started.headers[.location] == "/change-sets/\(record.id)?applying=\(execution.id)")
            await fixture.server.applies.waitForEnd(ofExecution: execution.id)
            #expect(try await fixture.store.changeSet(id: record.id).status == .applied)
            #expect(try await fixture.store.auditEntries(AuditFilter(actor: "amara")).contains { $0.action == .executionStarted })
            let after = String(buffer: try await getPage(client, "/change-sets/\(record.id)?applying=\(execution.id)", session: session).body)
            #expect(after.contains("The apply started as execution \(execution.id)"))

            let again = try await postForm(client, "/change-sets/\(record.id)/apply", session: session, [("csrf", session.csrf)])
            #expect(again.status == .conflict)
            #expect(String(buffer: again.body).contains("only an APPROVED change set is applied"))
        }
    }

    @Test("a stack limited with visible-to is missing from an outsider's list and audit page, and its change set pages are 404 to them")
    func hiddenStack() async throws {
        let fixture = try await ServerFixture(extraFiles: [
            "Policies/approvals.yaml": APIVisibilityTests.approvals, "Stacks/vault/template.yaml": ReviewFixture.template(bucket: "vault-keys"),
        ])
        _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
        let vault = try #require(try await fixture.store.changeSets(ChangeSetFilter(stack: "vault")).first)
        let amara = try await fixture.token(for: "amara")
        let dana = try await fixture.token(for: "dana")
        try await fixture.test { client in
            let outsider = try await signIn(client, token: amara.token)
            let member = try await signIn(client, token: dana.token)
            #expect(!String(buffer: try await getPage(client, "/", session: outsider).body).contains(#"data-stack="vault""#))
            #expect(String(buffer: try await getPage(client, "/", session: member).body).contains(#"data-stack="vault""#))
            #expect(!String(buffer: try await getPage(client, "/audit", session: outsider).body).contains(vault.id))
            #expect(String(buffer: try await getPage(client, "/audit", session: member).body).contains(vault.id))
            for path in ["/change-sets/\(vault.id)", "/change-sets/\(vault.id)/approval-text?verdict=approve", "/change-sets/\(vault.id)/events"] {
                #expect(try await getPage(client, path, session: outsider).status == .notFound, "\(path)")
            }
            #expect(try await getPage(client, "/change-sets/\(vault.id)", session: member).status == .ok)
            let signature = try fixture.review.signatureText(of: vault.approvalText(for: .approve), as: "dana")
            let posted = try await postForm(client, "/change-sets/\(vault.id)/approve", session: outsider, [("csrf", outsider.csrf), ("signature", signature)])
            #expect(posted.status == .notFound)
            #expect(try await fixture.store.approvals(changeSetID: vault.id).isEmpty)
        }
    }
}

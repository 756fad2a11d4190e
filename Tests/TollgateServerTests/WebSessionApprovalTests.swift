import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import TollgateCore
import TollgateEngine
import TollgateServer
import TollgateStore
import TollgateTestSupport

/// A server holding its own signing key (`serve --server-key`) over a repository whose policy in
/// force says what `approvals` says about session approvals.
struct SessionFixture: Sendable {
    let fixture: ServerFixture
    let server: TollgateServer
    let serverKey: SSHPrivateKey
    let serverKeyLine: String
    let record: ChangeSetRecord

    /// `listing`: which key approvals.yaml lists in server-keys (the server's own, another, or none);
    /// `allowed`: whether it says session-approvals: true; `rules`: the rest of approvals.yaml;
    /// `extraFiles`: more files of the first commit, such as another stack.
    init(allowed: Bool, listing: Listing = .own, rules: String = ReviewFixture.approvals, extraFiles: [String: String] = [:]) async throws {
        let keygen = try SSHKeygen()
        let folder = try TemporaryDirectory(prefix: "tollgate-server-key")
        let own = try keygen.generateKey(type: "ed25519", in: folder, name: "server", comment: "tollgate@server")
        let other = try keygen.generateKey(type: "ed25519", in: folder, name: "other", comment: "tollgate@elsewhere")
        var approvals = rules + "session-approvals: \(allowed)\n"
        switch listing {
        case .own: approvals += "server-keys:\n  - \(own.publicKeyLine)\n"
        case .other: approvals += "server-keys:\n  - \(other.publicKeyLine)\n"
        }
        fixture = try await ServerFixture(extraFiles: extraFiles.merging(["Policies/approvals.yaml": approvals]) { $1 })
        serverKey = try SSHPrivateKey(openSSHText: own.privateKeyText)
        serverKeyLine = own.publicKeyLine
        var logger = Logger(label: "tollgate.server.tests")
        logger.logLevel = .warning
        server = TollgateServer(
            repository: TollgateServer.Repository(path: fixture.review.git.path), store: fixture.store, secrets: WebhookSecrets(),
            clock: fixture.review.clock, logger: logger, serverKey: serverKey)
        _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
        record = try #require(try await fixture.openChangeSets().first)
    }

    enum Listing {
        case own
        case other
    }

    func test<Value: Sendable>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await server.application(host: "127.0.0.1", port: 0, pollInterval: nil).test(.router, body)
    }

    var approveURI: String { "/change-sets/\(record.id)/approve-in-session" }
}

@Suite("Web page: session approvals signed by the server")
struct WebSessionApprovalTests {
    @Test("where the policy allows it, one click records an approval the server signs, naming the reviewer; explain and audit verify accept it offline")
    func approveInSession() async throws {
        let session = try await SessionFixture(allowed: true)
        let record = session.record
        let token = try await session.fixture.token(for: "amara")
        try await session.test { client in
            let web = try await signIn(client, token: token.token)
            let page = String(buffer: try await getPage(client, "/change-sets/\(record.id)", session: web).body)
            #expect(page.contains(#"<button type="submit" id="session-approve-button">Approve (signed by the server)</button>"#))
            #expect(page.contains(#"action="/change-sets/\#(record.id)/approve-in-session""#))
            #expect(page.contains(#"id="approve-button""#), "the ssh-keygen way stays offered")

            let posted = try await postForm(client, session.approveURI, session: web, [("csrf", web.csrf)])
            #expect(posted.status == .seeOther)
            #expect(posted.headers[.location] == "/change-sets/\(record.id)?recorded=session-approve")
            let after = String(buffer: try await getPage(client, "/change-sets/\(record.id)?recorded=session-approve", session: web).body)
            #expect(after.contains("Your approval is recorded, signed by the server."))
            #expect(after.contains(#"<dd id="status">APPROVED"#))
            #expect(!after.contains("session-approve-button"))
        }
        let approvals = try await session.fixture.store.approvals(changeSetID: record.id)
        #expect(approvals.map(\.reviewer) == ["amara"])
        let stored = try SSHSignature(armored: try #require(approvals.first?.signature))
        #expect(stored.publicKey == session.serverKey.publicKey)
        let text = ApprovalText.attested(changeSetID: record.id, stack: "web", digest: record.digest, reviewer: "amara")
        let verified = try session.fixture.review.keygen.verify(
            text, signature: stored.armored, publicKeyLine: session.serverKeyLine, namespace: "tollgate", in: session.fixture.review.folder)
        #expect(verified.status == 0, "ssh-keygen -Y verify: \(verified.standardError)")
        #expect(try await session.fixture.store.changeSet(id: record.id).status == .approved)

        let attested = try await session.fixture.store.auditEntries(AuditFilter(changeSetID: record.id)).filter { $0.action == .sessionApprovalAttested }
        #expect(attested.count == 1)
        #expect(attested.first?.actor == "amara")
        #expect(attested.first?.details["server_key"] == session.serverKey.publicKey.fingerprint)

        let paths = ["--repo", session.fixture.review.git.path, "--state", session.fixture.review.statePath]
        let explained = try TollgateBinary.run(["explain", record.id] + paths)
        #expect(explained.status == 0, "\(explained.standardError)")
        #expect(explained.standardOutput.contains("APPROVED"))
        #expect(explained.standardOutput.contains("amara"))
        let verifiedTrail = try TollgateBinary.run(["audit", "verify"] + paths)
        #expect(verifiedTrail.status == 0, "\(verifiedTrail.standardError)")
    }

    @Test("once the policy in force stops allowing session approvals, the recorded one no longer counts: explain, apply and the page say so")
    func policyInForceDecides() async throws {
        let session = try await SessionFixture(allowed: true)
        let record = session.record
        let token = try await session.fixture.token(for: "amara")
        try await session.test { client in
            let web = try await signIn(client, token: token.token)
            #expect(try await postForm(client, session.approveURI, session: web, [("csrf", web.csrf)]).status == .seeOther)
        }
        #expect(try await session.fixture.store.changeSet(id: record.id).status == .approved)

        let review = session.fixture.review
        try review.git.write("Policies/approvals.yaml", ReviewFixture.approvals + "session-approvals: false\nserver-keys:\n  - \(session.serverKeyLine)\n")
        let commit = try review.git.commit("turn session approvals off", author: ReviewFixture.outsider)
        let repository = try review.repository()
        let target = try await repository.commit(commit)
        let act = OperatorAct.trust(commit: commit, replacing: try await session.fixture.store.policyInForce()?.commit)
        let signature = try SSHSignature(armored: try review.signatureText(of: act.text, as: "amara"))
        _ = try await PolicyInForce.trust(commit: target, repository: repository, store: session.fixture.store, actor: "lead", replacing: true, signature: signature)

        let explained = try await ReviewService(store: session.fixture.store, clock: review.clock).explain(changeSetID: record.id, repository: repository)
        #expect(explained.verdict.status == .pending)
        #expect(explained.verdict.claims.first?.problem?.description.contains("does not say session-approvals: true") == true)
        let refusal = await #expect(throws: ApplyError.self) {
            try await ChangeSetApplication(store: session.fixture.store, clock: review.clock, holder: "test pid 1")
                .apply(changeSetID: record.id, actor: "amara", repository: repository)
        }
        #expect(refusal.map { "\($0)" }?.contains("PENDING") == true, "\(String(describing: refusal))")
        try await session.test { client in
            let web = try await signIn(client, token: token.token)
            let page = String(buffer: try await getPage(client, "/change-sets/\(record.id)", session: web).body)
            #expect(page.contains("does not say session-approvals: true"))
        }
        #expect(try await session.fixture.store.executions(changeSetID: record.id).isEmpty)
    }

    @Test("where the policy does not allow it there is no button, and a POST is 403 with nothing recorded")
    func notAllowed() async throws {
        let session = try await SessionFixture(allowed: false)
        let token = try await session.fixture.token(for: "amara")
        try await session.test { client in
            let web = try await signIn(client, token: token.token)
            let page = String(buffer: try await getPage(client, "/change-sets/\(session.record.id)", session: web).body)
            #expect(!page.contains("session-approve-button"))
            #expect(page.contains(#"id="approve-button""#))
            let posted = try await postForm(client, session.approveURI, session: web, [("csrf", web.csrf)])
            #expect(posted.status == .forbidden)
            #expect(String(buffer: posted.body).contains("does not allow session approvals"))
            #expect(String(buffer: posted.body).contains("Nothing was recorded."))
        }
        #expect(try await session.fixture.store.approvals(changeSetID: session.record.id).isEmpty)
        #expect(try await session.fixture.store.changeSet(id: session.record.id).status == .pending)
    }

    @Test("a server key the policy in force does not list is refused at the moment of approving, naming its fingerprint")
    func unlistedServerKey() async throws {
        let session = try await SessionFixture(allowed: true, listing: .other)
        let token = try await session.fixture.token(for: "amara")
        try await session.test { client in
            let web = try await signIn(client, token: token.token)
            let posted = try await postForm(client, session.approveURI, session: web, [("csrf", web.csrf)])
            #expect(posted.status == .forbidden)
            let html = String(buffer: posted.body)
            #expect(html.contains(session.serverKey.publicKey.fingerprint))
            #expect(html.contains("is not listed in server-keys of Policies/approvals.yaml"))
        }
        #expect(try await session.fixture.store.approvals(changeSetID: session.record.id).isEmpty)
    }

    @Test("a reviewer no rule names gets no button and a 403; a POST without the CSRF token is 403; nothing is recorded")
    func reviewerNotAllowed() async throws {
        let session = try await SessionFixture(allowed: true)
        let dana = try await session.fixture.token(for: "dana")
        let amara = try await session.fixture.token(for: "amara")
        try await session.test { client in
            let web = try await signIn(client, token: dana.token)
            let page = String(buffer: try await getPage(client, "/change-sets/\(session.record.id)", session: web).body)
            #expect(!page.contains("session-approve-button"))
            let posted = try await postForm(client, session.approveURI, session: web, [("csrf", web.csrf)])
            #expect(posted.status == .forbidden)
            #expect(String(buffer: posted.body).contains("'dana' is not named by any rule".htmlEscaped))

            let other = try await signIn(client, token: amara.token)
            let forged = try await postForm(client, session.approveURI, session: other, [("csrf", "forged")])
            #expect(forged.status == .forbidden)
        }
        #expect(try await session.fixture.store.approvals(changeSetID: session.record.id).isEmpty)
        #expect(try await session.fixture.store.auditEntries(AuditFilter(changeSetID: session.record.id)).allSatisfy { $0.action != .sessionApprovalAttested })
    }

    @Test("a server started without --server-key offers no button and refuses the POST")
    func serverWithoutKey() async throws {
        let session = try await SessionFixture(allowed: true)
        let token = try await session.fixture.token(for: "amara")
        try await session.fixture.test { client in
            let web = try await signIn(client, token: token.token)
            let page = String(buffer: try await getPage(client, "/change-sets/\(session.record.id)", session: web).body)
            #expect(!page.contains("session-approve-button"))
            let posted = try await postForm(client, session.approveURI, session: web, [("csrf", web.csrf)])
            #expect(posted.status == .forbidden)
            #expect(String(buffer: posted.body).contains("started without --server-key"))
        }
        #expect(try await session.fixture.store.approvals(changeSetID: session.record.id).isEmpty)
    }

    @Test("the change set page shows the change set and its explain report, from one evaluation")
    func pageShowsViewAndExplanation() async throws {
        let session = try await SessionFixture(allowed: true)
        let record = session.record
        let token = try await session.fixture.token(for: "amara")
        let repository = try session.fixture.review.repository()
        let reviewed = try await ReviewService(store: session.fixture.store, clock: session.fixture.review.clock)
            .reviewedView(changeSetID: record.id, repository: repository)
        let explanation = try #require(reviewed.evaluation).verdict.explanation
        #expect(reviewed.view.currentStatus == reviewed.evaluation?.verdict.status)
        #expect(reviewed.sessionApprovals.isServerKey(session.serverKey.publicKey))
        try await session.test { client in
            let web = try await signIn(client, token: token.token)
            let html = String(buffer: try await getPage(client, "/change-sets/\(record.id)", session: web).body)
            #expect(html.contains(#"<dd id="status">PENDING"#))
            #expect(html.contains("Carol Outsider"))
            #expect(html.contains(#"<p id="review-status">Under the policy of commit"#))
            let firstLine = String(try #require(explanation.split(separator: "\n").first)).htmlEscaped
            #expect(html.contains(firstLine))
            #expect(html.contains(record.approvalText(for: .approve).htmlEscaped.trimmingCharacters(in: .newlines)))
        }
    }
}

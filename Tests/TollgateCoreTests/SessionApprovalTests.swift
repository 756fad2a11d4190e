import Foundation
import Testing
import TollgateCore
import TollgateTestSupport

@Suite("Session approvals attested by the server")
struct SessionApprovalTests {
    let fixture: ApprovalTestFixture
    let subject = ReviewSubject(changeSetID: "cs-0000abcd", target: .stack("web"), digest: "sha256:1234")

    init() throws {
        fixture = try ApprovalTestFixture(people: ["amara", "bastien", "server", "other-server"])
    }

    var reviewers: String {
        fixture.reviewersYAML(people: ["amara", "bastien"], groups: ["owners": ["amara", "bastien"]])
    }

    func approvals(session: String?, keys: [String]) -> String {
        var text = """
            policy-changes:
              - count: 1
                from: owners
            rules:
              - name: web
                stacks: [web]
                require:
                  - count: 1
                    from: owners

            """
        if let session { text += "session-approvals: \(session)\n" }
        if !keys.isEmpty { text += "server-keys:\n" + keys.map { "  - \($0)\n" }.joined() }
        return text
    }

    func policy(session: String? = "true", servers: [String] = ["server"]) throws -> PolicySet {
        try fixture.policy(reviewers: reviewers, approvals: approvals(session: session, keys: servers.compactMap { fixture.publicLines[$0] }))
    }

    /// The server's attestation that `reviewer` approved `subject`, signed with `server`'s key.
    func attested(_ reviewer: String, by server: String = "server", subject: ReviewSubject? = nil, verdict: ApprovalVerdict = .approve) throws -> ApprovalClaim {
        let subject = subject ?? self.subject
        guard case let .stack(stack) = subject.target, let key = fixture.privateKeys[server] else { throw ApprovalTestFixture.MissingKey(person: server) }
        let text = ApprovalText.attested(changeSetID: subject.changeSetID, stack: stack, digest: subject.digest, reviewer: reviewer)
        let signature = try SSHSignature.sign(text, with: key)
        return ApprovalClaim(verdict: verdict, digest: subject.digest, proof: .sshSignature(signature), reviewerID: reviewer, time: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test("session-approvals and server-keys are read from approvals.yaml; without them nothing changes")
    func parsing() throws {
        let on = try policy()
        #expect(on.approvals.sessionApprovals.isAllowed)
        #expect(on.approvals.sessionApprovals.serverKeys.map(\.authorizedKeysLine) == [try SSHPublicKey(authorizedKeysLine: fixture.publicLines["server"] ?? "").authorizedKeysLine])
        let off = try policy(session: nil, servers: [])
        #expect(off.approvals.sessionApprovals == .off)
        let listedOnly = try policy(session: "false")
        #expect(!listedOnly.approvals.sessionApprovals.isAllowed)
        #expect(listedOnly.approvals.sessionApprovals.serverKeys.count == 1)
    }

    @Test("bad session approval settings are errors naming file, line and field", arguments: [
        ("yes", ["server"], "session-approvals", "must be true or false"),
        ("true", [], "session-approvals", "server-keys lists no key"),
        ("true", ["amara"], "server-keys[0]", "is listed for 'amara'"),
        ("true", ["server", "server"], "server-keys[1]", "is listed twice"),
    ])
    func badSettings(_ session: String, _ servers: [String], _ field: String, _ message: String) throws {
        let text = approvals(session: session, keys: servers.compactMap { fixture.publicLines[$0] })
        let error = try #require(throws: PolicyError.self) { try fixture.policy(reviewers: reviewers, approvals: text) }
        #expect(error.file == "Policies/approvals.yaml")
        #expect(error.line != nil)
        #expect(error.field == field)
        #expect(error.description.contains(message))
    }

    @Test("an unreadable server key and an unknown key next to them stay errors naming the field")
    func unreadableKey() throws {
        let garbled = approvals(session: "true", keys: ["ssh-ed25519 AAAAnotbase64"])
        let error = try #require(throws: PolicyError.self) { try fixture.policy(reviewers: reviewers, approvals: garbled) }
        #expect(error.field == "server-keys[0]")
        #expect(error.description.contains("not a usable SSH public key"))
        let unknown = approvals(session: "true", keys: [fixture.publicLines["server"] ?? ""]) + "session-approval: true\n"
        let other = try #require(throws: PolicyError.self) { try fixture.policy(reviewers: reviewers, approvals: unknown) }
        #expect(other.field == "session-approval")
        #expect(other.description.contains("is not a known field"))
    }

    @Test("an attested approval counts for the reviewer it names while the policy allows it and lists the key")
    func counts() throws {
        let verdict = ApprovalEvaluator(policy: try policy()).evaluate(subject, claims: [try attested("amara")], at: .now)
        #expect(verdict.status == .approved)
        #expect(verdict.claims.first?.reviewerID == "amara")
        #expect(verdict.claims.first?.counts == true)
    }

    @Test("it stops counting when the policy in force turns session approvals off or no longer lists the server key")
    func policyDecides() throws {
        let claim = try attested("amara")
        let off = ApprovalEvaluator(policy: try policy(session: "false")).evaluate(subject, claims: [claim], at: .now)
        #expect(off.status == .pending)
        #expect(off.claims.first?.problem?.description.contains("does not say session-approvals: true") == true)
        let unlisted = ApprovalEvaluator(policy: try policy(servers: ["other-server"])).evaluate(subject, claims: [claim], at: .now)
        #expect(unlisted.status == .pending)
        #expect(unlisted.claims.first?.problem == .keyNotListed(fingerprint: fixture.privateKeys["server"]?.publicKey.fingerprint ?? ""))
    }

    @Test("a server signature cannot be moved to another reviewer, verdict or change to Policies/")
    func boundToReviewer() throws {
        let forAmara = try attested("amara")
        guard case let .sshSignature(signature) = forAmara.proof else { Issue.record("not a signature"); return }
        let moved = ApprovalClaim(verdict: .approve, digest: subject.digest, proof: .sshSignature(signature), reviewerID: "bastien", time: forAmara.time)
        let verdict = ApprovalEvaluator(policy: try policy()).evaluate(subject, claims: [moved], at: .now)
        #expect(verdict.status == .pending)
        #expect(verdict.claims.first?.problem?.description.contains("does not match") == true)

        let rejection = ApprovalEvaluator(policy: try policy()).evaluate(subject, claims: [try attested("amara", verdict: .reject)], at: .now)
        #expect(rejection.rejectedBy.isEmpty)
        #expect(rejection.claims.first?.problem?.description.contains("attests approvals only") == true)

        let policies = ReviewSubject(changeSetID: "cs-0000abce", target: .policies, digest: "sha256:99")
        let policyText = ApprovalText.make(changeSetID: policies.changeSetID, target: .policies, digest: policies.digest, verdict: .approve) + "attested-session-approval-by: amara\n"
        let claim = ApprovalClaim(
            verdict: .approve, digest: policies.digest, proof: .sshSignature(try SSHSignature.sign(policyText, with: try #require(fixture.privateKeys["server"]))),
            reviewerID: "amara", time: forAmara.time)
        let policyVerdict = ApprovalEvaluator(policy: try policy()).evaluate(policies, claims: [claim], at: .now)
        #expect(policyVerdict.status == .pending)
        #expect(policyVerdict.claims.first?.problem?.description.contains("own signature") == true)
    }

    @Test("the server's signature over the attested text is one ssh-keygen -Y verify accepts")
    func interoperates() throws {
        let text = ApprovalText.attested(changeSetID: subject.changeSetID, stack: "web", digest: subject.digest, reviewer: "amara")
        let signature = try SSHSignature.sign(text, with: try #require(fixture.privateKeys["server"]))
        let line = try #require(fixture.publicLines["server"])
        let accepted = try fixture.keygen.verify(text, signature: signature.armored, publicKeyLine: line, namespace: "tollgate", in: fixture.folder)
        #expect(accepted.status == 0, "\(accepted.standardError)")
        let other = ApprovalText.attested(changeSetID: subject.changeSetID, stack: "web", digest: subject.digest, reviewer: "bastien")
        let refused = try fixture.keygen.verify(other, signature: signature.armored, publicKeyLine: line, namespace: "tollgate", in: fixture.folder)
        #expect(refused.status != 0)
    }
}

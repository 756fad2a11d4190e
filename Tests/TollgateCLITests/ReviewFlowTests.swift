import Foundation
import Testing
import TollgateTestSupport

/// The whole review, as a team runs it from the command line: trust the policy, sync, read the
/// change set, sign with ssh-keygen, approve, and check the record.
@Suite("Review flow from the command line")
struct ReviewFlowTests {
    private func tollgate(_ fixture: ReviewFixture, _ arguments: [String]) throws -> CommandResult {
        try TollgateBinary.run(arguments + ["--repo", fixture.git.path, "--state", fixture.statePath])
    }

    private func status(_ fixture: ReviewFixture) throws -> [String: [String: Any]] {
        let result = try tollgate(fixture, ["status", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let rows = try #require(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["stack"] as? String).map { ($0, row) } })
    }

    /// Signs the approval text of change set `id` with `person`'s key, as a reviewer would with
    /// `ssh-keygen -Y sign`, and returns the signature file's path.
    private func signApproval(_ fixture: ReviewFixture, id: String, as person: String) throws -> String {
        let text = try tollgate(fixture, ["show", id, "--approval-text"])
        #expect(text.status == 0, "\(text.standardError)")
        let key = try #require(fixture.keys[person])
        let signature = try fixture.keygen.sign(text.standardOutput, key: key, namespace: "tollgate", in: fixture.folder)
        let path = fixture.folder.appending("\(id)-\(person).sig")
        try Data(signature.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("init, sync, approve with an OpenSSH signature, and the audit trail verifies")
    func approveNewStack() throws {
        let fixture = try ReviewFixture()
        #expect(try tollgate(fixture, ["init", "--actor", "admin"]).status == 0)
        let sync = try tollgate(fixture, ["sync"])
        #expect(sync.status == 0, "\(sync.standardError)")

        let rows = try status(fixture)
        let id = try #require(rows["web"]?["pendingChangeSet"] as? String)
        #expect(rows["web"]?["status"] as? String == "PENDING")
        // The policies that init trusted are the policy in force: nothing to review there.
        #expect(rows["Policies/"]?["pendingChangeSet"] as? String == nil)

        let approve = try tollgate(fixture, ["approve", id, "--signature", try signApproval(fixture, id: id, as: "amara")])
        #expect(approve.status == 0, "\(approve.standardError)")
        #expect(try status(fixture)["web"]?["status"] as? String == "APPROVED")

        let show = try tollgate(fixture, ["show", id])
        #expect(show.standardOutput.contains("amara"))
        #expect(try tollgate(fixture, ["audit", "verify"]).status == 0)
    }

    @Test("a push that changes a stack and adds its author as an owner gains the author nothing")
    func samePushAttack() throws {
        let fixture = try ReviewFixture()
        #expect(try tollgate(fixture, ["init", "--actor", "admin"]).status == 0)
        #expect(try tollgate(fixture, ["sync"]).status == 0)

        // Mallory, whom no policy lists, adds herself as an owner and renames the bucket in one commit.
        let mallory = try #require(fixture.keys["mallory"])
        let extra = """
              - id: mallory
                name: Mallory
                emails: [mallory@example.com]
                keys: ["\(mallory.publicKeyLine)"]

            """
        let reviewers = ReviewFixture.reviewers(keys: fixture.keys, extra: extra)
            .replacingOccurrences(of: "owners: [amara, bastien]", with: "owners: [amara, bastien, mallory]")
        try fixture.git.write("Policies/reviewers.yaml", reviewers)
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "mallory-assets"))
        try fixture.git.commit("make me an owner", author: "Mallory <mallory@example.com>")
        #expect(try tollgate(fixture, ["sync"]).status == 0)

        let rows = try status(fixture)
        let stackChange = try #require(rows["web"]?["pendingChangeSet"] as? String)
        let policyChange = try #require(rows["Policies/"]?["pendingChangeSet"] as? String)

        // Her approvals do not count: under the policy in force her key belongs to nobody.
        for id in [stackChange, policyChange] {
            let refused = try tollgate(fixture, ["approve", id, "--signature", try signApproval(fixture, id: id, as: "mallory")])
            #expect(refused.status != 0)
            #expect(refused.standardError.contains(id))
        }

        // The policy change needs two owners of the policy in force.
        let explain = try tollgate(fixture, ["explain", policyChange])
        #expect(explain.standardOutput.contains("amara"))
        #expect(explain.standardOutput.contains("bastien"))
        #expect(!explain.standardOutput.contains("mallory"))
        #expect(try tollgate(fixture, ["approve", policyChange, "--signature", try signApproval(fixture, id: policyChange, as: "amara")]).status == 0)
        #expect(try status(fixture)["Policies/"]?["status"] as? String == "PENDING")
        #expect(try tollgate(fixture, ["approve", policyChange, "--signature", try signApproval(fixture, id: policyChange, as: "bastien")]).status == 0)
        #expect(try status(fixture)["Policies/"]?["status"] as? String == "APPROVED")
        #expect(try status(fixture)["web"]?["status"] as? String == "PENDING")
    }
}

import Foundation
import Testing
import TollgateEngine
import TollgateTestSupport
import TollgateStore

/// The whole review, as a team runs it from the command line: trust the policy, sync, read the
/// change set, sign with ssh-keygen, approve, and check the record.
@Suite("Review flow from the command line")
struct ReviewFlowTests {
    private func tollgate(_ fixture: ReviewFixture, _ arguments: [String]) throws -> CommandResult {
        try TollgateBinary.run(arguments + ["--repo", fixture.git.path, "--state", fixture.statePath])
    }

    private func status(_ fixture: ReviewFixture) throws -> [String: [String: Any]] {
        let report = try statusReport(fixture)
        let rows = try #require(report["stacks"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["stack"] as? String).map { ($0, row) } })
    }

    /// The policy line of `status --json`: the revision in force and its open change set.
    private func policyStatus(_ fixture: ReviewFixture) throws -> [String: Any] {
        try #require(try statusReport(fixture)["policy"] as? [String: Any])
    }

    private func statusReport(_ fixture: ReviewFixture) throws -> [String: Any] {
        let result = try tollgate(fixture, ["status", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
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
        #expect(rows["Policies/"] == nil, "the policies are not a stack row")
        let policy = try policyStatus(fixture)
        #expect(policy["revision"] as? Int == 1)
        #expect(policy["actor"] as? String == "admin")
        #expect(policy["pendingChangeSet"] is NSNull)

        let approve = try tollgate(fixture, ["approve", id, "--signature", try signApproval(fixture, id: id, as: "amara")])
        #expect(approve.status == 0, "\(approve.standardError)")
        #expect(try status(fixture)["web"]?["status"] as? String == "APPROVED")

        let show = try tollgate(fixture, ["show", id])
        #expect(show.standardOutput.contains("amara"))

        let apply = try tollgate(fixture, ["apply", id, "--actor", "amara"])
        #expect(apply.status == 0, "\(apply.standardError)")
        #expect(apply.standardOutput.contains("Change set \(id) APPLIED on stack web"), "\(apply.standardOutput)")
        #expect(apply.standardOutput.contains("state version 1"))
        let web = try #require(try status(fixture)["web"])
        #expect(web["status"] as? String == "APPLIED")
        #expect(web["result"] as? String == "SUCCEEDED")
        let execution = try #require(web["lastExecution"] as? String)
        let shown = try tollgate(fixture, ["execution", execution, "--json"])
        let json = try #require(JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        #expect(json["changeSet"] as? String == id)
        #expect((json["providerOutput"] as? String)?.contains("recorded stack web") == true)
        let again = try tollgate(fixture, ["apply", id, "--actor", "amara"])
        #expect(again.status == 1)
        #expect(again.standardError.contains("is APPLIED; only an APPROVED change set is applied"), "\(again.standardError)")
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
        let policyChange = try #require(try policyStatus(fixture)["pendingChangeSet"] as? String)

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
        #expect(try policyStatus(fixture)["status"] as? String == "PENDING")
        #expect(try tollgate(fixture, ["approve", policyChange, "--signature", try signApproval(fixture, id: policyChange, as: "bastien")]).status == 0)
        #expect(try policyStatus(fixture)["status"] as? String == "APPROVED")
        #expect(try status(fixture)["web"]?["status"] as? String == "PENDING")
    }

    @Test("once a policy change removes an approver's key, status and show give explain's status beside the stored one")
    func storedStatusOutdated() async throws {
        let fixture = try ReviewFixture()
        #expect(try tollgate(fixture, ["init", "--actor", "admin"]).status == 0)
        #expect(try tollgate(fixture, ["sync"]).status == 0)
        let id = try #require(try status(fixture)["web"]?["pendingChangeSet"] as? String)
        #expect(try tollgate(fixture, ["approve", id, "--signature", try signApproval(fixture, id: id, as: "amara")]).status == 0)
        #expect(try status(fixture)["web"]?["status"] as? String == "APPROVED")

        var keys = fixture.keys
        keys["amara"] = fixture.keys["mallory"]
        try fixture.git.write("Policies/reviewers.yaml", ReviewFixture.reviewers(keys: keys))
        try fixture.git.commit("rotate amara's key", author: ReviewFixture.outsider)
        #expect(try tollgate(fixture, ["sync"]).status == 0)
        let policyChange = try #require(try policyStatus(fixture)["pendingChangeSet"] as? String)
        for person in ["amara", "bastien"] {
            #expect(try tollgate(fixture, ["approve", policyChange, "--signature", try signApproval(fixture, id: policyChange, as: person)]).status == 0)
        }
        // The apply command is not part of this test: the policy change is put in force in process.
        let store = try await fixture.openStore()
        try await store.transaction { tx in
            _ = try await tx.startExecution(id: "ex-0000000a", changeSetID: policyChange, actor: "tollgate")
            _ = try await tx.finishExecution(id: "ex-0000000a", result: .succeeded, providerOutput: nil, actor: "tollgate")
            try await PolicyInForce.recordApplied(try await tx.changeSet(id: policyChange), actor: "tollgate", in: tx)
        }
        try await store.close()

        let web = try #require(try status(fixture)["web"])
        #expect(web["status"] as? String == "PENDING")
        #expect(web["storedStatus"] as? String == "APPROVED")
        let policy = try policyStatus(fixture)
        #expect(policy["revision"] as? Int == 2)
        #expect(policy["appliedChangeSet"] as? String == policyChange)
        let text = try tollgate(fixture, ["status"]).standardOutput
        #expect(text.contains("Policy in force: revision 2"), "\(text)")
        #expect(text.contains("applied through \(policyChange) by tollgate"), "\(text)")
        #expect(text.contains("PENDING (stored APPROVED)"), "\(text)")
        let show = try tollgate(fixture, ["show", id])
        #expect(show.standardOutput.contains("PENDING (stored as APPROVED; the policy in force no longer says so)"), "\(show.standardOutput)")
        let json = try #require(JSONSerialization.jsonObject(with: Data(try tollgate(fixture, ["show", id, "--json"]).standardOutput.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "PENDING")
        #expect(json["storedStatus"] as? String == "APPROVED")
        #expect(try tollgate(fixture, ["audit", "verify"]).status == 0)
    }

    @Test("an apply killed after any statement leaves the change set APPROVED or APPLYING, and --resume finishes it")
    func killedApply() throws {
        let fixture = try ReviewFixture()
        #expect(try tollgate(fixture, ["init", "--actor", "admin"]).status == 0)
        #expect(try tollgate(fixture, ["sync"]).status == 0)
        let id = try #require(try status(fixture)["web"]?["pendingChangeSet"] as? String)
        #expect(try tollgate(fixture, ["approve", id, "--signature", try signApproval(fixture, id: id, as: "amara")]).status == 0)
        // The test build's fault hook ends tollgate right after the Nth statement of a write
        // transaction, as kill -9 would: every point is tried until one leaves the apply started.
        var statement = 1
        var stored = "APPROVED"
        while stored == "APPROVED" && statement < 200 {
            let run = try TollgateBinary.run(
                ["apply", id, "--actor", "amara", "--repo", fixture.git.path, "--state", fixture.statePath],
                environment: ["TOLLGATE_TEST_EXIT_AFTER_STATEMENTS": String(statement)])
            #expect(run.status == 86, "statement \(statement): \(run.standardError)")
            #expect(try tollgate(fixture, ["audit", "verify"]).status == 0, "after statement \(statement)")
            let shown = try JSONSerialization.jsonObject(with: Data(try tollgate(fixture, ["show", id, "--json"]).standardOutput.utf8)) as? [String: Any]
            stored = shown?["status"] as? String ?? "?"
            statement += 1
        }
        #expect(stored == "APPLYING")
        let web = try #require(try status(fixture)["web"])
        #expect(web["status"] as? String == "APPLYING")
        #expect(web["executionStalled"] as? Bool == true, "the process holding the lock is gone")
        #expect(try tollgate(fixture, ["status"]).standardOutput.contains("APPLYING (process gone: apply --resume)"))

        let resumed = try tollgate(fixture, ["apply", id, "--resume", "--actor", "amara"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("APPLIED"), "\(resumed.standardOutput)")
        #expect(try status(fixture)["web"]?["status"] as? String == "APPLIED")
        #expect(try tollgate(fixture, ["audit", "verify"]).status == 0)
    }

    @Test("cancel while another tollgate process applies: the deploy command is stopped and both processes report CANCELLED")
    func cancelRunningApply() async throws {
        let fixture = try ReviewFixture(extraFiles: [
            "Policies/deployments.yaml": "deployments:\n  - stacks: [web]\n    provider: command\n    command: [Policies/slow.sh]\n",
            "Policies/slow.sh": "#!/bin/sh\necho started\nexec sleep 60\n",
        ])
        #expect(try tollgate(fixture, ["init", "--actor", "admin"]).status == 0)
        #expect(try tollgate(fixture, ["sync"]).status == 0)
        let id = try #require(try status(fixture)["web"]?["pendingChangeSet"] as? String)
        #expect(try tollgate(fixture, ["approve", id, "--signature", try signApproval(fixture, id: id, as: "amara")]).status == 0)
        let arguments = ["apply", id, "--actor", "amara", "--repo", fixture.git.path, "--state", fixture.statePath]
        let applying = Task.detached { try TollgateBinary.run(arguments) }
        var stored = ""
        for _ in 0..<600 where stored != "APPLYING" {
            try await Task.sleep(for: .milliseconds(100))
            stored = try status(fixture)["web"]?["status"] as? String ?? ""
        }
        #expect(stored == "APPLYING")
        let cancel = try tollgate(fixture, ["cancel", id, "--reason", "not tonight", "--actor", "bastien"])
        #expect(cancel.status == 0, "\(cancel.standardError)")
        #expect(cancel.standardOutput.contains("is CANCELLED"), "\(cancel.standardOutput)")
        #expect(cancel.standardOutput.contains("was stopped: the apply was cancelled"), "\(cancel.standardOutput)")
        let applied = try await applying.value
        #expect(applied.status == 1)
        #expect(applied.standardOutput.contains("cancel requested by bastien"), "\(applied.standardOutput)")
        #expect(applied.standardOutput.contains("CANCELLED"), "\(applied.standardOutput)")
        #expect(try status(fixture)["web"]?["status"] as? String == "NOT_APPLIED")
        #expect(try tollgate(fixture, ["audit", "verify"]).status == 0)
    }
}

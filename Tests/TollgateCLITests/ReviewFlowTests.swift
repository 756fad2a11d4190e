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

    @Test("a disk that fills once the apply has started: the apply says so, the change set stays APPLYING, and --resume records it")
    func diskFullWhileRecording() throws {
        let fixture = try ReviewFixture()
        #expect(try tollgate(fixture, ["init", "--actor", "admin"]).status == 0)
        #expect(try tollgate(fixture, ["sync"]).status == 0)
        let id = try #require(try status(fixture)["web"]?["pendingChangeSet"] as? String)
        #expect(try tollgate(fixture, ["approve", id, "--signature", try signApproval(fixture, id: id, as: "amara")]).status == 0)
        // From statement N on every write fails as on a full disk: each N that leaves the change
        // set APPROVED was refused whole; the first that does not has started the apply.
        var statement = 1
        var stored = "APPROVED"
        var last: CommandResult?
        while stored == "APPROVED" && statement < 200 {
            let run = try TollgateBinary.run(
                ["apply", id, "--actor", "amara", "--repo", fixture.git.path, "--state", fixture.statePath],
                environment: ["TOLLGATE_TEST_DISK_FULL_AFTER_STATEMENTS": String(statement)])
            #expect(run.status == 1, "statement \(statement): \(run.standardOutput)")
            #expect(run.standardError.contains("ran out of space"), "statement \(statement): \(run.standardError)")
            #expect(try tollgate(fixture, ["audit", "verify"]).status == 0, "after statement \(statement)")
            stored = try status(fixture)["web"]?["status"] as? String ?? "?"
            statement += 1
            last = run
        }
        #expect(stored == "APPLYING")
        let run = try #require(last)
        #expect(run.standardError.contains("its provider reported success, but recording that failed"), "\(run.standardError)")
        #expect(run.standardError.contains("run tollgate apply with --resume"), "\(run.standardError)")
        #expect(try status(fixture)["web"]?["stateVersion"] as? Int == nil, "the recorded state is unchanged")

        let resumed = try tollgate(fixture, ["apply", id, "--resume", "--actor", "amara"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(try status(fixture)["web"]?["status"] as? String == "APPLIED")
        #expect(try tollgate(fixture, ["audit", "verify"]).status == 0)
    }

    @Test("a provider that fails while the disk is briefly full ends FAILED with its own message, the lock released")
    func diskFullAfterProviderFailure() throws {
        let fixture = try ReviewFixture(extraFiles: [
            "Policies/deployments.yaml": "deployments:\n  - stacks: [web]\n    provider: command\n    command: [Policies/deploy.sh]\n",
            "Policies/deploy.sh": "#!/bin/sh\necho 'bucket web-assets already exists' >&2\nexit 3\n",
        ])
        #expect(try tollgate(fixture, ["init", "--actor", "admin"]).status == 0)
        #expect(try tollgate(fixture, ["sync"]).status == 0)
        let id = try #require(try status(fixture)["web"]?["pendingChangeSet"] as? String)
        #expect(try tollgate(fixture, ["approve", id, "--signature", try signApproval(fixture, id: id, as: "amara")]).status == 0)
        // One statement fails as on a full disk, then space is back. Each point is tried on a copy
        // of the approved store, until the one where recording the provider's failure fails.
        let approved = fixture.statePath + ".approved"
        try FileManager.default.copyItem(atPath: fixture.statePath, toPath: approved)
        var statement = 1
        var last: CommandResult?
        var output = ""
        while !output.contains("recording this outcome in full failed") && statement < 200 {
            for file in [fixture.statePath, fixture.statePath + "-wal", fixture.statePath + "-shm"] {
                try? FileManager.default.removeItem(atPath: file)
            }
            try FileManager.default.copyItem(atPath: approved, toPath: fixture.statePath)
            last = try TollgateBinary.run(
                ["apply", id, "--actor", "amara", "--repo", fixture.git.path, "--state", fixture.statePath],
                environment: ["TOLLGATE_TEST_DISK_FULL_AFTER_STATEMENTS": String(statement), "TOLLGATE_TEST_DISK_FULL_STATEMENTS": "1"])
            let stored = try status(fixture)["web"]?["status"] as? String ?? "?"
            #expect(stored == "APPROVED" || stored == "FAILED", "statement \(statement): \(stored)")
            if stored == "FAILED" {
                let shown = try JSONSerialization.jsonObject(with: Data(try tollgate(fixture, ["show", id, "--json"]).standardOutput.utf8)) as? [String: Any]
                output = (shown?["executions"] as? [[String: Any]])?.last?["providerOutput"] as? String ?? ""
            }
            statement += 1
        }
        let run = try #require(last)
        #expect(run.status == 1)
        let shown = try #require(JSONSerialization.jsonObject(with: Data(try tollgate(fixture, ["show", id, "--json"]).standardOutput.utf8)) as? [String: Any])
        #expect(shown["status"] as? String == "FAILED", "statement \(statement - 1): \(run.standardOutput)\n\(run.standardError)")
        let execution = try #require((shown["executions"] as? [[String: Any]])?.last)
        let recorded = execution["providerOutput"] as? String ?? ""
        #expect(recorded.contains("bucket web-assets already exists"), "\(recorded)")
        #expect(recorded.contains("recording this outcome in full failed: The state store"), "\(recorded)")
        #expect(try status(fixture)["web"]?["stateVersion"] as? Int == nil, "the recorded state is unchanged")
        #expect(try tollgate(fixture, ["audit", "verify"]).status == 0)
        let audit = try tollgate(fixture, ["audit", "--stack", "web"]).standardOutput
        #expect(audit.contains("execution.finished"), "\(audit)")
        // The lock is released: a new commit's change set can be applied at once.
        #expect(try tollgate(fixture, ["status"]).standardOutput.contains("FAILED"))
        #expect(!(try tollgate(fixture, ["status"]).standardOutput.contains("process gone")))
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

import Foundation
import Testing
import TollgateStore
import TollgateTestSupport

@Suite("tollgate show and explain")
struct ShowCommandTests {
    @Test("show --json lists commits, changes, approvals and executions")
    func json() async throws {
        let review = try await CLIReview.make()
        let key = try #require(review.fixture.keys["amara"]).privateKeyPath
        #expect(try review.run(["approve", review.record.id, "--key", key]).status == 0)
        let store = try await review.fixture.openStore()
        let execution = ExecutionRecord.newID()
        try await store.transaction { tx in
            _ = try await tx.startExecution(id: execution, changeSetID: review.record.id, actor: "tollgate")
            _ = try await tx.finishExecution(id: execution, result: .succeeded, providerOutput: "done", actor: "tollgate")
        }
        try await store.close()
        let result = try review.run(["show", review.record.id, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "APPLIED")
        #expect(json["digest"] as? String == review.record.digest)
        let commits = try #require(json["commits"] as? [[String: Any]])
        #expect(commits.first?["email"] as? String == "carol@example.com")
        let changes = try #require(json["changes"] as? [String: Any])
        #expect((changes["Changes"] as? [Any])?.count == 1)
        let approvals = try #require(json["approvals"] as? [[String: Any]])
        #expect(approvals.first?["reviewer"] as? String == "amara")
        #expect((approvals.first?["signature"] as? String)?.hasPrefix("-----BEGIN SSH SIGNATURE-----") == true)
        let executions = try #require(json["executions"] as? [[String: Any]])
        #expect(executions.first?["id"] as? String == execution)
        #expect(executions.first?["result"] as? String == "SUCCEEDED")
        let text = try review.run(["show", review.record.id]).standardOutput
        #expect(text.contains("\(execution) started"), "\(text)")
    }

    @Test("show lists each execution with who started it, its result and its provider's events, in text and --json")
    func executionEvents() async throws {
        let review = try await CLIReview.make()
        let key = try #require(review.fixture.keys["amara"]).privateKeyPath
        #expect(try review.run(["approve", review.record.id, "--key", key]).status == 0)
        let store = try await review.fixture.openStore()
        let execution = ExecutionRecord.newID()
        try await store.transaction { tx in
            _ = try await tx.startExecution(id: execution, changeSetID: review.record.id, actor: "ops-anna")
            _ = try await tx.finishExecution(
                id: execution, result: .failed, providerOutput: "UPDATE_IN_PROGRESS Assets\nUPDATE_FAILED Assets: \u{1B}[31mdenied", actor: "ops-anna")
        }
        try await store.close()
        let result = try review.run(["show", review.record.id, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let shown = try #require((json["executions"] as? [[String: Any]])?.first)
        #expect(shown["actor"] as? String == "ops-anna")
        #expect(shown["result"] as? String == "FAILED")
        #expect(shown["finishedAt"] is String)
        #expect(shown["events"] as? [String] == ["UPDATE_IN_PROGRESS Assets", "UPDATE_FAILED Assets: \u{1B}[31mdenied"])
        let text = try review.run(["show", review.record.id]).standardOutput
        #expect(text.contains("\(execution) started "), "\(text)")
        #expect(text.contains(" by ops-anna, FAILED at "), "\(text)")
        #expect(text.contains("\n    UPDATE_IN_PROGRESS Assets\n    UPDATE_FAILED Assets: "), "\(text)")
        #expect(!text.contains("\u{1B}"), "a provider's escape sequence never reaches the terminal")
    }

    @Test("a stored signature verifies again with ssh-keygen -Y verify, from show --json alone")
    func reverify() async throws {
        let review = try await CLIReview.make()
        let amara = try #require(review.fixture.keys["amara"])
        #expect(try review.run(["approve", review.record.id, "--key", amara.privateKeyPath]).status == 0)
        let shown = try review.run(["show", review.record.id, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        let approval = try #require((json["approvals"] as? [[String: Any]])?.first)
        let signature = try review.file("stored.sig", try #require(approval["signature"] as? String))
        let signers = try review.file("allowed_signers", "amara \(amara.publicKeyLine)\n")
        let text = try review.run(["show", review.record.id, "--approval-text"]).standardOutput
        let verified = try review.fixture.keygen.run(["-Y", "verify", "-f", signers, "-I", "amara", "-n", "tollgate", "-s", signature], input: text)
        #expect(verified.status == 0)
        #expect(verified.standardOutput.contains("Good \"tollgate\" signature for amara"), "\(verified.standardOutput)")
    }

    @Test("show as text names the commits and the changes")
    func text() async throws {
        let review = try await CLIReview.make()
        let result = try review.run(["show", review.record.id])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Change set \(review.record.id): stack web, PENDING"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Carol Outsider <carol@example.com>"))
        #expect(result.standardOutput.contains("Assets"))
        #expect(result.standardOutput.contains("Approvals: none"))
    }

    @Test("show --approval-text --verdict reject prints the rejection text")
    func rejectionText() async throws {
        let review = try await CLIReview.make()
        let result = try review.run(["show", review.record.id, "--approval-text", "--verdict", "reject"])
        #expect(result.standardOutput.contains("verdict: reject\nchange-set: \(review.record.id)\nstack: web\ndigest: \(review.record.digest)\n"), "\(result.standardOutput)")
    }

    @Test("an unknown id is a clear error with a non-zero exit")
    func unknown() async throws {
        let review = try await CLIReview.make()
        for command in [["show", "cs-00000000"], ["explain", "cs-00000000"], ["show", "cs-00000000", "--approval-text"]] {
            let result = try review.run(command)
            #expect(result.status != 0)
            #expect(result.standardError.contains("No change set has the id cs-00000000"), "\(result.standardError)")
        }
    }

    @Test("explain shows the rules, who may approve, the window, and JSON for programs")
    func explain() async throws {
        let review = try await CLIReview.make()
        let result = try review.run(["explain", review.record.id])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("rule 'web': not met"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("needs 1 more, from amara, bastien"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Change window: open"))
        #expect(result.standardOutput.contains("Cannot be applied now: it is not approved yet."))
        let json = try review.run(["explain", review.record.id, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let report = try #require(object["review"] as? [String: Any])
        #expect(report["status"] as? String == "PENDING")
        #expect(report["canApplyNow"] as? Bool == false)
    }
}

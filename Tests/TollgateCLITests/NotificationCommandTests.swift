import Foundation
import Testing
import TollgateTestSupport

@Suite("tollgate notifications")
struct NotificationCommandTests {
    private func notifications(_ setup: CLIRepository, _ arguments: [String] = []) throws -> [[String: Any]] {
        let result = try TollgateBinary.run(["notifications", "list", "--json"] + arguments + setup.store)
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
    }

    private func changeSetStatus(_ setup: CLIRepository, _ id: String) throws -> String? {
        let shown = try TollgateBinary.run(["show", id, "--json"] + setup.store)
        return (try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])?["status"] as? String
    }

    @Test("killed at every statement of a cancel, the store has the cancel and its notification together or neither")
    func cancelAndNotificationTogether() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        let setup = try CLIRepository(fixture)
        let sync = try TollgateBinary.run(["sync", "--json"] + setup.store)
        let id = try #require(try createdChangeSets(sync.standardOutput).first?["id"] as? String)
        #expect(try notifications(setup).map { $0["event"] as? String } == ["pending"], "sync queued the PENDING notification")

        var statement = 1
        var finished = false
        var crashes = 0
        while !finished && statement < 200 {
            let run = try TollgateBinary.run(
                ["cancel", id, "--reason", "freeze"] + setup.store, environment: ["TOLLGATE_TEST_EXIT_AFTER_STATEMENTS": String(statement)])
            #expect(run.status == 86 || run.status == 0, "statement \(statement): \(run.standardError)")
            if run.status == 86 { crashes += 1 }
            let cancelled = try changeSetStatus(setup, id) == "CANCELLED"
            let announced = try notifications(setup).contains { $0["event"] as? String == "cancelled" }
            #expect(cancelled == announced, "after statement \(statement): cancelled \(cancelled), notification \(announced)")
            // Killed right after COMMIT, the cancel is done: the next run would be refused.
            finished = run.status == 0 || cancelled
            statement += 1
        }
        #expect(finished)
        #expect(crashes > 3, "the cancel's transaction has several statements, each of which was a kill point")
        let rows = try notifications(setup)
        #expect(rows.map { $0["event"] as? String } == ["cancelled", "pending"])
        #expect(rows.first?["actor"] as? String != nil)
        #expect(rows.allSatisfy { $0["state"] as? String == "queued" })
        #expect(try TollgateBinary.run(["audit", "verify"] + setup.store).status == 0)
    }

    @Test("list shows the outbox in text, --failed only failed ones; retry refuses a notification that did not fail")
    func listAndRetry() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        let setup = try CLIRepository(fixture)
        #expect(try TollgateBinary.run(["sync"] + setup.store).status == 0)

        let text = try TollgateBinary.run(["notifications", "list"] + setup.store)
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("1  queued  pending  network  cs-"), "\(text.standardOutput)")
        let failed = try TollgateBinary.run(["notifications", "list", "--failed"] + setup.store)
        #expect(failed.standardOutput == "No failed notifications.\n")
        #expect(try notifications(setup, ["--failed"]).isEmpty)

        let retry = try TollgateBinary.run(["notifications", "retry", "1"] + setup.store)
        #expect(retry.status != 0)
        #expect(retry.standardError.contains("Notification 1 is queued, not failed"), "\(retry.standardError)")
        let unknown = try TollgateBinary.run(["notifications", "retry", "42"] + setup.store)
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("No notification in the outbox has the id 42"), "\(unknown.standardError)")
        let audit = try TollgateBinary.run(["audit", "list"] + setup.store)
        #expect(!audit.standardOutput.contains("notification.retried"), "a refused retry audits nothing")
    }
}

import Foundation
import Testing
import TollgateTestSupport

@Suite("tollgate cancel")
struct CancelCommandTests {
    private func pending() throws -> (GitFixture, TemporaryDirectory, store: [String], id: String) {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        let directory = try TemporaryDirectory(prefix: "tollgate-cancel-cli")
        let store = ["--repo", fixture.path, "--state", directory.appending("state.db")]
        let sync = try TollgateBinary.run(["sync", "--json"] + store)
        let id = try #require(try createdChangeSets(sync.standardOutput).first?["id"] as? String)
        return (fixture, directory, store, id)
    }

    @Test("cancel marks the change set CANCELLED with the reason and actor, not REJECTED")
    func cancel() throws {
        let (_, _, store, id) = try pending()
        let result = try TollgateBinary.run(["cancel", id, "--reason", "freeze week", "--actor", "ops@example.com"] + store)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("\(id) of network is CANCELLED: freeze week"))
        let entry = try #require(try auditEntries(store).last)
        #expect(entry["actor"] as? String == "ops@example.com")
        #expect(entry["changeSet"] as? String == id)
        let details = try #require(entry["details"] as? [String: String])
        #expect(details["to"] == "CANCELLED")
        #expect(details["reason"] == "freeze week")
        let status = try TollgateBinary.run(["status", "--json"] + store)
        let rows = try #require(JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [[String: Any]])
        #expect(rows.first?["pendingChangeSet"] == nil)
    }

    @Test("an unknown id fails with one clear error and writes nothing")
    func unknown() throws {
        let (_, _, store, _) = try pending()
        let before = try auditEntries(store).count
        let result = try TollgateBinary.run(["cancel", "cs-00000000", "--reason", "typo", "--actor", "ops"] + store)
        #expect(result.status != 0)
        #expect(result.standardError.contains("No change set has the id cs-00000000"))
        #expect(result.standardError.split(separator: "\n").count == 1)
        #expect(try auditEntries(store).count == before)
    }

    @Test("a change set cannot be cancelled twice, nor once superseded", arguments: ["twice", "superseded"])
    func illegal(case name: String) throws {
        let (fixture, _, store, id) = try pending()
        if name == "twice" {
            #expect(try TollgateBinary.run(["cancel", id, "--reason", "first", "--actor", "ops"] + store).status == 0)
        } else {
            try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n  Gateway:\n    Type: AWS::EC2::InternetGateway\n")
            try fixture.commit("add gateway")
            #expect(try TollgateBinary.run(["sync"] + store).status == 0)
        }
        let before = try auditEntries(store).count
        let result = try TollgateBinary.run(["cancel", id, "--reason", "again", "--actor", "ops"] + store)
        #expect(result.status != 0)
        #expect(result.standardError.contains(id))
        #expect(try auditEntries(store).count == before)
    }

    @Test("an empty reason is refused before anything is opened")
    func emptyReason() throws {
        let (_, _, store, id) = try pending()
        let result = try TollgateBinary.run(["cancel", id, "--reason", "  ", "--actor", "ops"] + store)
        #expect(result.status != 0)
        #expect(result.standardError.contains("--reason is empty"))
    }
}

import Foundation
import Testing
import TollgateTestSupport
import TollgateStore

@Suite("tollgate cancel")
struct CancelCommandTests {
    private func pending() throws -> (CLIRepository, id: String) {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        let setup = try CLIRepository(fixture)
        let sync = try TollgateBinary.run(["sync", "--json"] + setup.store)
        let id = try #require(try createdChangeSets(sync.standardOutput).first?["id"] as? String)
        return (setup, id)
    }

    @Test("cancel marks the change set CANCELLED with the reason and actor, not REJECTED")
    func cancel() throws {
        let (setup, id) = try pending()
        let result = try TollgateBinary.run(["cancel", id, "--reason", "freeze week", "--actor", "ops@example.com"] + setup.store)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("\(id) of network is CANCELLED: freeze week"))
        let entry = try #require(try auditEntries(setup.store).last)
        #expect(entry["actor"] as? String == "ops@example.com")
        #expect(entry["changeSet"] as? String == id)
        let details = try #require(entry["details"] as? [String: String])
        #expect(details["to"] == "CANCELLED")
        #expect(details["reason"] == "freeze week")
        let status = try TollgateBinary.run(["status", "--json"] + setup.store)
        let report = try #require(JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
        let rows = try #require(report["stacks"] as? [[String: Any]])
        #expect(rows.first?["pendingChangeSet"] is NSNull)
    }

    @Test("under operators-must-sign, a cancel needs a listed key's signature and names its holder")
    func signedCancel() async throws {
        let fixture = try ReviewFixture()
        try fixture.git.write("Policies/approvals.yaml", "operators-must-sign: true\n" + ReviewFixture.approvals)
        try fixture.git.commit("operators sign", author: ReviewFixture.outsider)
        let options = ["--repo", fixture.git.path, "--state", fixture.statePath]
        #expect(try TollgateBinary.run(["init", "--actor", "lead"] + options).status == 0)
        let store = try await fixture.openStore()
        let record = try await fixture.createStackChangeSet(commits: [fixture.firstCommit], in: store)
        try await store.close()

        let unsigned = try TollgateBinary.run(["cancel", record.id, "--reason", "freeze", "--actor", "ops"] + options)
        #expect(unsigned.status != 0)
        #expect(unsigned.standardError.contains("operators-must-sign"), "\(unsigned.standardError)")
        let stranger = try TollgateBinary.run(
            ["cancel", record.id, "--reason", "freeze", "--key", try #require(fixture.keys["mallory"]).privateKeyPath] + options)
        #expect(stranger.status != 0)
        let signed = try TollgateBinary.run(
            ["cancel", record.id, "--reason", "freeze", "--actor", "ops", "--key", try #require(fixture.keys["dana"]).privateKeyPath] + options)
        #expect(signed.status == 0, "\(signed.standardError)")
        let entry = try #require(try auditEntries(options).last)
        #expect(entry["actor"] as? String == "dana")
    }

    @Test("an unknown id fails with one clear error and writes nothing")
    func unknown() throws {
        let (setup, _) = try pending()
        let before = try auditEntries(setup.store).count
        let result = try TollgateBinary.run(["cancel", "cs-00000000", "--reason", "typo", "--actor", "ops"] + setup.store)
        #expect(result.status != 0)
        #expect(result.standardError.contains("No change set has the id cs-00000000"))
        #expect(result.standardError.split(separator: "\n").count == 1)
        #expect(try auditEntries(setup.store).count == before)
    }

    @Test("a change set cannot be cancelled twice, nor once superseded", arguments: ["twice", "superseded"])
    func illegal(case name: String) throws {
        let (setup, id) = try pending()
        if name == "twice" {
            #expect(try TollgateBinary.run(["cancel", id, "--reason", "first", "--actor", "ops"] + setup.store).status == 0)
        } else {
            try setup.git.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n  Gateway:\n    Type: AWS::EC2::InternetGateway\n")
            try setup.git.commit("add gateway")
            #expect(try TollgateBinary.run(["sync"] + setup.store).status == 0)
        }
        let before = try auditEntries(setup.store).count
        let result = try TollgateBinary.run(["cancel", id, "--reason", "again", "--actor", "ops"] + setup.store)
        #expect(result.status != 0)
        #expect(result.standardError.contains(id))
        #expect(try auditEntries(setup.store).count == before)
    }

    @Test("an empty reason is refused before anything is opened")
    func emptyReason() throws {
        let (setup, id) = try pending()
        let result = try TollgateBinary.run(["cancel", id, "--reason", "  ", "--actor", "ops"] + setup.store)
        #expect(result.status != 0)
        #expect(result.standardError.contains("--reason is empty"))
    }
}

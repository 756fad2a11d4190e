import Foundation
import Testing
import TollgateTestSupport

@Suite("tollgate status")
struct StatusCommandTests {
    private func synced() throws -> (CLIRepository, ids: [String: String]) {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network-eu/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.write("Stacks/network-us/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.write("Stacks/storage/template.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
        try fixture.commit("add stacks")
        let setup = try CLIRepository(fixture)
        let sync = try TollgateBinary.run(["sync", "--json"] + setup.store)
        #expect(sync.status == 0, "\(sync.standardError)")
        var ids: [String: String] = [:]
        for changeSet in try createdChangeSets(sync.standardOutput) {
            if let stack = changeSet["stack"] as? String, let id = changeSet["id"] as? String { ids[stack] = id }
        }
        return (setup, ids)
    }

    @Test("--json lists every stack with its status and pending change set")
    func json() throws {
        let (setup, ids) = try synced()
        let result = try TollgateBinary.run(["status", "--json"] + setup.store)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(report["policy"] is NSNull, "no policy is in force before init")
        let rows = try #require(report["stacks"] as? [[String: Any]])
        #expect(rows.compactMap { $0["stack"] as? String } == ["network-eu", "network-us", "storage"])
        #expect(rows.allSatisfy { $0["status"] as? String == "PENDING" })
        #expect(rows.first?["pendingChangeSet"] as? String == ids["network-eu"])
        #expect(rows.allSatisfy { $0["lastExecution"] is NSNull && $0["result"] is NSNull })
    }

    @Test("TEXT keeps the stacks whose name contains it")
    func filter() throws {
        let (setup, _) = try synced()
        let result = try TollgateBinary.run(["status", "work-u"] + setup.store)
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("Policy in force: none") == true)
        #expect(lines.dropFirst().first?.hasPrefix("STACK") == true)
        #expect(lines.last?.hasPrefix("network-us") == true)
        #expect(lines.last?.contains("PENDING") == true)
    }

    @Test("a stack never synced shows NOT_APPLIED and dashes")
    func notApplied() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        let setup = try CLIRepository(fixture)
        let result = try TollgateBinary.run(["status"] + setup.store)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("network  NOT_APPLIED  -"))
    }
}

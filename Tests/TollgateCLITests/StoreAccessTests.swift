import Foundation
import Testing
import TollgateTestSupport

/// A store is never silently replaced, and reading it needs no right to write it.
@Suite("Store access")
struct StoreAccessTests {
    @Test("a zero-byte state file is refused, named, and left as it is", arguments: ["status", "sync"])
    func zeroBytes(command: String) throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        let folder = try TemporaryDirectory(prefix: "tollgate-empty-store")
        let state = folder.appending("state.db")
        #expect(FileManager.default.createFile(atPath: state, contents: Data()))
        let result = try TollgateBinary.run([command, "--repo", fixture.path, "--state", state])
        #expect(result.status != 0)
        #expect(result.standardError.contains(state), "\(result.standardError)")
        #expect(result.standardError.contains("empty file (0 bytes)"), "\(result.standardError)")
        #expect(result.standardError.contains("start afresh"), "\(result.standardError)")
        #expect((try FileManager.default.attributesOfItem(atPath: state)[.size] as? Int) == 0)
    }

    @Test("status, show, audit and audit verify work on a store the user can only read")
    func readOnlyStore() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        let folder = try TemporaryDirectory(prefix: "tollgate-readonly-store")
        let state = folder.appending("state.db")
        let sync = try TollgateBinary.run(["sync", "--json", "--repo", fixture.path, "--state", state])
        #expect(sync.status == 0, "\(sync.standardError)")
        let id = try #require(try createdChangeSets(sync.standardOutput).first?["id"] as? String)

        // The tests run as root, so the reads run as the unprivileged user nobody, who owns the
        // clone (git refuses a repository of another owner) and may only read the store.
        _ = try CommandResult.run(["chown", "-R", "65534:65534", fixture.path])
        _ = try CommandResult.run(["chmod", "-R", "a+rX,go-w", folder.path])
        _ = try CommandResult.run(["chmod", "a+rx", try TollgateBinary.path()])
        let before = try Data(contentsOf: URL(fileURLWithPath: state))
        let asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", try TollgateBinary.path()]
        let store = ["--repo", fixture.path, "--state", state]
        for arguments in [["status"], ["show", id], ["audit"], ["audit", "verify"]] {
            let result = try CommandResult.run(asNobody + arguments + store, environment: ["HOME": "/"])
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
        }
        let status = try CommandResult.run(asNobody + ["status"] + store, environment: ["HOME": "/"])
        #expect(status.standardOutput.contains("network  PENDING  \(id)"), "\(status.standardOutput)")
        let written = try CommandResult.run(asNobody + ["sync"] + store, environment: ["HOME": "/"])
        #expect(written.status != 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == before)
    }
}

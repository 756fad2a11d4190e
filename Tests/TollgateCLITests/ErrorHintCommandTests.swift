import Testing
import TollgateTestSupport

/// The engine's errors name no flag; the command line adds the one that gets past each.
@Suite("The command line's hints on engine errors")
struct ErrorHintCommandTests {
    @Test("a folder that is no repository gets the --repo hint")
    func repository() throws {
        let folder = try TemporaryDirectory(prefix: "tollgate-no-repo")
        let result = try TollgateBinary.run(["history", "--repo", folder.path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("is not a git repository (or inside one); pass --repo with the path of a clone."), "\(result.standardError)")
    }

    @Test("an unknown branch gets the --branch hint, and a store that cannot be opened the --state hint")
    func branchAndStore() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        let branch = try TollgateBinary.run(["history", "--repo", fixture.path, "--branch", "trunk"])
        #expect(branch.status != 0)
        #expect(branch.standardError.contains("Branch 'trunk' does not exist (local branches: main); pass --branch or set 'branch' in tollgate.yaml."), "\(branch.standardError)")
        let folder = try TemporaryDirectory(prefix: "tollgate-no-store")
        let store = try TollgateBinary.run(["sync", "--repo", fixture.path, "--state", folder.appending("missing/state.db")])
        #expect(store.status != 0)
        #expect(store.standardError.contains("check the path and its permissions, or choose another with --state."), "\(store.standardError)")
    }

    @Test("a --since that is not on the branch gets the --since hint")
    func since() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        try fixture.git("checkout", "-q", "-b", "side")
        try fixture.write("Stacks/network/config.json", "{}\n")
        let side = try fixture.commit("on a side branch")
        try fixture.git("checkout", "-q", "main")
        let result = try TollgateBinary.run(["history", "--repo", fixture.path, "--since", side])
        #expect(result.status != 0)
        #expect(result.standardError.contains("is not an ancestor of 'main'; --since must name a commit on the branch."), "\(result.standardError)")
    }
}

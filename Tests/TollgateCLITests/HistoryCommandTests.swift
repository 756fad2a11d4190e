import Foundation
import Testing
import TollgateTestSupport

@Suite("tollgate history")
struct HistoryCommandTests {
    private func repository() throws -> GitFixture {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources: {}\n")
        try fixture.commit("add network", date: 1_700_000_000)
        try fixture.write("Stacks/network/config.json", "{}\n")
        try fixture.commit("configure network", date: 1_700_000_060)
        return fixture
    }

    @Test("--json prints one object per line with the documented keys, parent null first")
    func json() throws {
        let fixture = try repository()
        let result = try TollgateBinary.run(["history", "--repo", fixture.path, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(Set(first.keys) == ["commit", "parent", "author", "committer", "summary", "stacks", "policies", "settings"])
        #expect(first["parent"] is NSNull)
        #expect((first["author"] as? [String: Any])?["time"] as? String == "2023-11-14T23:13:20+01:00")
        let second = try #require(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["parent"] as? String == first["commit"] as? String)
        let stacks = try #require(second["stacks"] as? [[String: Any]])
        #expect(stacks.first?["change"] as? String == "modified")
        #expect(stacks.first?["files"] as? [String] == ["Stacks/network/config.json"])
    }

    @Test("the plain output is a readable list without colour in a pipe")
    func plain() throws {
        let fixture = try repository()
        let result = try TollgateBinary.run(["history", "--repo", fixture.path])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("add network"))
        #expect(result.standardOutput.contains("modified  network  Stacks/network/config.json"))
        #expect(!result.standardOutput.contains("\u{1B}["))
        let colored = try TollgateBinary.run(["history", "--repo", fixture.path, "--color", "always"])
        #expect(colored.standardOutput.contains("\u{1B}["))
    }

    @Test("bad input exits non-zero with one line naming what is wrong", arguments: [
        (["--repo", "/nonexistent/place"], "'/nonexistent/place' is not a git repository"),
        (["--branch", "nope"], "Branch 'nope' does not exist"),
        (["--since", "nope"], "'nope' does not name a commit"),
        (["--config", "/nonexistent/tollgate.yaml"], "Cannot read the settings file '/nonexistent/tollgate.yaml': no such file"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let fixture = try repository()
        let result = try TollgateBinary.run(["history"] + arguments, in: fixture.path)
        #expect(result.status != 0)
        #expect(result.standardError.contains(message), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test("an empty repository is named as such")
    func emptyRepository() throws {
        let fixture = try GitFixture()
        let result = try TollgateBinary.run(["history", "--repo", fixture.path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("has no commits yet"))
    }

    /// The git object id of the bytes `tollgate` printed, as a short fingerprint of a long output.
    private func fingerprint(_ text: String, in fixture: GitFixture) throws -> String {
        try fixture.git(["hash-object", "--stdin"], environment: [:], input: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The fingerprints were taken from the output of the implementation that read trees through
    /// git_tree_lookup, before history read raw tree objects: the output must not change by a byte.
    @Test("--json is byte for byte what it was on a long history with merges, renames, deletions and odd names", arguments: [
        ([] as [String], "26d44630b0e9cf893d3f3fde07e5f87dc300d193"),
        (["--all"], "55408ed6dd33c7f4f48b3c3ec3920c9316fccbb4"),
    ])
    func unchangedOutput(extra: [String], expected: String) throws {
        let fixture = try HistoryFixture(commits: 400).git
        let result = try TollgateBinary.run(["history", "--repo", fixture.path, "--json"] + extra)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").count == (extra.isEmpty ? 225 : 355))
        #expect(try fingerprint(result.standardOutput, in: fixture) == expected)
    }
}

import Foundation
import Testing
import TollgateCore
@testable import TollgateEngine
import TollgateGit
import TollgateTestSupport
import TollgateStore

/// One commit of a history as the tests state it: its summary and what Tollgate should report.
private struct Expected: Equatable, CustomStringConvertible {
    let summary: String
    let stacks: [StackChange]
    var policies = false
    var settings = false

    var description: String { "\(summary): \(stacks.map { "\($0.change) \($0.name) \($0.files)" }) policies=\(policies) settings=\(settings)" }
}

private func entries(_ managed: ManagedRepository, since: String? = nil, all: Bool = false) async throws -> [Expected] {
    var expected: [Expected] = []
    for scanned in try await managed.history(since: since, includeAll: all) {
        let entry = try await managed.entry(for: scanned)
        expected.append(Expected(summary: entry.summary, stacks: entry.stacks, policies: entry.policies, settings: entry.settings))
    }
    return expected
}

/// A repository with every kind of change: stacks added, changed, configured, moved and deleted,
/// commits that touch only other files, policy changes and a merge.
private func busyRepository() throws -> GitFixture {
    let fixture = try GitFixture()
    try fixture.write("Stacks/network/template.yaml", "Resources: {}\n")
    try fixture.write("Stacks/network/config.json", "{}\n")
    try fixture.write("Stacks/database/template.json", "{}\n")
    try fixture.write("README.md", "hello\n")
    try fixture.commit("initial")
    try fixture.write("Stacks/network/template.yaml", "Resources: {A: 1}\n")
    try fixture.commit("change network")
    try fixture.write("Stacks/database/config.json", "{\"Parameters\": {}}\n")
    try fixture.commit("configure database")
    try fixture.write("README.md", "hello again\n")
    try fixture.write("Stacks/network/notes.md", "not a stack file\n")
    try fixture.commit("docs only")
    try fixture.write("Policies/reviewers.yaml", "people: []\n")
    try fixture.commit("policies")
    try fixture.git("checkout", "-q", "-b", "feature")
    try fixture.write("Stacks/service/template.yaml", "Resources: {}\n")
    try fixture.commit("add service on a branch")
    try fixture.write("Stacks/service/config.json", "{}\n")
    try fixture.commit("configure service on a branch")
    try fixture.git("checkout", "-q", "main")
    try fixture.write("Stacks/network/config.json", "{\"Tags\": {}}\n")
    try fixture.commit("tag network")
    try fixture.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    try fixture.git("mv", "Stacks/database", "Stacks/db")
    try fixture.commit("move database")
    try fixture.remove("Stacks/network")
    try fixture.commit("delete network")
    return fixture
}

@Suite("History")
struct HistoryTests {
    @Test("each commit on main reports the stacks it added, modified or deleted, oldest first")
    func busyHistory() async throws {
        let fixture = try busyRepository()
        let managed = try ManagedRepository(path: fixture.path)
        #expect(try await entries(managed) == [
            Expected(summary: "initial", stacks: [
                StackChange(name: "database", change: .added, files: ["Stacks/database/template.json"]),
                StackChange(name: "network", change: .added, files: ["Stacks/network/config.json", "Stacks/network/template.yaml"]),
            ]),
            Expected(summary: "change network", stacks: [StackChange(name: "network", change: .modified, files: ["Stacks/network/template.yaml"])]),
            Expected(summary: "configure database", stacks: [StackChange(name: "database", change: .modified, files: ["Stacks/database/config.json"])]),
            Expected(summary: "policies", stacks: [], policies: true),
            Expected(summary: "tag network", stacks: [StackChange(name: "network", change: .modified, files: ["Stacks/network/config.json"])]),
            Expected(summary: "merge feature", stacks: [
                StackChange(name: "service", change: .added, files: ["Stacks/service/config.json", "Stacks/service/template.yaml"]),
            ]),
            Expected(summary: "move database", stacks: [
                StackChange(name: "database", change: .deleted, files: ["Stacks/database/config.json", "Stacks/database/template.json"]),
                StackChange(name: "db", change: .added, files: ["Stacks/db/config.json", "Stacks/db/template.json"]),
            ]),
            Expected(summary: "delete network", stacks: [
                StackChange(name: "network", change: .deleted, files: ["Stacks/network/config.json", "Stacks/network/template.yaml"]),
            ]),
        ])
        let all = try await entries(managed, all: true)
        #expect(all.map(\.summary) == ["initial", "change network", "configure database", "docs only", "policies",
                                       "tag network", "merge feature", "move database", "delete network"])
        #expect(all[3].stacks.isEmpty)
    }

    @Test("the stack files of each commit are exactly the ones git log --first-parent --name-status shows")
    func agreesWithGitLog() async throws {
        let fixture = try busyRepository()
        let managed = try ManagedRepository(path: fixture.path)
        let log = try fixture.git("log", "--first-parent", "--no-renames", "--reverse", "--format=@%H", "--name-status")
        var gitFiles: [String: Set<String>] = [:]
        var current = ""
        for line in log.split(separator: "\n") {
            if line.hasPrefix("@") {
                current = String(line.dropFirst())
                gitFiles[current] = []
            } else if let path = line.split(separator: "\t").last {
                gitFiles[current, default: []].insert(String(path))
            }
        }
        let scanned = try await managed.history(includeAll: true)
        #expect(scanned.count == gitFiles.count)
        for commit in scanned {
            let git = try #require(gitFiles[commit.id.hex])
            let stackFiles = git.filter { !StackLayout.standard.matches(for: $0).isEmpty }
            #expect(Set(commit.stacks.flatMap(\.files)) == stackFiles, "commit \(commit.id.short)")
            #expect(commit.policyFiles == git.filter { $0.hasPrefix("Policies/") }.sorted(), "commit \(commit.id.short)")
        }
    }

    @Test("--since starts after the given commit")
    func since() async throws {
        let fixture = try busyRepository()
        let managed = try ManagedRepository(path: fixture.path)
        #expect(try await entries(managed, since: "HEAD~2").map(\.summary) == ["move database", "delete network"])
        #expect(try await entries(managed, since: "HEAD").isEmpty)
    }

    @Test("--since that is not an ancestor, or only reached through a merge, is refused")
    func sinceNotOnBranch() async throws {
        let fixture = try busyRepository()
        try fixture.git("checkout", "-q", "-b", "elsewhere", "HEAD~3")
        try fixture.write("x", "1\n")
        try fixture.commit("unmerged work")
        try fixture.git("checkout", "-q", "main")
        let managed = try ManagedRepository(path: fixture.path)
        await #expect(throws: HistoryError.notAnAncestor(revision: "elsewhere", branch: "main")) {
            try await managed.history(since: "elsewhere")
        }
        await #expect(throws: HistoryError.notOnFirstParentHistory(revision: "feature", branch: "main")) {
            try await managed.history(since: "feature")
        }
    }

    @Test("a tollgate.yaml layout names stacks by what {name} matched, across folders")
    func customLayout() async throws {
        let fixture = try GitFixture()
        try fixture.write("tollgate.yaml", "stacks:\n  - template: \"{name}.yaml\"\n    config: \"{name}.config.json\"\n")
        try fixture.write("infra/network.yaml", "Resources: {}\n")
        try fixture.write("teams/payments/api.yaml", "Resources: {}\n")
        try fixture.write("Policies/approvals.yaml", "rules: []\n")
        try fixture.commit("initial")
        try fixture.write("teams/payments/api.config.json", "{}\n")
        try fixture.commit("configure api")
        try fixture.write("tollgate.yaml", "branch: main\nstacks:\n  - template: \"{name}.yaml\"\n    config: \"{name}.config.json\"\n")
        try fixture.commit("settings")
        let managed = try ManagedRepository(path: fixture.path)
        #expect(try await entries(managed) == [
            Expected(summary: "initial", stacks: [
                StackChange(name: "infra/network", change: .added, files: ["infra/network.yaml"]),
                StackChange(name: "teams/payments/api", change: .added, files: ["teams/payments/api.yaml"]),
            ], policies: true, settings: true),
            Expected(summary: "configure api", stacks: [
                StackChange(name: "teams/payments/api", change: .modified, files: ["teams/payments/api.config.json"]),
            ]),
            Expected(summary: "settings", stacks: [], settings: true),
        ])
    }

    @Test("--config replaces the repository's own settings, and the branch can be chosen")
    func settingsFileAndBranch() async throws {
        let fixture = try GitFixture(branch: "trunk")
        try fixture.write("cfn/network.template", "Resources: {}\n")
        try fixture.write("Stacks/ignored/template.yaml", "Resources: {}\n")
        try fixture.commit("initial")
        let folder = try TemporaryDirectory()
        let settings = folder.appending("tollgate.yaml")
        try Data("branch: trunk\nstacks:\n  - template: \"cfn/{name}.template\"\n".utf8).write(to: URL(fileURLWithPath: settings))
        let managed = try ManagedRepository(path: fixture.path, settingsFile: settings)
        #expect(managed.branch == "trunk")
        #expect(try await entries(managed).first?.stacks == [StackChange(name: "network", change: .added, files: ["cfn/network.template"])])
        let standard = try ManagedRepository(path: fixture.path, branch: "trunk")
        #expect(try await entries(standard).first?.stacks.map(\.name) == ["ignored"])
    }

    @Test("two templates that claim one stack are refused, naming both paths and the commit")
    func duplicateStack() async throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources: {}\n")
        try fixture.write("Stacks/network/template.json", "{}\n")
        let id = try fixture.commit("two templates")
        let managed = try ManagedRepository(path: fixture.path)
        let error = try await #require(throws: LayoutError.self) { try await managed.history() }
        #expect(error == .duplicateStack(name: "network", firstPath: "Stacks/network/template.yaml",
                                         secondPath: "Stacks/network/template.json", commit: String(id.prefix(7))))
    }

    @Test("a malformed tollgate.yaml is named with its commit, line and field")
    func malformedSettings() async throws {
        let fixture = try GitFixture()
        try fixture.write("tollgate.yaml", "branch: main\nstacks:\n  - template: \"Stacks/template.yaml\"\n")
        let id = try fixture.commit("bad settings")
        let error = try #require(throws: LayoutError.self) { try ManagedRepository(path: fixture.path) }
        #expect(error.description.hasPrefix("tollgate.yaml at commit \(id.prefix(7)):3:15: stacks[0].template"))
        #expect(error.description.contains("no {name} placeholder"))
    }

    @Test("a shallow clone says where history stops and how to fetch the rest")
    func shallowClone() async throws {
        let fixture = try busyRepository()
        let folder = try TemporaryDirectory()
        let clone = folder.appending("clone")
        try GitFixture.run(["git", "clone", "-q", "--depth", "2", "--branch", "main", "file://\(fixture.path)", clone])
        let managed = try ManagedRepository(path: clone)
        let error = try await #require(throws: GitError.self) { try await managed.history() }
        guard case .missingObject(_, _, let shallow) = error else {
            Issue.record("expected a missing object, got \(error)")
            return
        }
        #expect(shallow)
        #expect(error.description.contains("git fetch --unshallow"))
    }

    @Test("a missing tree object is reported as damage, naming the commit")
    func corruptRepository() async throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources: {}\n")
        try fixture.commit("first")
        try fixture.write("Stacks/network/template.yaml", "Resources: {A: 1}\n")
        let second = try fixture.commit("second")
        let tree = try fixture.git("rev-parse", "HEAD~1:Stacks").trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(atPath: fixture.appendingGit("objects/\(tree.prefix(2))/\(tree.dropFirst(2))"))
        let managed = try ManagedRepository(path: fixture.path)
        let error = try await #require(throws: GitError.self) { try await managed.history() }
        #expect(error.description.contains(String(tree.prefix(7))))
        #expect(error.description.contains(String(second.prefix(7))))
        #expect(error.description.contains("git fsck"))
    }

    @Test("a stack path that is not UTF-8 fails only its own stack, and only until it is renamed")
    func unreadableStackPath() async throws {
        let fixture = try await SyncFixture.make(.sqlite)
        let git = fixture.git
        try git.write("Stacks/ok/template.yaml", bucketTemplate(["Logs"]))
        try GitFixture.run(["sh", "-c", "cd \"$0\" && mkdir -p src && printf x > \"src/$(printf '\\377')\"", git.path])
        try git.commit("first")
        #expect(try await entries(ManagedRepository(path: git.path)).count == 1)

        try GitFixture.run(["sh", "-c", "cd \"$0\" && mkdir -p \"Stacks/caf$(printf '\\351')\" && printf 'Resources:\\n  Q:\\n    Type: AWS::SQS::Queue\\n' > \"Stacks/caf$(printf '\\351')/template.yaml\"", git.path])
        try git.write("Stacks/ok/template.yaml", bucketTemplate(["Logs", "More"]))
        let second = try git.commit("add a badly named stack, grow ok")

        #expect(try await ManagedRepository(path: git.path).history().count == 2)
        let report = try await fixture.sync()
        let failed = try #require(report.created.first { $0.status == .failed })
        #expect(failed.stack == "caf\u{FFFD}")
        let record = try await fixture.store.changeSet(id: failed.id)
        #expect(record.statusReason?.contains("is not valid UTF-8") == true, "\(record.statusReason ?? "")")
        #expect(report.created.contains { $0.stack == "ok" && $0.status == .pending && $0.targetCommit == second })

        try GitFixture.run(["sh", "-c", "cd \"$0\" && mv \"Stacks/caf$(printf '\\351')\" Stacks/cafe", git.path])
        try git.commit("rename the bad stack")
        let next = try await fixture.sync()
        #expect(next.created.map(\.stack) == ["cafe"])
        #expect(next.created.first?.status == .pending)
        try await fixture.close()
    }
}

extension HistoryTests {
    @Test("a path component git refuses fails only its own stack, and only until a later commit removes it", arguments: [".git", ".."])
    func refusedPathComponent(component: String) async throws {
        let fixture = try await SyncFixture.make(.sqlite)
        let git = fixture.git
        try git.write("Stacks/ok/template.yaml", bucketTemplate(["Logs"]))
        let first = try git.commit("first")
        // Stacks/<component>/template.yaml beside Stacks/ok, then a commit that takes it away again.
        let bad = try git.commitCraftedFolder(
            component, in: "Stacks", file: "template.yaml", contents: "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
            message: "a path git refuses")
        let clean = try git.git("commit-tree", "\(first)^{tree}", "-p", bad, "-m", "remove it")
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let report = try await fixture.sync()
        let failed = try #require(report.created.first { $0.stack == component }, "\(report.created.map(\.stack))")
        #expect(failed.status == .failed)
        #expect(failed.targetCommit == bad)
        let record = try await fixture.store.changeSet(id: failed.id)
        #expect(record.statusReason?.contains("a component git refuses") == true, "\(record.statusReason ?? "")")
        #expect(report.created.contains { $0.stack == "ok" && $0.status == .pending && $0.targetCommit == first })
        #expect(try await fixture.store.scanCursor(branch: "main") == bad)

        try GitFixture.run(["git", "-C", git.path, "update-ref", "HEAD", clean])
        let next = try await fixture.sync()
        #expect(!next.created.contains { $0.status == .failed }, "\(next.created)")
        #expect(try await fixture.store.scanCursor(branch: "main") == clean)
        try await fixture.close()
    }
}

extension GitFixture {
    /// The path of `relative` inside the repository's `.git` folder.
    func appendingGit(_ relative: String) -> String {
        directory.appending(".git/" + relative)
    }
}

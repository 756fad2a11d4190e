import Testing
import TollgateGit
import TollgateTestSupport
import Foundation

@Suite("TreeComparer")
struct TreeComparerTests {
    private func delta(_ fixture: GitFixture, scope: [String], from old: String?, to new: String) throws -> TreeDelta {
        let repository = try Repository(at: fixture.path)
        let comparer = TreeComparer(repository: repository, scope: PathScope(paths: scope))
        let oldTree = try old.map { try repository.commit(#require(ObjectID(hex: $0))).tree() }
        let newTree = try repository.commit(#require(ObjectID(hex: new))).tree()
        return try comparer.compare(old: oldTree, new: newTree, commit: nil)
    }

    @Test("only changed files inside the scope are reported, in git's order")
    func scoped() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/a/template.yaml", "a\n")
        try fixture.write("Stacks/b/template.yaml", "b\n")
        try fixture.write("src/main.c", "int main;\n")
        let first = try fixture.commit("first")
        try fixture.write("Stacks/b/template.yaml", "b2\n")
        try fixture.write("Stacks/b.txt", "a file named like the folder\n")
        try fixture.write("Stacks/c/config.json", "{}\n")
        try fixture.write("src/main.c", "int main2;\n")
        try fixture.remove("Stacks/a")
        let second = try fixture.commit("second")

        let changes = try delta(fixture, scope: ["Stacks/"], from: first, to: second).changes
        #expect(changes.map(\.path) == ["Stacks/a/template.yaml", "Stacks/b.txt", "Stacks/b/template.yaml", "Stacks/c/config.json"])
        #expect(changes[0].newID == nil && changes[0].oldID != nil)
        #expect(changes[1].oldID == nil && changes[1].newID != nil)
        #expect(changes[2].oldID != nil && changes[2].newID != nil)
    }

    @Test("a file replaced by a folder of the same name is a deletion and additions")
    func fileBecomesFolder() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/x", "file\n")
        let first = try fixture.commit("first")
        try fixture.remove("Stacks/x")
        try fixture.write("Stacks/x/template.yaml", "t\n")
        let second = try fixture.commit("second")
        let changes = try delta(fixture, scope: [""], from: first, to: second).changes
        #expect(changes.map(\.path) == ["Stacks/x", "Stacks/x/template.yaml"])
        #expect(changes[0].newID == nil)
        #expect(changes[1].oldID == nil)
    }

    @Test("a first commit reports every file in scope as added, and existence answers on both sides")
    func rootCommit() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/a/template.yaml", "a\n")
        try fixture.write("Stacks/a/config.json", "{}\n")
        let first = try fixture.commit("first")
        let result = try delta(fixture, scope: ["Stacks/"], from: nil, to: first)
        #expect(result.changes.map(\.path) == ["Stacks/a/config.json", "Stacks/a/template.yaml"])
        #expect(try result.fileExists(atPath: "Stacks/a/template.yaml", on: .new))
        #expect(try !result.fileExists(atPath: "Stacks/a/template.yaml", on: .old))
        #expect(try !result.fileExists(atPath: "Stacks/a/template.json", on: .new))
    }

    @Test("an executable bit flip is a change")
    func modeChange() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/a/template.yaml", "a\n")
        let first = try fixture.commit("first")
        try fixture.git("update-index", "--chmod=+x", "Stacks/a/template.yaml")
        try fixture.git("commit", "-q", "-m", "chmod")
        let second = try fixture.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try delta(fixture, scope: ["Stacks/"], from: first, to: second).changes.map(\.path) == ["Stacks/a/template.yaml"])
    }

    @Test("a damaged tree object is refused with an error naming it, never read past its end", arguments: [
        "100644 name-without-end",
        "10x644 bad-mode\0aaaaaaaaaaaaaaaaaaaa",
        "100644 short-id\0aaaaa",
        " no-mode\0aaaaaaaaaaaaaaaaaaaa",
        "100644 \0aaaaaaaaaaaaaaaaaaaa",
        "1777777 huge-mode\0aaaaaaaaaaaaaaaaaaaa",
    ])
    func damagedTree(content: String) throws {
        let fixture = try GitFixture()
        let tree = try fixture.git(["hash-object", "-t", "tree", "--literally", "-w", "--stdin"], environment: [:], input: content)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let repository = try Repository(at: fixture.path)
        let comparer = TreeComparer(repository: repository, scope: .everything)
        let id = try #require(ObjectID(hex: tree))
        let error = try #require(throws: GitError.self) { try comparer.compare(oldTree: nil, newTree: id, commit: nil) }
        #expect(error.description.contains(id.short))
    }

    @Test("in a large folder, changes at its first, middle and last entries are all found, around runs of equal entries", arguments: [
        ["Stacks/s000/template.yaml", "Stacks/s150/template.yaml", "Stacks/s299/template.yaml"],
        ["Stacks/s000/template.yaml"],
        ["Stacks/s299/template.yaml"],
        ["Stacks/s150/template.yaml", "Stacks/s151/template.yaml"],
    ])
    func changesAmongEqualEntries(changed: [String]) throws {
        let fixture = try GitFixture()
        for index in 0..<300 { try fixture.write(String(format: "Stacks/s%03d/template.yaml", index), "v1 \(index)\n") }
        let first = try fixture.commit("first")
        for path in changed { try fixture.write(path, "v2\n") }
        // A longer name in the middle shifts every later entry of the new folder, so equal runs
        // after it lie at other offsets on the two sides.
        try fixture.remove("Stacks/s200")
        try fixture.write("Stacks/s200-renamed-with-a-longer-name/template.yaml", "v1 200\n")
        let second = try fixture.commit("second")

        let changes = try delta(fixture, scope: ["Stacks/"], from: first, to: second).changes
        let expected = (changed + ["Stacks/s200/template.yaml", "Stacks/s200-renamed-with-a-longer-name/template.yaml"]).sorted()
        #expect(changes.map(\.path) == expected)
    }

    @Test("a component git refuses is flagged in any case, and only such a one", arguments: [
        (".git", false), (".GiT", false), (".GIT", false), ("..", false), (".", false),
        (".g\u{131}t", true), (".g\u{130}t", true), ("git", true), (".gitx", true), ("...", true), (".g1t", true), ("\u{FF0E}git", true),
    ])
    func refusedComponents(component: String, valid: Bool) throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/ok/template.yaml", "a\n")
        let first = try fixture.commit("first")
        let second = try fixture.commitCraftedFolder(component, in: "Stacks", file: "template.yaml", contents: "t\n", message: "crafted")
        let changes = try delta(fixture, scope: ["Stacks/"], from: first, to: second).changes
        #expect(changes.map(\.path) == ["Stacks/\(component)/template.yaml"])
        #expect(changes.map(\.isValidPath) == [valid])
    }

    @Test("no letter but ASCII's lower-cases to g, i, t or a dot, so `.git` in any case is found on the bytes")
    func onlyASCIILowerCasesToGit() {
        let targets: Set<String> = ["g", "i", "t", "."]
        let found = (0...0x10FFFF).compactMap(Unicode.Scalar.init).filter { !$0.isASCII && targets.contains(String($0).lowercased()) }
        #expect(found.isEmpty, "\(found)")
    }
}

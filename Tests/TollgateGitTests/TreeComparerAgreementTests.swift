import Foundation
import Testing
import TollgateGit
import TollgateTestSupport

/// The comparer against git's own view of every commit of a long, varied history.
@Suite("TreeComparer agrees with git")
struct TreeComparerAgreementTests {
    /// One changed file as `git log --raw` prints it.
    private struct RawChange: Equatable, CustomStringConvertible {
        let path: String
        let oldID: String?
        let newID: String?
        var description: String { "\(path) \(oldID ?? "-") \(newID ?? "-")" }
    }

    /// What `git log --first-parent --raw` says each commit changed inside `paths`, by commit id.
    private func gitChanges(_ fixture: GitFixture, paths: [String]) throws -> [String: [RawChange]] {
        let output = try fixture.git(["log", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--raw",
                                      "--no-abbrev", "-z", "--format=%x01%H"] + ["--"] + paths, environment: [:])
        var result: [String: [RawChange]] = [:]
        // Each record: \u{01}, the commit id, then `:modes ids status` and the path, each ended by NUL.
        for record in output.split(separator: "\u{01}") {
            let fields = record.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
            let commit = fields[0].trimmingCharacters(in: .whitespacesAndNewlines)
            var changes: [RawChange] = []
            var index = 1
            while index + 1 < fields.count {
                let status = fields[index].trimmingCharacters(in: .whitespacesAndNewlines)
                guard status.hasPrefix(":") else { break }
                let parts = status.split(separator: " ")
                let zero = String(repeating: "0", count: 40)
                changes.append(RawChange(path: fields[index + 1], oldID: parts[2] == zero ? nil : String(parts[2]),
                                         newID: parts[3] == zero ? nil : String(parts[3])))
                index += 2
            }
            result[commit] = changes
        }
        return result
    }

    @Test("every first-parent commit reports exactly git's changed files, ids and order, and existence matches git's trees")
    func agreesWithGit() throws {
        let fixture = try HistoryFixture(commits: 400).git
        let paths = ["Stacks", "Policies", "tollgate.yaml"]
        let expected = try gitChanges(fixture, paths: paths)
        let repository = try Repository(at: fixture.path)
        let comparer = TreeComparer(repository: repository, scope: PathScope(paths: ["Stacks/", "Policies/", "tollgate.yaml"]))
        var commit = try repository.commit(repository.branchTip(named: "main"))
        var compared = 0
        var probes: [(query: String, answer: Bool)] = []
        while true {
            let parent = try commit.firstParentID.map { try repository.commit($0) }
            let delta = try comparer.compare(old: try parent?.tree(), new: try commit.tree(), commit: commit.id)
            let changes = delta.changes.map { RawChange(path: $0.path, oldID: $0.oldID?.hex, newID: $0.newID?.hex) }
            #expect(changes == expected[commit.id.hex] ?? [], "commit \(commit.id.short)")
            compared += 1
            // Existence of the files around each change, on both sides, checked against git below.
            for change in delta.changes.prefix(2) {
                let folder = change.path.split(separator: "/").dropLast().joined(separator: "/")
                for name in ["template.yaml", "template.json", "config.json", "x"] {
                    let path = folder.isEmpty ? name : folder + "/" + name
                    for (side, revision) in [(TreeSide.new, commit.id.hex), (TreeSide.old, parent?.id.hex)] {
                        guard let revision else { continue }
                        probes.append((query: "\(revision):\(path)", answer: try delta.fileExists(atPath: path, on: side)))
                    }
                }
            }
            guard let parent else { break }
            commit = parent
        }
        #expect(compared > 300)
        #expect(probes.count > 1000)
        let answers = try fixture.git(["cat-file", "--batch-check"], environment: [:], input: probes.map { $0.query + "\n" }.joined())
            .split(separator: "\n").map { $0.split(separator: " ").dropFirst().first == "blob" }
        #expect(answers.count == probes.count)
        for (probe, inGit) in zip(probes, answers) {
            #expect(probe.answer == inGit, "\(probe.query)")
        }
    }
}

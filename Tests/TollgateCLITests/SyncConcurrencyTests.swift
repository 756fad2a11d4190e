import Foundation
import Testing
import TollgateTestSupport

/// A generated repository of `commits` commits over up to `stacks` stacks, made by the benchmark's
/// own generator so that tests and benchmark share one shape.
private func generatedRepository(commits: Int, stacks: Int, mergeEvery: Int = 100) throws -> TemporaryDirectory {
    let directory = try TemporaryDirectory(prefix: "tollgate-sync-generated")
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let script = root.appendingPathComponent("bench/generate_history_repo.py").path
    _ = try GitFixture.run([
        "python3", script, directory.appending("repo"), "--commits", String(commits), "--stacks", String(stacks),
        "--unrelated", "50", "--merge-every", String(mergeEvery),
    ])
    return directory
}

/// Where the sync tests keep their store.
enum CLIStoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The store arguments of a fresh store of this kind, SQLite inside `directory`.
    func arguments(in directory: TemporaryDirectory) throws -> [String] {
        switch self {
        case .sqlite: return ["--state", directory.appending("state.db")]
        case .postgres:
            let server = try PostgresServer.shared()
            return ["--database", server.url(database: try server.makeDatabase())]
        }
    }
}

@Suite("sync: concurrent and killed processes")
struct SyncConcurrencyTests {
    @Test("two sync processes at once on one store create each change set once", arguments: CLIStoreKind.allCases)
    func concurrent(kind: CLIStoreKind) throws {
        let directory = try generatedRepository(commits: 800, stacks: 60)
        let store = ["--repo", directory.appending("repo")] + (try kind.arguments(in: directory))
        // Create the store first, so that both processes race on syncing rather than on the schema.
        #expect(try TollgateBinary.run(["audit", "list"] + store).status == 0)
        let binary = try TollgateBinary.path()
        let first = try ChildProcess(binary, ["sync"] + store)
        let second = try ChildProcess(binary, ["sync"] + store)
        let outputs = [first.readToEnd(), second.readToEnd()]
        #expect(first.wait() == 0, "\(outputs[0])")
        #expect(second.wait() == 0, "\(outputs[1])")

        let created = try createdStacks(store)
        #expect(!created.isEmpty)
        #expect(created.count == Set(created).count, "a stack got two change sets")
        let entries = try auditEntries(store)
        #expect(entries.filter { $0["action"] as? String == "scan.advanced" }.count == 1)
        #expect(entries.filter { $0["action"] as? String == "changeset.transitioned" }.isEmpty)
        #expect(try TollgateBinary.run(["sync"] + store).standardOutput.hasPrefix("Nothing new"))
        withExtendedLifetime(directory) {}
    }

    @Test("a sync killed after any statement of its write leaves all or nothing, and the next run completes it", arguments: CLIStoreKind.allCases)
    func killed(kind: CLIStoreKind) throws {
        // Small enough that killing the write at each of its statements stays quick (three
        // processes per statement), large enough for every kind of statement a sync writes.
        let directory = try generatedRepository(commits: 12, stacks: 3, mergeEvery: 6)
        let store = ["--repo", directory.appending("repo")] + (try kind.arguments(in: directory))
        #expect(try TollgateBinary.run(["audit", "list"] + store).status == 0)
        // The test build's fault hook ends the process right after the Nth statement of a write
        // transaction: every point of the write is hit in turn, until a run gets to the end.
        var statement = 1
        var finished = false
        var counts: [Int: Int] = [:]
        while !finished && statement < 2_000 {
            let run = try TollgateBinary.run(["sync"] + store, environment: ["TOLLGATE_TEST_EXIT_AFTER_STATEMENTS": String(statement)])
            #expect(run.status == 86 || run.status == 0, "statement \(statement): \(run.standardError)")
            finished = run.status == 0
            let verify = try TollgateBinary.run(["audit", "verify"] + store)
            #expect(verify.status == 0, "after statement \(statement): \(verify.standardOutput) \(verify.standardError)")
            counts[statement] = try createdStacks(store).count
            statement += 1
        }
        #expect(finished)
        let created = try createdStacks(store)
        #expect(!created.isEmpty && created.count == Set(created).count)
        let partial = counts.filter { $0.value != 0 && $0.value != created.count }
        #expect(partial.isEmpty, "killed after these statements, a sync left part of its change sets: \(partial)")
        #expect(counts.values.contains(0) && statement > 10, "the write has many statements, each of which was a kill point")
        #expect(try TollgateBinary.run(["audit", "verify"] + store).status == 0)
        #expect(try TollgateBinary.run(["sync"] + store).standardOutput.hasPrefix("Nothing new"))
        withExtendedLifetime(directory) {}
    }
}

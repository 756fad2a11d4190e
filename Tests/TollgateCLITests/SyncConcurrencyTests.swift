import Foundation
import Testing
import TollgateTestSupport

/// A generated repository of `commits` commits over up to `stacks` stacks, made by the benchmark's
/// own generator so that tests and benchmark share one shape.
private func generatedRepository(commits: Int, stacks: Int) throws -> TemporaryDirectory {
    let directory = try TemporaryDirectory(prefix: "tollgate-sync-generated")
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let script = root.appendingPathComponent("bench/generate_history_repo.py").path
    _ = try GitFixture.run([
        "python3", script, directory.appending("repo"), "--commits", String(commits), "--stacks", String(stacks),
        "--unrelated", "50", "--merge-every", "100",
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

    @Test("a sync killed at any moment leaves all or nothing, and the next run completes it", arguments: CLIStoreKind.allCases)
    func killed(kind: CLIStoreKind) throws {
        let directory = try generatedRepository(commits: 3_000, stacks: 200)
        let store = ["--repo", directory.appending("repo")] + (try kind.arguments(in: directory))
        #expect(try TollgateBinary.run(["audit", "list"] + store).status == 0)
        let binary = try TollgateBinary.path()
        var counts: Set<Int> = []
        // The kills land at different points of the run: scanning, planning, writing or after it;
        // the dense steps aim at the write, which comes last and takes a small part of the run.
        for delay in [0, 100_000] + Array(stride(from: UInt32(250_000), through: 600_000, by: 25_000)) as [UInt32] {
            let child = try ChildProcess(binary, ["sync"] + store)
            usleep(delay)
            child.kill()
            let verify = try TollgateBinary.run(["audit", "verify"] + store)
            #expect(verify.status == 0, "\(verify.standardError)")
            counts.insert(try createdStacks(store).count)
        }
        let finish = try TollgateBinary.run(["sync"] + store)
        #expect(finish.status == 0, "\(finish.standardError)")
        let created = try createdStacks(store)
        #expect(created.count == Set(created).count)
        #expect(counts.isSubset(of: [0, created.count]), "a killed sync left part of its change sets: \(counts)")
        #expect(try TollgateBinary.run(["audit", "verify"] + store).status == 0)
        #expect(try TollgateBinary.run(["sync"] + store).standardOutput.hasPrefix("Nothing new"))
        withExtendedLifetime(directory) {}
    }
}

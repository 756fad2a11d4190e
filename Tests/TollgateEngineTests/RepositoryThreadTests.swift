import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import Testing
@testable import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// libgit2 blocks, so the engine reads a repository on a thread pool, never on Swift's
/// cooperative pool, and one read at a time per repository.
@Suite("Repository reads on the thread pool")
struct RepositoryThreadTests {
    private static func repository() throws -> GitFixture {
        let git = try GitFixture()
        try git.write("Stacks/web/template.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
        _ = try git.commit("add web")
        return git
    }

    @Test("A read runs outside every Swift task: on a pool thread, not on the caller's executor")
    func readLeavesTheCooperativePool() async throws {
        let git = try Self.repository()
        let managed = try await ManagedRepository.open(path: git.path)
        let insideATask = try await managed.read { _ in withUnsafeCurrentTask { $0 != nil } }
        #expect(!insideATask)
        #expect(try await managed.stackNames(at: managed.tipCommit) == ["web"])
    }

    @Test("The use cases read git only through the pool: once it is shut down, every one of them fails (the pool refuses work as cancelled)")
    func useCasesGoThroughThePool() async throws {
        let git = try Self.repository()
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let managed = try ManagedRepository(path: git.path, settingsFile: nil, branch: nil, settingsCommit: nil, pool: pool)
        #expect(try await managed.commit(nil) == managed.tipCommit)
        try await pool.shutdownGracefully()
        await #expect(throws: CancellationError.self) { try await managed.commit(nil) }
        await #expect(throws: CancellationError.self) { try await managed.stackNames(at: "HEAD") }
        await #expect(throws: CancellationError.self) { try await managed.historyEntries() }
        let folder = try TemporaryDirectory()
        let store = try await SQLiteStateStore.open(path: folder.appending("state.sqlite"))
        await #expect(throws: CancellationError.self) {
            try await ChangeSetSynchronizer(repository: managed, store: store, actor: "test").sync()
        }
        await #expect(throws: CancellationError.self) {
            try await StackPlanning(store: store).plan(stack: "web", at: nil, repository: managed)
        }
        try await store.close()
    }

    @Test("Reads of one repository never overlap, even with several pool threads")
    func readsOfOneRepositoryTakeTurns() async throws {
        let git = try Self.repository()
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        let managed = try ManagedRepository(path: git.path, settingsFile: nil, branch: nil, settingsCommit: nil, pool: pool)
        let counts = NIOLockedValueBox((inside: 0, most: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    _ = try await managed.read { git in
                        counts.withLockedValue { counts in
                            counts.inside += 1
                            counts.most = max(counts.most, counts.inside)
                        }
                        defer { counts.withLockedValue { $0.inside -= 1 } }
                        return try git.stackNames(at: git.tip)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(counts.withLockedValue { $0.most } == 1)
        try await pool.shutdownGracefully()
    }
}

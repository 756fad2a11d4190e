import Foundation
import Logging
import ServiceLifecycle
import Testing
import TollgateStore
import TollgateTestSupport

/// The stores in a long-running process: an injected logger, and PostgreSQL's pool run as a
/// service of the process's service group.
@Suite("Stores in a long-running process")
struct StoreServiceTests {
    @Test("an injected logger hears the SQLite store open and close, with its location")
    func sqliteLogger() async throws {
        let folder = try TemporaryDirectory(prefix: "tollgate-logged-store")
        let path = folder.appending("state.db")
        let messages = LogCapture()
        let store = try await StoreLocation.sqlite(path: path).open(logger: messages.logger)
        try await store.close()
        let lines = messages.all
        #expect(lines.contains("state store opened location=\(path)"), "\(lines)")
        #expect(lines.contains("state store closed location=\(path)"), "\(lines)")
    }

    @Test("a PostgreSQL store opened for a service group serves while the group runs its pool, and the group stops it")
    func postgresService() async throws {
        let server = try PostgresServer.shared()
        let url = server.url(database: try server.makeDatabase())
        let messages = LogCapture()
        let store = try await PostgresStateStore.open(url: url, logger: messages.logger, running: .byServiceGroup)
        let group = ServiceGroup(services: [store.service], logger: messages.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let state = try await store.transaction { tx in
                try await tx.recordStackState(
                    stack: "web", template: "Resources: {}\n", parameters: [:], tags: [:], commit: String(repeating: "a", count: 40),
                    actor: "tollgate")
            }
            #expect(state.stateVersion == 1)
            #expect(try await store.stackState("web")?.stateVersion == 1)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        // close() leaves the pool to the group that ran it.
        try await store.close()
        #expect(messages.all.contains { $0.hasPrefix("state store opened") }, "\(messages.all)")
    }
}

import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// The stores every sync test runs against.
enum SyncStoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A git repository and an empty store of one kind, with the sync run on them.
struct SyncFixture {
    let git: GitFixture
    let store: any StateStore
    /// Keeps the SQLite folder alive as long as the fixture.
    let directory: TemporaryDirectory?

    static func make(_ kind: SyncStoreKind) async throws -> SyncFixture {
        let git = try GitFixture()
        switch kind {
        case .sqlite:
            let directory = try TemporaryDirectory(prefix: "tollgate-sync")
            let store = try await StoreLocation.sqlite(path: directory.appending("state.db")).open(clock: SteppingClock())
            return SyncFixture(git: git, store: store, directory: directory)
        case .postgres:
            let server = try PostgresServer.shared()
            let store = try await StoreLocation.postgres(url: server.url(database: try server.makeDatabase())).open(clock: SteppingClock())
            return SyncFixture(git: git, store: store, directory: nil)
        }
    }

    /// Syncs the repository as it is now.
    @discardableResult
    func sync(from start: String? = nil) async throws -> SyncReport {
        let managed = try ManagedRepository(path: git.path)
        return try await ChangeSetSynchronizer(repository: managed, store: store, actor: "tollgate").sync(from: start)
    }

    /// Every change set of `stack`, oldest first.
    func changeSets(_ stack: String) async throws -> [ChangeSetRecord] {
        try await store.changeSets(ChangeSetFilter(stack: stack)).reversed()
    }

    /// Records `template` as applied to `stack`, as a later apply would.
    func recordState(_ stack: String, template: String, parameters: [String: String] = [:], commit: String) async throws {
        _ = try await store.transaction { transaction in
            try await transaction.recordStackState(
                stack: stack, template: template, parameters: parameters, tags: [:], commit: commit, actor: "test")
        }
    }

    func close() async throws {
        try await store.close()
    }
}

/// A template with one bucket per name in `buckets`.
func bucketTemplate(_ buckets: [String], comment: String = "") -> String {
    var text = comment.isEmpty ? "" : "# \(comment)\n"
    text += "Resources:\n"
    for name in buckets {
        text += "  \(name):\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: \(name.lowercased())\n"
    }
    return text
}

import Foundation
import Testing
@testable import TollgateStore
import TollgateCore
import TollgateTestSupport

/// The stores every conformance test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// One empty store of a kind, with what a test needs to open it again or change it behind its back.
struct StoreFixture: Sendable {
    let kind: StoreKind
    let location: StoreLocation
    let clock: SteppingClock
    let store: any StateStore
    /// Keeps the SQLite folder alive as long as the fixture.
    let directory: TemporaryDirectory?
    /// The PostgreSQL database's name.
    let database: String?

    static func make(_ kind: StoreKind) async throws -> StoreFixture {
        let clock = SteppingClock()
        switch kind {
        case .sqlite:
            let directory = try TemporaryDirectory(prefix: "tollgate-store")
            let location = StoreLocation.sqlite(path: directory.appending("state.db"))
            return StoreFixture(
                kind: kind, location: location, clock: clock, store: try await location.open(clock: clock),
                directory: directory, database: nil)
        case .postgres:
            let server = try PostgresServer.shared()
            let database = try server.makeDatabase()
            let location = StoreLocation.postgres(url: server.url(database: database))
            return StoreFixture(
                kind: kind, location: location, clock: clock, store: try await location.open(clock: clock),
                directory: nil, database: database)
        }
    }

    /// Another store on the same database, as a second tollgate process would open it.
    func openAnother() async throws -> any StateStore {
        try await location.open(clock: clock)
    }

    /// Runs SQL on the database directly, as someone editing it by hand would.
    func tamper(_ sql: String) async throws {
        if let store = store as? SQLiteStateStore {
            try await store.session.execute(sql)
        } else if let store = store as? PostgresStateStore {
            try await store.withSession { try await $0.execute(sql) }
        }
    }

    func close() async throws {
        try await store.close()
    }
}

/// A change set for `stack` at `commit`, with a digest derived from both.
func sampleChangeSet(
    stack: String = "network", commit: String = "c0ffee1", base: Int64 = 0, id: String = ChangeSetRecord.newID()
) -> ChangeSetRecord {
    ChangeSetRecord(
        id: id, kind: .stack, stack: stack, commits: ["a11ce00", commit], baseStateVersion: base,
        targetCommit: commit, digest: "sha256:\(stack)-\(commit)-\(base)",
        json: #"{"Changes":[],"StackName":"\#(stack)"}"#)
}

import Foundation
import Testing
import TollgateCore
import TollgateStore
import TollgateTestSupport

/// Stores that cannot be used: each fails with one clear error and writes nothing.
@Suite("Opening a state store")
struct StoreOpeningTests {
    @Test("a file that is not SQLite is refused, naming the file")
    func corruptFile() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("state.db")
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: path))
        await #expect(throws: StoreError.notADatabase(location: path)) {
            try await StoreLocation.sqlite(path: path).open()
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
        #expect(StoreError.notADatabase(location: path).description.contains(path))
    }

    @Test("a file in a missing folder cannot be opened")
    func missingFolder() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("missing/state.db")
        do {
            _ = try await StoreLocation.sqlite(path: path).open()
            Issue.record("opened a store in a missing folder")
        } catch let error as StoreError {
            guard case .cannotOpen(let location, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(location == path)
            #expect(error.description.contains(path))
        }
    }

    @Test("a store made by a newer tollgate is refused and left alone", arguments: StoreKind.allCases)
    func newerSchema(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await fixture.tamper("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 0)")
        let entries = try await fixture.store.auditEntries(AuditFilter())
        await #expect(throws: StoreError.schemaTooNew(location: fixture.location.description, found: 99, supported: 7)) {
            try await fixture.openAnother()
        }
        #expect(try await fixture.store.auditEntries(AuditFilter()) == entries)
        #expect(StoreError.schemaTooNew(location: "x", found: 99, supported: 1).description.contains("upgrade tollgate"))
        try await fixture.close()
    }

    @Test("a PostgreSQL server that does not answer is reported as unreachable")
    func unreachable() async throws {
        let url = "postgres://postgres:secret@127.0.0.1:1/tollgate?sslmode=disable"
        do {
            _ = try await StoreLocation.postgres(url: url).open()
            Issue.record("connected to a closed port")
        } catch let error as StoreError {
            guard case .unreachable(let location, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(location == "postgres://postgres@127.0.0.1:1/tollgate")
            #expect(!error.description.contains("secret"))
        }
    }

    @Test("a login the server refuses is reported as such", arguments: ["no_such_database", "role"])
    func loginRefused(what: String) async throws {
        let server = try PostgresServer.shared()
        let url = what == "role"
            ? "postgres://nobody@127.0.0.1:\(server.port)/postgres?sslmode=disable"
            : server.url(database: what)
        do {
            _ = try await StoreLocation.postgres(url: url).open()
            Issue.record("logged in with \(url)")
        } catch let error as StoreError {
            guard case .loginRefused = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(error.description.contains("127.0.0.1:\(server.port)"))
        }
    }

    @Test("URLs that are not PostgreSQL URLs are refused without showing a password", arguments: [
        "mysql://u:secret@host/db", "postgres://u:secret@/db", "postgres://host/db", "postgres://u:secret@host/db?sslmode=maybe",
    ])
    func invalidURL(url: String) async throws {
        do {
            _ = try await StoreLocation.postgres(url: url).open()
            Issue.record("accepted \(url)")
        } catch let error as StoreError {
            guard case .invalidURL = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(!error.description.contains("secret"))
        }
    }
}

import ArgumentParser
import Foundation
import TollgateStore

/// Which state store a command reads and writes: the repository's SQLite file unless told otherwise.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The SQLite state file to use instead of .tollgate/state.db in the repository.",
        valueName: "path"))
    var state: String?

    @Option(help: ArgumentHelp(
        "A PostgreSQL database to use instead of SQLite: postgres://USER:PASSWORD@HOST:PORT/DATABASE.",
        discussion: "Defaults to the TOLLGATE_DATABASE_URL environment variable. Several tollgate processes may share one database.",
        valueName: "url"))
    var database: String?

    func validate() throws {
        if state != nil && database != nil {
            throw ValidationError("--state and --database name two different stores; give only one.")
        }
    }

    /// The store to use for the repository at `repository`: --state, then --database, then
    /// TOLLGATE_DATABASE_URL, then `.tollgate/state.db` under the repository.
    func location(repository: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> StoreLocation {
        if let state { return .sqlite(path: state) }
        if let url = database ?? environment["TOLLGATE_DATABASE_URL"], !url.isEmpty { return .postgres(url: url) }
        return .sqlite(path: StoreLocation.defaultSQLitePath(repository: repository))
    }

    /// Opens the store for `repository`, creating `.tollgate/` on first use of the default location;
    /// a reading command opens an existing store `readOnly`.
    ///
    /// - Throws: ``StoreError`` naming the file or URL when the store cannot be opened.
    func open(repository: String, readOnly: Bool = false) async throws -> any StateStore {
        let location = location(repository: repository)
        if case .sqlite(let path) = location, state == nil {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: repository, isDirectory: &isFolder), isFolder.boolValue else {
                throw StoreError.cannotOpen(location: path, reason: "the repository folder \(repository) does not exist")
            }
            let folder = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StoreError.cannotOpen(location: path, reason: "cannot create the folder \(folder)")
            }
        }
        return try await location.open(readOnly: readOnly)
    }

    /// Opens the store, runs `body` with it and closes it, whether `body` succeeds or not.
    func withStore<T: Sendable>(
        repository: String, readOnly: Bool = false, _ body: (any StateStore) async throws -> T
    ) async throws -> T {
        let store = try await open(repository: repository, readOnly: readOnly)
        do {
            let value = try await body(store)
            try await store.close()
            return value
        } catch {
            try? await store.close()
            throw error
        }
    }
}

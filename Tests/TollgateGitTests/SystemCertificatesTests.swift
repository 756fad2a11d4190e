import Foundation
import Testing
@testable import TollgateGit

/// Debian's libgit2 reads the whole system CA bundle while it initialises; Tollgate defers that
/// to the first HTTPS fetch, so that commands that never fetch do not pay for it.
@Suite("System CA certificates, read only when a fetch needs them")
struct SystemCertificatesTests {
    @Test("libgit2's start-up noted where the system's CAs are without reading them; once loaded, a bad CA file is refused by mbedTLS")
    func deferredThenLoaded() throws {
        let location = try #require(SystemCertificates.deferredLocation, "Debian's libgit2 reads its CA bundle through mbedTLS at start-up")
        #expect(FileManager.default.fileExists(atPath: location), "\(location)")
        try SystemCertificates.load()
        try SystemCertificates.load()
        // A file that is not there fails only when the load reaches mbedTLS; the chain in use stays.
        #expect(throws: GitError.self) { try SystemCertificates.load(file: "/nonexistent/tollgate-ca.pem") }
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-not-a-ca-\(UUID().uuidString).pem")
        try Data("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        #expect(throws: GitError.self) { try SystemCertificates.load(file: garbage.path) }
    }
}

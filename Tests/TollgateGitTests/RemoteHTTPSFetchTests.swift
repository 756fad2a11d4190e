import Foundation
import Testing
import TollgateCore
import TollgateGit
import TollgateTestSupport

/// Fetching over HTTPS with a token from a real git server on loopback (`git http-backend` behind
/// TLS, see ``HTTPSGitServer``), whose certificate a test authority issued.
@Suite("Remote fetch over HTTPS")
struct RemoteHTTPSFetchTests {
    static let token = "tok-7f3a9c2e51d84b06"

    /// The upstream of ``RemoteFetchTests`` served over HTTPS as `upstream.git`.
    struct Served {
        let upstream: RemoteFetchTests.Upstream
        let server: HTTPSGitServer
        var url: String { server.url("upstream.git") }

        init() throws {
            upstream = try RemoteFetchTests.Upstream()
            server = try HTTPSGitServer(serving: upstream.bare.path, token: RemoteHTTPSFetchTests.token)
        }

        func fetch(token: String?, caFile: String?) throws -> RemoteFetch {
            try upstream.fetch(url, credentials: RemoteCredentials(
                token: token, trustedCertificates: try caFile.map { try RemoteTrustedCertificates(contentsOf: $0) }))
        }
    }

    @Test("the right token and the CA that issued the server's certificate fetch the branch")
    func rightToken() async throws {
        let served = try Served()
        let head = try served.upstream.work.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome = try await served.fetch(token: Self.token, caFile: served.server.caFile).run(requiringDescentFrom: nil)
        #expect(outcome == .moved(from: nil, to: head))
        #expect(try Repository(at: served.upstream.clonePath).branchTip(named: "main").hex == head)

        let next = try served.upstream.push("README", "two\n")
        #expect(try await served.fetch(token: Self.token, caFile: served.server.caFile).run(requiringDescentFrom: head) == .moved(from: head, to: next))
        let log = served.server.stop()
        #expect(log.contains("authorized /upstream.git/git-upload-pack"), "\(log)")
    }

    @Test("a wrong token is refused with an error naming the URL and never the token")
    func wrongToken() async throws {
        let served = try Served()
        let wrong = "tok-wrong-0d1e2f3a4b5c"
        let error = try await #require(throws: RemoteFetchError.self) {
            try await served.fetch(token: wrong, caFile: served.server.caFile).run(requiringDescentFrom: nil)
        }
        guard case .authenticationFailed(let url, _) = error else { Issue.record("expected refused credentials, got \(error)"); return }
        #expect(url == served.url)
        #expect(error.description.contains(served.url))
        #expect(error.kind == .refused)
        for text in [error.description, error.debugDescription, "\(error)"] {
            #expect(!text.contains(wrong) && !text.contains(Self.token), "\(text)")
        }
        let log = served.server.stop()
        #expect(log.contains("refused /upstream.git/info/refs"))
        #expect(!log.contains("authorized"), "no request got past the token check: \(log)")
        #expect(!FileManager.default.fileExists(atPath: served.upstream.clonePath + "/refs/heads/main"))
    }

    @Test("a certificate the CA file did not issue is refused before any token is sent")
    func untrustedCertificate() async throws {
        let served = try Served()
        let error = try await #require(throws: RemoteFetchError.self) {
            try await served.fetch(token: Self.token, caFile: served.server.otherCAFile).run(requiringDescentFrom: nil)
        }
        guard case .untrustedCertificate(let url, let caFile, _) = error else { Issue.record("expected an untrusted certificate, got \(error)"); return }
        #expect(url == served.url)
        #expect(caFile == served.server.otherCAFile)
        #expect(error.description.contains(served.server.otherCAFile))
        #expect(!error.description.contains(Self.token))
        #expect(error.remedy == .chooseCAFile)

        // Without a CA file the system's authorities decide, and none of them issued it either.
        let system = try await #require(throws: RemoteFetchError.self) {
            try await served.fetch(token: Self.token, caFile: nil).run(requiringDescentFrom: nil)
        }
        #expect(system.description.lowercased().contains("certificate"), "\(system)")
        let log = served.server.stop()
        #expect(!log.contains("authorized") && !log.contains("refused"), "the server saw no HTTP request at all: \(log)")
    }

    @Test("a CA file that is missing, empty or not PEM is named", arguments: [
        ("", "holds no PEM certificate"),
        ("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", "certificate 1 is not a valid X.509 certificate"),
        ("-----BEGIN CERTIFICATE-----\nMIIB\n", "certificate 1 has no '-----END CERTIFICATE-----' line"),
    ])
    func badCAFile(text: String, problem: String) throws {
        let folder = try TemporaryDirectory()
        let path = folder.appending("ca.pem")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: RemoteFetchError.self) { try RemoteTrustedCertificates(contentsOf: path) }
        guard case .invalidCAFile(let named, let reason) = error else { Issue.record("expected an invalid CA file, got \(error)"); return }
        #expect(named == path)
        #expect(reason.contains(problem), "\(reason)")
        #expect(error.description.contains(path), "\(error)")
        let missing = folder.appending("absent.pem")
        #expect(throws: RemoteFetchError.unreadableFile(.caFile, path: missing, reason: "no such file")) {
            try RemoteTrustedCertificates(contentsOf: missing)
        }
    }
}

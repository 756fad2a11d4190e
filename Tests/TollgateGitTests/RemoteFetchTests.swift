import Foundation
import Testing
import TollgateCore
import TollgateGit
import TollgateTestSupport

/// Fetches into a clone of Tollgate's own, over a path, file:// and SSH from an sshd the tests start.
@Suite("Remote fetch")
struct RemoteFetchTests {
    /// A repository with one commit on main, its bare copy to fetch from, and a folder for the clone.
    struct Upstream {
        let work: GitFixture
        let bare: TemporaryDirectory
        let clones: TemporaryDirectory
        var barePath: String { bare.appending("upstream.git") }
        var clonePath: String { clones.appending("clone.git") }

        init() throws {
            work = try GitFixture()
            try work.write("README", "one\n")
            _ = try work.commit("first")
            bare = try TemporaryDirectory(prefix: "tollgate-upstream")
            clones = try TemporaryDirectory(prefix: "tollgate-clone")
            _ = try GitFixture.run(["git", "clone", "-q", "--bare", work.path, barePath])
        }

        /// Commits in the work tree and pushes main to the bare repository, forcing when asked.
        func push(_ file: String, _ text: String, force: Bool = false) throws -> String {
            try work.write(file, text)
            let id = try work.commit("change \(file)")
            _ = try work.git(["push", "-q"] + (force ? ["--force"] : []) + [barePath, "main"], environment: [:])
            return id
        }

        func fetch(_ url: String? = nil, credentials: RemoteCredentials = RemoteCredentials(), timeout: Duration = .seconds(60)) throws -> RemoteFetch {
            try RemoteFetch(
                location: RemoteLocation(parsing: url ?? "file://\(barePath)"), branch: "main", cloneDirectory: clonePath,
                credentials: credentials, timeout: timeout)
        }

        func localTip() throws -> String {
            try Repository(at: clonePath).branchTip(named: "main").hex
        }
    }

    @Test("the first fetch over file:// clones, a later one brings new commits")
    func fileURL() async throws {
        let upstream = try Upstream()
        let first = try upstream.work.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await upstream.fetch().run(requiringDescentFrom: nil) == .moved(from: nil, to: first))
        #expect(try upstream.localTip() == first)
        #expect(try await upstream.fetch().run(requiringDescentFrom: first) == .unchanged(at: first))
        let second = try upstream.push("README", "two\n")
        #expect(try await upstream.fetch().run(requiringDescentFrom: first) == .moved(from: first, to: second))
        #expect(try upstream.localTip() == second)
    }

    @Test("a plain path is fetched like file://")
    func plainPath() async throws {
        let upstream = try Upstream()
        let outcome = try await upstream.fetch(upstream.barePath).run(requiringDescentFrom: nil)
        guard case .moved(nil, let tip) = outcome else { Issue.record("expected a first move, got \(outcome)"); return }
        #expect(try upstream.localTip() == tip)
    }

    @Test("a force-push that drops the synced commit is refused, and the local branch stays")
    func rewriteRefused() async throws {
        let upstream = try Upstream()
        _ = try await upstream.fetch().run(requiringDescentFrom: nil)
        let synced = try upstream.push("README", "two\n")
        _ = try await upstream.fetch().run(requiringDescentFrom: nil)
        _ = try upstream.work.git("reset", "-q", "--hard", "HEAD~1")
        let rewritten = try upstream.push("OTHER", "rewritten\n", force: true)
        let outcome = try await upstream.fetch().run(requiringDescentFrom: synced)
        #expect(outcome == .rewriteRefused(synced: synced, fetched: rewritten))
        #expect(try upstream.localTip() == synced)
        // Unsynced commits may be rewritten: nothing was made from them yet.
        #expect(try await upstream.fetch().run(requiringDescentFrom: nil) == .moved(from: synced, to: rewritten))
    }

    @Test("a clone made for another remote is refused by name")
    func anotherRemote() async throws {
        let upstream = try Upstream()
        let other = try Upstream()
        _ = try await upstream.fetch().run(requiringDescentFrom: nil)
        let fetch = try RemoteFetch(
            location: RemoteLocation(parsing: other.barePath), branch: "main", cloneDirectory: upstream.clonePath,
            credentials: RemoteCredentials(), timeout: .seconds(60))
        let error = try await #require(throws: RemoteFetchError.self) { try await fetch.run(requiringDescentFrom: nil) }
        #expect(error == .cloneOfAnotherRemote(path: upstream.clonePath, has: upstream.barePath, wanted: other.barePath))
    }

    @Test("a missing branch and a missing repository are named")
    func missing() async throws {
        let upstream = try Upstream()
        let fetch = try RemoteFetch(
            location: RemoteLocation(parsing: upstream.barePath), branch: "release", cloneDirectory: upstream.clonePath,
            credentials: RemoteCredentials(), timeout: .seconds(60))
        await #expect(throws: RemoteFetchError.remoteBranchNotFound(url: upstream.barePath, branch: "release")) {
            try await fetch.run(requiringDescentFrom: nil)
        }
        let gone = upstream.bare.appending("nothing.git")
        let elsewhere = try RemoteFetch(
            location: RemoteLocation(parsing: "file://\(gone)"), branch: "main", cloneDirectory: upstream.clones.appending("other.git"),
            credentials: RemoteCredentials(), timeout: .seconds(60))
        let error = try await #require(throws: RemoteFetchError.self) { try await elsewhere.run(requiringDescentFrom: nil) }
        guard case .fetchFailed(let url, _) = error else { Issue.record("expected a failed fetch, got \(error)"); return }
        #expect(url == gone)
    }

    @Test("URLs with credentials, unknown schemes and malformed ones are refused", arguments: [
        ("https://alice:ghp_secret@github.com/org/stacks.git", "carries credentials"),
        ("ssh://git:hunter2@example.com/stacks.git", "carries credentials"),
        ("http://example.com/stacks.git", "plain http"),
        ("ftp://example.com/stacks.git", "'ftp'"),
        ("git://example.com/stacks.git", "'git'"),
        ("ssh://example.com:99999/stacks.git", "port '99999'"),
        ("file://relative/path", "absolute path"),
    ])
    func badURLs(url: String, expected: String) throws {
        let error = try #require(throws: RemoteFetchError.self) { try RemoteLocation(parsing: url) }
        #expect(error.description.contains(expected))
        #expect(!error.description.contains("ghp_secret") && !error.description.contains("hunter2"))
    }

    @Test("URLs are understood as git writes them")
    func goodURLs() throws {
        #expect(try RemoteLocation(parsing: "git@github.com:org/stacks.git") == .ssh(user: "git", host: "github.com", port: nil, path: "org/stacks.git"))
        #expect(try RemoteLocation(parsing: "ssh://git@host:2222/srv/stacks.git") == .ssh(user: "git", host: "host", port: 2222, path: "/srv/stacks.git"))
        #expect(try RemoteLocation(parsing: "https://gitlab.com/org/stacks.git") == .https(url: "https://gitlab.com/org/stacks.git", user: nil, host: "gitlab.com"))
        #expect(try RemoteLocation(parsing: "file:///srv/stacks.git") == .local(path: "/srv/stacks.git"))
        #expect(try RemoteLocation(parsing: "example.com:stacks.git") == .ssh(user: nil, host: "example.com", port: nil, path: "stacks.git"))
        #expect(try RemoteLocation(parsing: "./upstream.git") == .local(path: "./upstream.git"))
    }

    @Test("an SSH remote needs a key and a known_hosts file, and a missing key file is named")
    func sshSettings() throws {
        let location = try RemoteLocation(parsing: "ssh://git@example.com/stacks.git")
        #expect(throws: RemoteFetchError.missingSSHSetting(url: "ssh://git@example.com/stacks.git", file: .sshKey)) {
            try RemoteFetch(location: location, branch: "main", cloneDirectory: "/tmp/x", credentials: RemoteCredentials(), timeout: .seconds(5))
        }
        let hosts = RemoteKnownHosts(text: "", path: "/tmp/known_hosts")
        #expect(throws: RemoteFetchError.missingSSHSetting(url: "ssh://git@example.com/stacks.git", file: .knownHosts)) {
            try RemoteFetch(
                location: location, branch: "main", cloneDirectory: "/tmp/x", credentials: RemoteCredentials(sshKey: "/nonexistent/id"),
                timeout: .seconds(5))
        }
        let error = try #require(throws: RemoteFetchError.self) {
            try RemoteFetch(
                location: location, branch: "main", cloneDirectory: "/tmp/x",
                credentials: RemoteCredentials(sshKey: "/nonexistent/id", knownHosts: hosts), timeout: .seconds(5))
        }
        #expect(error == .unreadableFile(.sshKey, path: "/nonexistent/id", reason: "no such file"))
        #expect(error.remedy == .chooseSSHKey)
    }

    @Test("an unreachable host fails with the URL named")
    func unreachable() async throws {
        let upstream = try Upstream()
        let keys = try TemporaryDirectory()
        let key = try SSHKeygen().generateKey(type: "ed25519", in: keys, name: "id")
        let port = try RemoteSSHServer.freePort()
        let url = "ssh://git@127.0.0.1:\(port)/stacks.git"
        let fetch = try upstream.fetch(url, credentials: RemoteCredentials(
            sshKey: key.privateKeyPath, knownHosts: RemoteKnownHosts(text: "", path: keys.appending("known_hosts"))))
        let error = try await #require(throws: RemoteFetchError.self) { try await fetch.run(requiringDescentFrom: nil) }
        guard case .fetchFailed(let named, let message) = error else { Issue.record("expected a failed fetch, got \(error)"); return }
        #expect(named == url)
        #expect(message.lowercased().contains("connect"))
    }

    @Test("an HTTPS host with a certificate no authority signed is refused before any token is sent")
    func untrustedCertificate() async throws {
        let upstream = try Upstream()
        let folder = try TemporaryDirectory()
        _ = try GitFixture.run([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-keyout", folder.appending("key.pem"), "-out", folder.appending("cert.pem"),
        ])
        let script = """
            import http.server, ssl, sys
            server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1], sys.argv[2])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            print("port", server.server_address[1], flush=True)
            server.serve_forever()
            """
        let https = try ChildProcess("/usr/bin/env", ["python3", "-c", script, folder.appending("cert.pem"), folder.appending("key.pem")])
        defer { https.kill() }
        let port = try #require(https.line(startingWith: "port ").flatMap { Int($0.dropFirst(5)) })
        let url = "https://127.0.0.1:\(port)/stacks.git"
        let fetch = try upstream.fetch(url, credentials: RemoteCredentials(token: "secret-token"))
        let error = try await #require(throws: RemoteFetchError.self) { try await fetch.run(requiringDescentFrom: nil) }
        guard case .fetchFailed(let named, let message) = error else { Issue.record("expected a failed fetch, got \(error)"); return }
        #expect(named == url)
        #expect(message.lowercased().contains("certificate"), "\(message)")
        #expect(!error.description.contains("secret-token"))
    }

    @Test("a host that accepts and never answers times out with a clear error")
    func timeout() async throws {
        let upstream = try Upstream()
        let keys = try TemporaryDirectory()
        let key = try SSHKeygen().generateKey(type: "ed25519", in: keys, name: "id")
        let listener = try LoopbackListener()
        let url = "ssh://git@127.0.0.1:\(listener.port)/stacks.git"
        let fetch = try upstream.fetch(url, credentials: RemoteCredentials(
            sshKey: key.privateKeyPath, knownHosts: RemoteKnownHosts(text: "", path: keys.appending("known_hosts"))), timeout: .seconds(2))
        let error = try await #require(throws: RemoteFetchError.self) { try await fetch.run(requiringDescentFrom: nil) }
        #expect(error == .timedOut(url: url, seconds: 2))
        #expect(error.description.contains("within 2 seconds"))
        // While that fetch still waits on the socket, another into the same clone is refused.
        await #expect(throws: RemoteFetchError.previousFetchStillRunning(cloneDirectory: upstream.clonePath)) {
            try await fetch.run(requiringDescentFrom: nil)
        }
        withExtendedLifetime(listener) {}
    }
}

/// SSH against a real sshd: the host key is checked against known_hosts before any credential is sent.
@Suite("Remote fetch over SSH", .serialized)
struct RemoteSSHFetchTests {
    @Test("fetching over SSH with the host's key in known_hosts, plain and hashed")
    func knownHost() async throws {
        let server = try RemoteSSHServer()
        let upstream = try RemoteFetchTests.Upstream()
        let tip = try upstream.work.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let plain = try server.knownHosts(["# the test's sshd", server.knownHostsLine])
        let fetch = try upstream.fetch(server.url(upstream.barePath), credentials: RemoteCredentials(
            sshKey: server.clientKey.privateKeyPath, knownHosts: RemoteKnownHosts(contentsOf: plain)))
        #expect(try await fetch.run(requiringDescentFrom: nil) == .moved(from: nil, to: tip))
        #expect(try upstream.localTip() == tip)

        let hashed = try server.knownHosts([server.knownHostsLine], name: "known_hosts_hashed")
        try SSHKeygen().run(["-H", "-f", hashed])
        let hashedText = try String(contentsOfFile: hashed, encoding: .utf8)
        #expect(hashedText.hasPrefix("|1|"))
        let second = try upstream.push("README", "two\n")
        let again = try upstream.fetch(server.url(upstream.barePath), credentials: RemoteCredentials(
            sshKey: server.clientKey.privateKeyPath, knownHosts: RemoteKnownHosts(contentsOf: hashed)))
        #expect(try await again.run(requiringDescentFrom: tip) == .moved(from: tip, to: second))
    }

    @Test("a key with a passphrase fetches with it, and the wrong one is refused")
    func passphrase() async throws {
        let server = try RemoteSSHServer()
        let upstream = try RemoteFetchTests.Upstream()
        let key = try SSHKeygen().generateKey(type: "ed25519", in: server.directory, name: "locked", passphrase: "open sesame")
        try server.authorize(key.publicKeyLine)
        let knownHosts = try RemoteKnownHosts(contentsOf: server.knownHosts([server.knownHostsLine]))
        let wrong = try upstream.fetch(server.url(upstream.barePath), credentials: RemoteCredentials(
            sshKey: key.privateKeyPath, sshPassphrase: "wrong", knownHosts: knownHosts))
        let error = try await #require(throws: RemoteFetchError.self) { try await wrong.run(requiringDescentFrom: nil) }
        #expect(error.description.contains(server.url(upstream.barePath)))
        let right = try upstream.fetch(server.url(upstream.barePath), credentials: RemoteCredentials(
            sshKey: key.privateKeyPath, sshPassphrase: "open sesame", knownHosts: knownHosts))
        guard case .moved(nil, _) = try await right.run(requiringDescentFrom: nil) else { Issue.record("expected a first fetch"); return }
    }

    @Test("an unknown host key is refused, naming the host and its fingerprint")
    func unknownHost() async throws {
        let server = try RemoteSSHServer()
        let upstream = try RemoteFetchTests.Upstream()
        let otherHost = "example.com " + server.knownHostsLine.split(separator: " ").dropFirst().joined(separator: " ")
        let path = try server.knownHosts([otherHost])
        let fetch = try upstream.fetch(server.url(upstream.barePath), credentials: RemoteCredentials(
            sshKey: server.clientKey.privateKeyPath, knownHosts: RemoteKnownHosts(contentsOf: path)))
        let error = try await #require(throws: RemoteFetchError.self) { try await fetch.run(requiringDescentFrom: nil) }
        let fingerprint = try Self.fingerprint(of: server.knownHostsLine)
        #expect(error == .unknownHostKey(host: "[127.0.0.1]:\(server.port)", fingerprint: fingerprint, knownHosts: path))
        #expect(error.description.contains(fingerprint) && error.description.contains("[127.0.0.1]:\(server.port)"))
        #expect(!FileManager.default.fileExists(atPath: upstream.clonePath + "/refs/heads/main"))
    }

    @Test("a changed host key is refused, naming the known_hosts line")
    func changedHost() async throws {
        let server = try RemoteSSHServer()
        let upstream = try RemoteFetchTests.Upstream()
        let keys = try TemporaryDirectory()
        let impostor = try SSHKeygen().generateKey(type: "ed25519", in: keys, name: "impostor").publicKeyLine.split(separator: " ")
        let path = try server.knownHosts(["[127.0.0.1]:\(server.port) \(impostor[0]) \(impostor[1])"])
        let fetch = try upstream.fetch(server.url(upstream.barePath), credentials: RemoteCredentials(
            sshKey: server.clientKey.privateKeyPath, knownHosts: RemoteKnownHosts(contentsOf: path)))
        let error = try await #require(throws: RemoteFetchError.self) { try await fetch.run(requiringDescentFrom: nil) }
        let fingerprint = try Self.fingerprint(of: server.knownHostsLine)
        #expect(error == .changedHostKey(host: "[127.0.0.1]:\(server.port)", fingerprint: fingerprint, knownHosts: path, line: 1))
        #expect(error.kind == .refused)
    }

    /// The SHA256 fingerprint ssh-keygen prints for a known_hosts line's key.
    static func fingerprint(of knownHostsLine: String) throws -> String {
        let directory = try TemporaryDirectory()
        let path = directory.appending("key.pub")
        try Data((knownHostsLine.split(separator: " ").dropFirst().joined(separator: " ") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let output = try SSHKeygen().run(["-l", "-E", "sha256", "-f", path]).standardOutput
        return String(output.split(separator: " ")[1])
    }
}

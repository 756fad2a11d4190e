import Foundation
import Testing
import TollgateTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tollgate sync --remote`: the binary end to end, and the bad inputs it must name.
@Suite("tollgate sync --remote")
struct RemoteCommandTests {
    @Test("sync --remote clones into the state folder, syncs, and syncs new commits after a push")
    func syncRemote() throws {
        let work = try GitFixture()
        try work.write("Stacks/network/template.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
        try work.commit("add network")
        let folder = try TemporaryDirectory(prefix: "tollgate-cli-remote")
        let bare = folder.appending("upstream.git")
        _ = try GitFixture.run(["git", "clone", "-q", "--bare", work.path, bare])
        let state = folder.appending("state/state.db")
        try FileManager.default.createDirectory(atPath: folder.appending("state"), withIntermediateDirectories: true)
        let arguments = ["sync", "--remote", "file://\(bare)", "--state", state, "--json"]

        let first = try TollgateBinary.run(arguments, in: folder.path)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(try createdChangeSets(first.standardOutput).map { $0["stack"] as? String } == ["network"])
        #expect(FileManager.default.fileExists(atPath: folder.appending("state/remote.git/HEAD")))

        try work.write("Stacks/storage/template.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
        try work.commit("add storage")
        _ = try work.git(["push", "-q", bare, "main"], environment: [:])
        let second = try TollgateBinary.run(arguments, in: folder.path)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(try createdChangeSets(second.standardOutput).map { $0["stack"] as? String } == ["storage"])
    }

    @Test("bad remote settings exit non-zero naming the URL, option or file", arguments: [
        (["--remote", "https://bot:ghp_0123456789@github.com/org/stacks.git"], ["carries credentials", "--token-file"], "ghp_0123456789"),
        (["--remote", "gopher://example.com/stacks"], ["'gopher'", "file://, ssh:// or https://"], nil),
        (["--remote", "ssh://git@127.0.0.1/stacks.git", "--known-hosts", "KNOWN_HOSTS"], ["needs the SSH private key", "--ssh-key"], nil),
        (["--remote", "ssh://git@127.0.0.1/stacks.git", "--ssh-key", "/nonexistent/id_ed25519", "--known-hosts", "KNOWN_HOSTS"],
         ["/nonexistent/id_ed25519", "--ssh-key"], nil),
        (["--remote", "ssh://git@127.0.0.1/stacks.git", "--ssh-key", "/dev/null"], ["known_hosts", "--known-hosts"], nil),
        (["--remote", "file:///srv/stacks.git", "--token-file", "/nonexistent/token"], ["/nonexistent/token", "--token-file"], nil),
        (["--token-file", "/tmp/token"], ["--token-file applies only with --remote"], nil),
        (["--remote", "file:///srv/stacks.git", "--branch", "main"], ["--remote-branch"], nil),
    ] as [([String], [String], String?)])
    func badInput(extra: [String], expected: [String], secret: String?) throws {
        let folder = try TemporaryDirectory(prefix: "tollgate-cli-remote")
        let knownHosts = folder.appending("known_hosts")
        try Data("# empty\n".utf8).write(to: URL(fileURLWithPath: knownHosts))
        let arguments = extra.map { $0 == "KNOWN_HOSTS" ? knownHosts : $0 }
        let result = try TollgateBinary.run(["sync", "--state", folder.appending("state.db")] + arguments, in: folder.path)
        #expect(result.status != 0)
        for text in expected {
            #expect(result.standardError.contains(text), "\(result.standardError)")
        }
        if let secret { #expect(!result.standardError.contains(secret) && !result.standardOutput.contains(secret)) }
        #expect(!FileManager.default.fileExists(atPath: folder.appending(".tollgate/remote.git")))
    }

    @Test("serve --remote fetches at start, then each poll fetches and syncs what was pushed")
    func serveRemote() throws {
        let work = try GitFixture()
        try work.write("Stacks/network/template.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
        try work.commit("add network")
        let folder = try TemporaryDirectory(prefix: "tollgate-cli-remote")
        let bare = folder.appending("upstream.git")
        _ = try GitFixture.run(["git", "clone", "-q", "--bare", work.path, bare])
        let server = try ChildProcess(try TollgateBinary.path(), [
            "serve", "--remote", bare, "--state", folder.appending("state.db"), "--listen", "127.0.0.1:0", "--poll", "1s",
        ])
        #expect(server.line(startingWith: "Listening on http://127.0.0.1:") != nil)
        #expect(FileManager.default.fileExists(atPath: folder.appending("remote.git/refs/heads/main")))
        // The server logs the end of each sync; reading its output waits for it.
        #expect(server.read(until: "change set(s) created").contains("1 change set(s) created"))
        try work.write("Stacks/storage/template.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
        let pushed = try work.commit("add storage")
        _ = try work.git(["push", "-q", bare, "main"], environment: [:])
        #expect(server.read(until: "at \(pushed.prefix(12)), 1 change set(s) created").contains("at \(pushed.prefix(12)), 1 change set(s) created"))
        kill(server.pid, SIGTERM)
        #expect(server.wait() == 0)
    }

    @Test("serve --remote with an SSH URL and no key does not start, naming --ssh-key")
    func serveWithoutKey() throws {
        let folder = try TemporaryDirectory(prefix: "tollgate-cli-remote")
        let result = try TollgateBinary.run(
            ["serve", "--remote", "git@example.com:org/stacks.git", "--state", folder.appending("state.db"), "--listen", "127.0.0.1:0"],
            in: folder.path)
        #expect(result.status != 0)
        #expect(result.standardError.contains("--ssh-key"), "\(result.standardError)")
        #expect(!result.standardOutput.contains("Listening"))
    }
}

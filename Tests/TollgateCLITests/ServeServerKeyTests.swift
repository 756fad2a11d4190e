import Foundation
import Testing
import TollgateTestSupport

@Suite("tollgate serve --server-key")
struct ServeServerKeyTests {
    @Test("a missing, unreadable or passphrase-protected server key is refused before listening, naming the file", arguments: [
        "missing", "garbage", "encrypted",
    ])
    func refused(_ kind: String) throws {
        let fixture = try ReviewFixture()
        let path: String
        var named = "is not a usable key"
        switch kind {
        case "missing":
            path = fixture.folder.appending("no-such-key")
            named = "cannot be read"
        case "garbage":
            path = fixture.folder.appending("garbage-key")
            try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: path))
        default:
            path = try fixture.keygen.generateKey(type: "ed25519", in: fixture.folder, name: "locked", passphrase: "secret phrase").privateKeyPath
            named = "protected by a passphrase"
        }
        let result = try TollgateBinary.run(["serve", "--repo", fixture.git.path, "--state", fixture.statePath, "--poll", "0s", "--server-key", path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("--server-key \(path)"), "\(result.standardError)")
        #expect(result.standardError.contains(named), "\(result.standardError)")
        #expect(!result.standardOutput.contains("Listening"))
    }

    @Test("an unencrypted ed25519 key is taken and the server listens")
    func accepted() throws {
        let fixture = try ReviewFixture()
        let key = try fixture.keygen.generateKey(type: "ed25519", in: fixture.folder, name: "server", comment: "tollgate@server")
        let options = ["--repo", fixture.git.path, "--state", fixture.statePath, "--poll", "0s", "--server-key", key.privateKeyPath]
        let server = try ChildProcess(try TollgateBinary.path(), ["serve", "--listen", "127.0.0.1:0"] + options)
        defer { server.kill() }
        #expect(server.line(startingWith: "Listening on http://127.0.0.1:") != nil)
    }
}

import Foundation
import Testing
import TollgateTestSupport

@Suite("tollgate serve options")
struct ServeCommandTests {
    @Test("a bad --listen, --poll or webhook secret file is refused before listening, naming it", arguments: [
        (["--listen", "localhost"], "--listen localhost"),
        (["--listen", "127.0.0.1:70000"], "--listen 127.0.0.1:70000"),
        (["--listen", ":8080"], "names no host"),
        (["--poll", "often"], "--poll"),
        (["--github-webhook-secret-file", "/nonexistent/github-secret"], "/nonexistent/github-secret"),
    ])
    func refused(_ arguments: [String], _ named: String) throws {
        let fixture = try ReviewFixture()
        let result = try TollgateBinary.run(["serve", "--repo", fixture.git.path, "--state", fixture.statePath] + arguments)
        #expect(result.status != 0)
        #expect(result.standardError.contains(named), "\(result.standardError)")
        #expect(!result.standardOutput.contains("Listening"))
    }

    @Test("an empty secret file is refused: it would turn the endpoint off without saying so")
    func emptySecret() throws {
        let fixture = try ReviewFixture()
        let file = fixture.folder.appending("empty-secret")
        try Data("\n".utf8).write(to: URL(fileURLWithPath: file))
        let result = try TollgateBinary.run([
            "serve", "--repo", fixture.git.path, "--state", fixture.statePath, "--gitlab-webhook-token-file", file,
        ])
        #expect(result.status != 0)
        #expect(result.standardError.contains("\(file): the webhook secret file is empty"), "\(result.standardError)")
    }
}

extension ServeCommandTests {
    @Test("a port another server holds is refused with a message naming the address")
    func portInUse() throws {
        let fixture = try ReviewFixture()
        let options = ["--repo", fixture.git.path, "--state", fixture.statePath]
        let first = try ChildProcess(try TollgateBinary.path(), ["serve", "--listen", "127.0.0.1:0", "--poll", "0s"] + options)
        let address = try #require(first.line(startingWith: "Listening on http://127.0.0.1:")).dropFirst("Listening on http://".count)
        let second = try TollgateBinary.run(["serve", "--listen", String(address), "--poll", "0s"] + options)
        first.kill()
        #expect(second.status != 0)
        #expect(second.standardError.contains("Cannot listen on \(address): Address already in use"), "\(second.standardError)")
    }
}

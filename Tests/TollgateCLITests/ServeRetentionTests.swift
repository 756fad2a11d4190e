import ArgumentParser
import Testing
import TollgateEngine
import TollgateTestSupport
@testable import tollgate

@Suite("tollgate serve --notification-retention")
struct ServeRetentionTests {
    @Test("a duration in seconds, minutes, hours or days sets how long delivered notifications are kept", arguments: [
        ("30d", 2_592_000), ("12h", 43_200), ("90m", 5_400), ("45s", 45), ("36500d", 3_153_600_000),
    ])
    func parses(_ text: String, _ seconds: Int) throws {
        let serve = try Serve.parse(["--notification-retention", text])
        #expect(serve.notificationSettings.deliveredRetentionSeconds == seconds)
    }

    @Test("0s and 0d keep every delivered notification; without the option they are kept 30 days", arguments: ["0s", "0d"])
    func zeroKeepsAll(_ text: String) throws {
        #expect(try Serve.parse(["--notification-retention", text]).notificationSettings.deliveredRetentionSeconds == nil)
        #expect(try Serve.parse([]).notificationSettings.deliveredRetentionSeconds == 30 * 86_400)
    }

    @Test("a negative, unitless, unknown-unit, empty or huge duration is refused with a message naming the option and a non-zero exit", arguments: [
        ["--notification-retention=-1d"], ["--notification-retention", "-1d"], ["--notification-retention", "30x"],
        ["--notification-retention", "30"], ["--notification-retention", "d"], ["--notification-retention", ""],
        ["--notification-retention", "1.5d"], ["--notification-retention", "99999999999999999999d"],
        ["--notification-retention", "10000000000000000s"], ["--notification-retention", "36501d"],
    ])
    func refused(_ arguments: [String]) {
        do {
            let serve = try Serve.parse(arguments)
            Issue.record("\(arguments) was taken as \(serve.notificationRetention.seconds) seconds")
        } catch {
            let message = Serve.fullMessage(for: error)
            #expect(message.contains("--notification-retention"), "\(message)")
            #expect(Serve.exitCode(for: error) != .success)
        }
    }

    @Test("a retention past the longest is refused at start, before the server listens: it would overflow the store's cutoff")
    func hugeRefusedByTheBinary() throws {
        let fixture = try ReviewFixture()
        let result = try TollgateBinary.run([
            "serve", "--repo", fixture.git.path, "--state", fixture.statePath, "--listen", "127.0.0.1:0", "--poll", "0s",
            "--notification-retention", "10000000000000000s",
        ])
        #expect(result.status != 0)
        #expect(result.standardError.contains("--notification-retention 10000000000000000s is longer than 36500d"), "\(result.standardError)")
        #expect(!result.standardOutput.contains("Listening"))
    }
}

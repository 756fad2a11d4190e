import Foundation
import Testing
import TollgateTestSupport

@Suite("tollgate token")
struct TokenCommandTests {
    @Test("issue prints the token once, list never shows it, revoke stops it; each act is audited")
    func lifecycle() throws {
        let fixture = try ReviewFixture()
        let options = ["--repo", fixture.git.path, "--state", fixture.statePath]
        #expect(try TollgateBinary.run(["init", "--actor", "lead"] + options).status == 0)

        let issued = try TollgateBinary.run(["token", "issue", "amara", "--expires", "30d", "--actor", "lead"] + options)
        #expect(issued.status == 0, "\(issued.standardError)")
        let token = issued.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("tgt_") && token.count == 68)
        #expect(issued.standardError.contains("acts as amara"))
        #expect(issued.standardError.contains("shown only this once"))

        let listed = try TollgateBinary.run(["token", "list", "--json"] + options)
        #expect(listed.status == 0)
        #expect(!listed.standardOutput.contains(token))
        let rows = try #require(JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["reviewer"] as? String == "amara")
        #expect(rows.first?["state"] as? String == "active")
        #expect(rows.first?["token"] == nil)
        let id = try #require(rows.first?["id"] as? String)

        let revoked = try TollgateBinary.run(["token", "revoke", id, "--actor", "lead"] + options)
        #expect(revoked.status == 0, "\(revoked.standardError)")
        let again = try TollgateBinary.run(["token", "revoke", id, "--actor", "lead"] + options)
        #expect(again.status != 0)
        #expect(again.standardError.contains("revoked already"))
        let text = try TollgateBinary.run(["token", "list"] + options)
        #expect(text.standardOutput.contains("\(id)  amara  revoked"))

        let audit = try TollgateBinary.run(["audit", "--json"] + options)
        #expect(audit.standardOutput.contains("token.issued") && audit.standardOutput.contains("token.revoked"))
        #expect(!audit.standardOutput.contains(token))
    }

    @Test("a reviewer the policy in force does not list, or a bad --expires, is refused with a clear error and no token")
    func refused() throws {
        let fixture = try ReviewFixture()
        let options = ["--repo", fixture.git.path, "--state", fixture.statePath]
        #expect(try TollgateBinary.run(["init", "--actor", "lead"] + options).status == 0)
        let stranger = try TollgateBinary.run(["token", "issue", "mallory", "--actor", "lead"] + options)
        #expect(stranger.status != 0)
        #expect(stranger.standardError.contains("mallory is not listed in the policy in force"))
        #expect(stranger.standardOutput.isEmpty)
        let badExpiry = try TollgateBinary.run(["token", "issue", "amara", "--expires", "soon", "--actor", "lead"] + options)
        #expect(badExpiry.status != 0)
        #expect(badExpiry.standardError.contains("--expires"))
        let listed = try TollgateBinary.run(["token", "list", "--json"] + options)
        #expect((try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [Any])?.isEmpty == true)
    }
}

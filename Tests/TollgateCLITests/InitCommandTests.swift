import Foundation
import Testing
import TollgateTestSupport
import TollgateStore

@Suite("tollgate init")
struct InitCommandTests {
    @Test("init trusts the Policies/ at the tip once, records who did it, and refuses to repeat silently")
    func trustOnce() throws {
        let fixture = try ReviewFixture()
        let options = ["--repo", fixture.git.path, "--state", fixture.statePath]
        let first = try TollgateBinary.run(["init", "--actor", "lead"] + options)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("Trusted Policies/ of commit \(fixture.firstCommit.prefix(7))"), "\(first.standardOutput)")
        let audit = try TollgateBinary.run(["audit", "--actor", "lead", "--csv"] + options)
        #expect(audit.standardOutput.contains("policy.trusted"), "\(audit.standardOutput)")

        let second = try TollgateBinary.run(["init", "--actor", "lead"] + options)
        #expect(second.status != 0)
        #expect(second.standardError.contains("tollgate init --force"), "\(second.standardError)")
        let unsigned = try TollgateBinary.run(["init", "--actor", "lead", "--force"] + options)
        #expect(unsigned.status != 0)
        #expect(unsigned.standardError.contains("must be signed by a key that the policy lists"), "\(unsigned.standardError)")
        let stranger = try TollgateBinary.run(["init", "--actor", "lead", "--force", "--key", try #require(fixture.keys["mallory"]).privateKeyPath] + options)
        #expect(stranger.status != 0)
        #expect(stranger.standardError.contains("not listed"), "\(stranger.standardError)")

        let text = try TollgateBinary.run(["init", "--force", "--print-text"] + options)
        #expect(text.standardOutput.contains("action: trust policy\ncommit: \(fixture.firstCommit)\nreplacing: \(fixture.firstCommit)"), "\(text.standardOutput)")
        let signature = try fixture.signatureText(of: text.standardOutput, as: "bastien")
        let signaturePath = fixture.folder.appending("init.sig")
        try Data(signature.utf8).write(to: URL(fileURLWithPath: signaturePath))
        let forced = try TollgateBinary.run(["init", "--actor", "lead", "--force", "--signature", signaturePath] + options)
        #expect(forced.status == 0, "\(forced.standardError)")
        let trail = try TollgateBinary.run(["audit", "--actor", "bastien", "--csv"] + options)
        #expect(trail.standardOutput.contains("policy.trusted"), "\(trail.standardOutput)")
        #expect(trail.standardOutput.contains(#"""claimed_actor"":""lead"""#), "\(trail.standardOutput)")
    }

    @Test("init, forced or not, refuses a commit that is not on the branch, and records nothing")
    func offBranch() throws {
        let fixture = try ReviewFixture()
        let options = ["--repo", fixture.git.path, "--state", fixture.statePath]
        #expect(try TollgateBinary.run(["init", "--actor", "lead"] + options).status == 0)
        _ = try fixture.git.git("checkout", "-q", "-b", "takeover")
        try fixture.git.write("Policies/approvals.yaml", "rules: []\n")
        let unmerged = try fixture.git.commit("weaken the rules", author: "Mallory <mallory@example.com>")
        _ = try fixture.git.git("checkout", "-q", "main")
        for force in [["--force"], []] {
            let result = try TollgateBinary.run(["init", "--actor", "anyone", "--commit", unmerged] + force + options)
            #expect(result.status != 0)
            #expect(result.standardError.contains("is not on branch main"), "\(result.standardError)")
            #expect(result.standardError.contains(String(unmerged.prefix(7))), "\(result.standardError)")
        }
        let audit = try TollgateBinary.run(["audit", "--actor", "anyone", "--csv"] + options)
        #expect(!audit.standardOutput.contains("policy.trusted"), "\(audit.standardOutput)")
    }

    @Test("explain before init says to run tollgate init first")
    func explainBeforeInit() async throws {
        let review = try await CLIReview.make(trusted: false)
        let result = try review.run(["explain", review.record.id])
        #expect(result.status != 0)
        #expect(result.standardError.contains("run tollgate init first"), "\(result.standardError)")
    }
}

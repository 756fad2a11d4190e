import Foundation
import Testing
import TollgateCore
import TollgateStore
import TollgateTestSupport
import TollgateEngine

/// A fixture with one stored change set for `web`, as sync would leave it, and the options that
/// point tollgate at its repository and state file.
struct CLIReview {
    let fixture: ReviewFixture
    let record: ChangeSetRecord
    var options: [String] { ["--repo", fixture.git.path, "--state", fixture.statePath] }

    static func make(trusted: Bool = true) async throws -> CLIReview {
        let fixture = try ReviewFixture()
        if trusted {
            let result = try TollgateBinary.run(["init", "--repo", fixture.git.path, "--state", fixture.statePath, "--actor", "lead"])
            #expect(result.status == 0, "\(result.standardError)")
        }
        let store = try await fixture.openStore()
        let record = try await fixture.createStackChangeSet(commits: [fixture.firstCommit], in: store)
        try await store.close()
        return CLIReview(fixture: fixture, record: record)
    }

    func run(_ arguments: [String]) throws -> CommandResult {
        try TollgateBinary.run(arguments + options)
    }

    /// Writes `text` to a new file in the fixture's folder and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let path = fixture.folder.appending(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

@Suite("tollgate approve and reject")
struct ApproveCommandTests {
    @Test("approve --key signs with the private key and makes the change set APPROVED")
    func approveWithKey() async throws {
        let review = try await CLIReview.make()
        let key = try #require(review.fixture.keys["amara"]).privateKeyPath
        let result = try review.run(["approve", review.record.id, "--key", key])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Approved change set \(review.record.id) as amara; it is APPROVED."), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Can be applied now."), "\(result.standardOutput)")
    }

    @Test("approve --signature takes the file ssh-keygen -Y sign wrote over show --approval-text")
    func approveWithSignatureFile() async throws {
        let review = try await CLIReview.make()
        let text = try review.run(["show", review.record.id, "--approval-text"])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput == review.record.approvalText(for: .approve))
        let signature = try review.file("approval.txt.sig", try review.fixture.signatureText(of: text.standardOutput, as: "bastien"))
        let result = try review.run(["approve", review.record.id, "--signature", signature, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "APPROVED")
        #expect(json["reviewer"] as? String == "bastien")
    }

    @Test("a tampered signature file fails with a message naming what is wrong")
    func tamperedFile() async throws {
        let review = try await CLIReview.make()
        var armored = try review.fixture.signatureText(of: review.record.approvalText(for: .approve), as: "amara")
        let body = try #require(armored.range(of: "-----\n")?.upperBound)
        let index = armored.index(body, offsetBy: 40)
        armored.replaceSubrange(index...index, with: armored[index] == "A" ? "B" : "A")
        let path = try review.file("tampered.sig", armored)
        let result = try review.run(["approve", review.record.id, "--signature", path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("tampered.sig") || result.standardError.contains("refused"), "\(result.standardError)")
        let explain = try review.run(["explain", review.record.id])
        #expect(explain.standardOutput.contains("Status: PENDING"), "\(explain.standardOutput)")
    }

    @Test("a key nobody lists fails, naming the change set")
    func unlistedKey() async throws {
        let review = try await CLIReview.make()
        let key = try #require(review.fixture.keys["mallory"]).privateKeyPath
        let result = try review.run(["approve", review.record.id, "--key", key])
        #expect(result.status != 0)
        #expect(result.standardError.contains("not listed for any reviewer in the policy in force"), "\(result.standardError)")
        #expect(result.standardError.contains(review.record.id))
    }

    @Test("approving twice fails the second time: a person counts once")
    func twice() async throws {
        let review = try await CLIReview.make()
        let fixture = review.fixture
        let store = try await fixture.openStore()
        try await fixture.recordStackApplied(at: fixture.firstCommit, in: store)
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets-v2"))
        let rename = try fixture.git.commit("rename the bucket", author: ReviewFixture.outsider)
        let record = try await fixture.createStackChangeSet(commits: [rename], in: store)
        try await store.close()
        let key = try #require(fixture.keys["amara"]).privateKeyPath
        let first = try review.run(["approve", record.id, "--key", key])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("it is PENDING"))
        let second = try review.run(["approve", record.id, "--key", key])
        #expect(second.status != 0)
        #expect(second.standardError.contains("a person counts once"), "\(second.standardError)")
    }

    @Test("reject --key --reason makes the change set REJECTED, and the reason is shown")
    func reject() async throws {
        let review = try await CLIReview.make()
        let key = try #require(review.fixture.keys["bastien"]).privateKeyPath
        let result = try review.run(["reject", review.record.id, "--key", key, "--reason", "wrong bucket"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Rejected change set \(review.record.id) as bastien; it is REJECTED."), "\(result.standardOutput)")
        let shown = try review.run(["show", review.record.id])
        #expect(shown.standardOutput.contains("bastien rejected"), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("wrong bucket"))
    }

    @Test("approve needs exactly one of --key and --signature")
    func oneProof() async throws {
        let review = try await CLIReview.make()
        let result = try review.run(["approve", review.record.id])
        #expect(result.status != 0)
        #expect(result.standardError.contains("exactly one of --key"), "\(result.standardError)")
    }
}

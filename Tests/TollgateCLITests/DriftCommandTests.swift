import Foundation
import Testing
import TollgateAWS
import TollgateTestSupport

/// `tollgate drift` end to end: a stack applied through moto (the AWS emulator the test set-up
/// starts), then changed behind Tollgate's back; the exit status is what a timer alerts on.
@Suite("tollgate drift")
struct DriftCommandTests {
    static let environment = ["AWS_ACCESS_KEY_ID": "AKIDTOLLGATETEST", "AWS_SECRET_ACCESS_KEY": "not-a-real-secret"]

    private func tollgate(_ fixture: ReviewFixture, _ arguments: [String], environment: [String: String] = Self.environment) throws -> CommandResult {
        try TollgateBinary.run(arguments + ["--repo", fixture.git.path, "--state", fixture.statePath], environment: environment)
    }

    @Test("exit 0 in sync, 2 once changed behind Tollgate's back (provider text escaped), 1 for an unknown stack or no credentials")
    func drift() async throws {
        let server = try MotoServer.shared()
        let prefix = MotoServer.uniqueName("cli-drift")
        let fixture = try ReviewFixture(extraFiles: [
            "Stacks/web/template.yaml": ReviewFixture.template(bucket: "\(prefix)-assets"),
            "Policies/deployments.yaml": """
                deployments:
                  - stacks: [web]
                    provider: cloudformation
                    region: eu-west-1
                    stack-name: "\(prefix)-{name}"
                    endpoint-url: \(server.endpoint)

                """,
        ])
        #expect(try tollgate(fixture, ["init", "--actor", "admin"]).status == 0)
        let sync = try tollgate(fixture, ["sync", "--json"])
        let id = try #require(try createdChangeSets(sync.standardOutput).first?["id"] as? String)
        let text = try tollgate(fixture, ["show", id, "--approval-text"])
        let key = try #require(fixture.keys["amara"])
        let signature = fixture.folder.appending("approval.sig")
        try Data(try fixture.keygen.sign(text.standardOutput, key: key, namespace: "tollgate", in: fixture.folder).utf8)
            .write(to: URL(fileURLWithPath: signature))
        #expect(try tollgate(fixture, ["approve", id, "--signature", signature]).status == 0)
        let apply = try tollgate(fixture, ["apply", id, "--actor", "amara"])
        #expect(apply.status == 0, "\(apply.standardOutput)\(apply.standardError)")

        let inSync = try tollgate(fixture, ["drift"])
        #expect(inSync.status == 0, "\(inSync.standardOutput)\(inSync.standardError)")
        #expect(inSync.standardOutput.contains("web: in sync (cloudformation stack \(prefix)-web, CREATE_COMPLETE"), "\(inSync.standardOutput)")
        #expect(inSync.standardOutput.contains("1 stack: 0 drifted, 1 in sync, 0 not compared, 0 errors."))

        // Someone retags the stack with a raw UpdateStack, as the AWS CLI would; the tag value holds a C1 control
        // (CSI) and a right-to-left override, which must reach the terminal as escapes.
        let connection = AWSServiceConnection(
            service: "cloudformation", region: "eu-west-1", endpoint: try AWSEndpoint(url: server.endpoint),
            credentials: StaticCredentialProvider(AWSCredentials(
                accessKeyID: "AKIDTOLLGATETEST", secretAccessKey: "not-a-real-secret", source: "the test")),
            retry: AWSRetryPolicy(maximumAttempts: 1))
        _ = try await AWSQueryClient(connection: connection, version: "2010-05-15").callForText("UpdateStack", [
            QueryItem("StackName", "\(prefix)-web"), QueryItem("TemplateBody", ReviewFixture.template(bucket: "\(prefix)-assets")),
            QueryItem("Tags.member.1.Key", "owner"), QueryItem("Tags.member.1.Value", "\u{9B}31mmallory\u{202E}"),
        ])

        let drifted = try tollgate(fixture, ["drift", "web"])
        #expect(drifted.status == 2, "\(drifted.standardOutput)\(drifted.standardError)")
        #expect(drifted.standardOutput.contains("web: DRIFTED"), "\(drifted.standardOutput)")
        #expect(drifted.standardOutput.contains("Tags.owner: (none) -> \\u{9B}31mmallory\\u{202E}"), "\(drifted.standardOutput)")
        #expect(!drifted.standardOutput.unicodeScalars.contains { $0 == "\u{9B}" || $0 == "\u{202E}" })
        #expect(drifted.standardOutput.contains("Resource drift could not be checked"), "moto has no DetectStackDrift")

        let json = try tollgate(fixture, ["drift", "--json"])
        #expect(json.status == 2)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(report["drifted"] as? Bool == true)
        #expect(report["errors"] as? Bool == false)
        let stack = try #require((report["stacks"] as? [[String: Any]])?.first)
        #expect(stack["status"] as? String == "DRIFTED")
        let changeSet = try #require(stack["changeSet"] as? [String: Any])
        let tags = try #require(changeSet["TemplateChanges"] as? [[String: Any]])
        #expect(tags.contains { $0["Section"] as? String == "Tags" && $0["After"] as? String == "\u{9B}31mmallory\u{202E}" }, "\(tags)")

        let unknown = try tollgate(fixture, ["drift", "payments"])
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("Stack payments has no recorded state"), "\(unknown.standardError)")
        #expect(unknown.standardError.contains("applied stacks: web"))

        let noCredentials = try tollgate(fixture, ["drift"], environment: [
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            "AWS_CONFIG_FILE": "/nonexistent", "HOME": fixture.folder.path,
        ])
        #expect(noCredentials.status == 1, "\(noCredentials.standardOutput)")
        #expect(noCredentials.standardOutput.contains("web: ERROR"), "\(noCredentials.standardOutput)")
        #expect(noCredentials.standardOutput.contains("No AWS credentials found"))
    }
}

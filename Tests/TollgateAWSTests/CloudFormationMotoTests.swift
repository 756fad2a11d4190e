import Foundation
import Testing
import TollgateAWS
import TollgateTestSupport

/// The CloudFormation client end to end against moto, the AWS emulator, started by the test set-up
/// on 127.0.0.1. What the stacks made is checked through the S3 and SQS APIs, signed by this
/// module's signer. Moto keeps one state for all tests, so every name is unique.
@Suite("CloudFormation against moto")
struct CloudFormationMotoTests {
    let server: MotoServer
    let endpoint: AWSEndpoint
    let client: LiveCloudFormationClient
    static let region = "eu-west-1"
    static let account = StaticCredentialProvider(
        AWSCredentials(accessKeyID: "AKIDMOTOTEST", secretAccessKey: TestCredentials.secret, source: "the test")
    )

    init() throws {
        server = try MotoServer.shared()
        endpoint = try AWSEndpoint(url: server.endpoint)
        client = LiveCloudFormationClient.make(
            region: Self.region, credentials: Self.account, endpoint: endpoint, retry: RecordedSleeps().policy()
        )
    }

    func connection(_ service: String, credentials: any AWSCredentialProvider = Self.account) -> AWSServiceConnection {
        AWSServiceConnection(
            service: service, region: Self.region, endpoint: endpoint, credentials: credentials,
            retry: RecordedSleeps().policy(), signing: service == "s3" ? S3Client.signingOptions : SignatureV4.Options()
        )
    }

    /// The queue's visibility timeout, asked through SQS's Query API.
    func visibilityTimeout(_ name: String) async throws -> String? {
        let sqs = AWSQueryClient(connection: connection("sqs"), version: "2012-11-05")
        let url = try await sqs.callForText("GetQueueUrl", [QueryItem("QueueName", name)])
            .replacingOccurrences(of: "QueueUrl: ", with: "")
        let attributes = try await sqs.callForText("GetQueueAttributes", [
            QueryItem("QueueUrl", url), QueryItem("AttributeName.1", "VisibilityTimeout"),
        ])
        return attributes.split(separator: "\n").last.map { $0.replacingOccurrences(of: "Value: ", with: "") }
    }

    /// Whether SQS knows the queue, asked through SQS's Query API.
    func queueExists(_ name: String) async throws -> Bool {
        let sqs = AWSQueryClient(connection: connection("sqs"), version: "2012-11-05")
        do {
            _ = try await sqs.callForText("GetQueueUrl", [QueryItem("QueueName", name)])
            return true
        } catch {
            if error.code?.contains("NonExistentQueue") == true { return false }
            throw error
        }
    }

    static func template(
        bucket: String, queue: String, fifo: Bool = false, padding: Int = 0, visibilityTimeout: Int = 30
    ) -> String {
        let queueProperties = fifo
            ? #"{"QueueName": "\#(queue)", "FifoQueue": true}"#
            : #"{"QueueName": "\#(queue)", "VisibilityTimeout": \#(visibilityTimeout)}"#
        let metadata = padding > 0 ? #", "Metadata": {"Padding": "\#(String(repeating: "x", count: padding))"}"# : ""
        return """
            {
              "AWSTemplateFormatVersion": "2010-09-09"\(metadata),
              "Parameters": {"Environment": {"Type": "String"}},
              "Resources": {
                "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "\(bucket)"}},
                "Queue": {"Type": "AWS::SQS::Queue", "Properties": \(queueProperties)}
              },
              "Outputs": {"QueueName": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}}
            }
            """
    }

    /// Creates and executes a change set, follows the stack to its end, and returns what it saw.
    func deploy(
        _ stack: String, _ template: String, changeSet: String, artifactBucket: String? = nil,
        on client: LiveCloudFormationClient? = nil
    ) async throws -> (ChangeSetDescription, StackOperationResult) {
        let client = client ?? self.client
        let existing = try await client.describeStack(name: stack)
        let reference = try await client.createChangeSet(ChangeSetRequest(
            stackName: stack, changeSetName: changeSet, type: .for(existing: existing), templateBody: template,
            parameters: ["Environment": "test"], tags: ["team": "payments"], artifactBucket: artifactBucket,
            clientToken: changeSet
        ))
        guard case .ready(let description) = try await client.waitForChangeSet(id: reference.id, stackName: stack) else {
            throw AWSError.unexpectedResponse(action: "test", httpStatus: 0, detail: "change set not ready")
        }
        try await client.executeChangeSet(id: reference.id, stackName: stack, clientToken: changeSet)
        let result = try await client.followStackOperation(stackName: stack, after: nil, sleep: { _ in })
        return (description, result)
    }

    @Test("a stack with a bucket and a queue is created, renamed, and deleted")
    func createUpdateDelete() async throws {
        let stack = MotoServer.uniqueName("tg-life")
        let bucket = MotoServer.uniqueName("tg-bucket")
        let queue = MotoServer.uniqueName("tg-queue")
        let s3 = S3Client(connection: connection("s3"))

        let (created, creation) = try await deploy(stack, Self.template(bucket: bucket, queue: queue), changeSet: "tg-create")
        #expect(Set(created.changes.map { "\($0.action) \($0.logicalID) \($0.resourceType)" })
            == ["Add Bucket AWS::S3::Bucket", "Add Queue AWS::SQS::Queue"])
        #expect(creation.succeeded)
        #expect(creation.stack?.status == StackStatus(rawValue: "CREATE_COMPLETE"))
        #expect(creation.events.last?.status == "CREATE_COMPLETE")
        #expect(creation.events.last?.isStackEvent == true)
        #expect(creation.stack?.parameters == ["Environment": "test"])
        #expect(creation.stack?.tags == ["team": "payments"])
        #expect(try await s3.bucketExists(bucket))
        #expect(try await queueExists(queue))

        let lastEvent = try #require(creation.events.last?.id)
        #expect(try await visibilityTimeout(queue) == "30")
        let renamed = queue + "-renamed"
        let (updated, update) = try await deploy(
            stack, Self.template(bucket: bucket, queue: renamed, visibilityTimeout: 45), changeSet: "tg-rename"
        )
        let queueChange = try #require(updated.changes.first { $0.logicalID == "Queue" })
        #expect(queueChange.action == "Modify")
        #expect(update.stack?.status == StackStatus(rawValue: "UPDATE_COMPLETE"))
        // Moto 5.2 applies an update to the queue it has (the visibility timeout shows it reached
        // SQS) but keeps its name, where AWS would replace the queue; the new name is checked in
        // the stack's template below, as CloudFormation holds it.
        #expect(try await visibilityTimeout(queue) == "45")
        let since = try await client.stackEvents(stackName: stack, after: lastEvent)
        #expect(!since.isEmpty && !since.contains { $0.id == lastEvent })
        #expect(since.last?.status == "UPDATE_COMPLETE")
        #expect(try await client.originalTemplate(stackName: stack).contains(renamed))

        let stackID = try #require(update.stack?.id)
        try await client.deleteStack(name: stack, clientToken: "tg-delete")
        let deletion = try await client.followStackOperation(stackName: stackID, after: nil, sleep: { _ in })
        #expect(deletion.succeeded)
        #expect(try await s3.bucketExists(bucket) == false)
        #expect(try await client.describeStack(name: stack).map(\.status) ?? .deleteComplete == .deleteComplete)
    }

    @Test("a change set with nothing to change is a distinct no-op")
    func noChanges() async throws {
        let stack = MotoServer.uniqueName("tg-same")
        let template = Self.template(bucket: MotoServer.uniqueName("tg-bucket"), queue: MotoServer.uniqueName("tg-queue"))
        _ = try await deploy(stack, template, changeSet: "tg-first")
        // Moto refuses such a change set at once with "No updates are to be performed"; AWS makes
        // it and fails it with "didn't contain changes" (the canned tests cover that path).
        do {
            let again = try await client.createChangeSet(ChangeSetRequest(
                stackName: stack, changeSetName: "tg-again", type: .update, templateBody: template,
                parameters: ["Environment": "test"], tags: ["team": "payments"]
            ))
            let outcome = try await client.waitForChangeSet(id: again.id, stackName: stack)
            guard case .noChanges = outcome else {
                Issue.record("expected no changes, got \(outcome)")
                return
            }
            try await client.deleteChangeSet(id: again.id, stackName: stack)
        } catch {
            #expect(error.meansNoChanges, "\(error)")
        }
    }

    @Test("a FIFO queue whose name lacks .fifo fails with CloudFormation's message")
    func fifoQueueWithoutSuffix() async throws {
        let stack = MotoServer.uniqueName("tg-fifo")
        let template = Self.template(bucket: MotoServer.uniqueName("tg-bucket"), queue: MotoServer.uniqueName("tg-queue"), fifo: true)
        // Moto refuses the queue when the change set is executed; AWS accepts the call and ends
        // the stack in ROLLBACK_COMPLETE with the same message on the queue's CREATE_FAILED event.
        // Either way the message reaches the caller: here in the error, there in
        // StackOperationResult.firstFailureReason.
        do {
            let (_, result) = try await deploy(stack, template, changeSet: "tg-fifo")
            #expect(!result.succeeded)
            #expect(result.firstFailureReason?.contains(".fifo") == true)
        } catch let error as AWSError {
            #expect(error.code == "InvalidParameterValue")
            #expect("\(error)".contains("ExecuteChangeSet"))
            #expect("\(error)".contains("Queue name must end in .fifo for FIFO queues"))
        }
    }

    @Test("a stack is deployed into another account through AssumeRole")
    func crossAccount() async throws {
        let role = "arn:aws:iam::210987654321:role/tollgate-deployer"
        let sts = STSClient(connection: connection("sts"))
        let assumed = AssumedRoleCredentialProvider(roleARN: role, sessionName: "tollgate-apply", sts: sts)
        let identity = try await STSClient(connection: connection("sts", credentials: assumed)).callerIdentity()
        #expect(identity.account == "210987654321")

        let crossAccount = try LiveCloudFormationClient.forDeployment(
            region: Self.region, endpointURL: server.endpoint, roleARN: role, sessionName: "tollgate-apply",
            credentialChain: AWSCredentialChain(
                environment: ["AWS_ACCESS_KEY_ID": "AKIDMOTOTEST", "AWS_SECRET_ACCESS_KEY": TestCredentials.secret],
                homeDirectory: "/nonexistent"
            ),
            retry: RecordedSleeps().policy()
        )
        let stack = MotoServer.uniqueName("tg-cross")
        let template = Self.template(bucket: MotoServer.uniqueName("tg-bucket"), queue: MotoServer.uniqueName("tg-queue"))
        let (_, result) = try await deploy(stack, template, changeSet: "tg-cross", on: crossAccount)
        #expect(result.succeeded)
        #expect(result.stack?.id.contains(":210987654321:stack/\(stack)/") == true)
        #expect(try await client.describeStack(name: stack) == nil, "the caller's own account has no such stack")
    }

    @Test("a template over 51,200 bytes goes through the artifact bucket as TemplateURL")
    func largeTemplate() async throws {
        let artifacts = MotoServer.uniqueName("tg-artifacts")
        let location = "<CreateBucketConfiguration><LocationConstraint>\(Self.region)</LocationConstraint></CreateBucketConfiguration>"
        _ = try await connection("s3").send(action: "CreateBucket", method: "PUT", path: "/" + artifacts, body: Array(location.utf8))
        let stack = MotoServer.uniqueName("tg-large")
        let queue = MotoServer.uniqueName("tg-queue")
        let template = Self.template(bucket: MotoServer.uniqueName("tg-bucket"), queue: queue, padding: 60_000)
        #expect(template.utf8.count > CloudFormationLimits.inlineTemplateBytes)

        // Moto reads a path-style TemplateURL only from a host called localhost.
        let client = LiveCloudFormationClient.make(
            region: Self.region, credentials: Self.account, endpoint: try AWSEndpoint(url: "http://localhost:\(server.port)"),
            retry: RecordedSleeps().policy()
        )
        let reference = try await client.createChangeSet(ChangeSetRequest(
            stackName: stack, changeSetName: "tg-large", type: .create, templateBody: template,
            parameters: ["Environment": "test"], artifactBucket: artifacts
        ))
        let url = try #require(reference.templateURL)
        #expect(url.hasPrefix("http://localhost:\(server.port)/\(artifacts)/tollgate/\(stack)/"))
        guard case .ready = try await client.waitForChangeSet(id: reference.id, stackName: stack) else {
            Issue.record("the change set from TemplateURL is not ready")
            return
        }
        try await client.executeChangeSet(id: reference.id, stackName: stack, clientToken: nil)
        let result = try await client.followStackOperation(stackName: stack, after: nil, sleep: { _ in })
        #expect(result.succeeded)
        #expect(try await queueExists(queue))
    }

    @Test("a template over 51,200 bytes without an artifact bucket is refused before anything is sent")
    func largeTemplateWithoutBucket() async throws {
        let transport = CannedTransport([])
        let client = LiveCloudFormationClient.make(region: Self.region, credentials: Self.account, transport: transport)
        let template = Self.template(bucket: "b", queue: "q", padding: 60_000)
        await #expect {
            try await client.createChangeSet(ChangeSetRequest(
                stackName: "payments", changeSetName: "tg-1", type: .create, templateBody: template
            ))
        } throws: { error in
            "\(error)".contains("payments") && "\(error)".contains("artifact-bucket")
        }
        #expect(transport.sent.isEmpty)
    }
}

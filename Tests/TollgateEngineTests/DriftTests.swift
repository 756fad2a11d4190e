import Foundation
import Synchronization
import Testing
import TollgateAWS
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// `tollgate drift`: each applied stack's recorded state against what its provider holds.
@Suite("Drift")
struct DriftTests {
    /// Clients that try once: moto and the stubs answer at once, and a refusal should not wait.
    static func clients(
        credentials: AWSCredentialChain = ApplyCloudFormationTests.credentials, transport: any AWSTransport = HTTPClientTransport()
    ) -> CloudFormationClients {
        .reading(credentials: credentials, transport: transport, retry: AWSRetryPolicy(maximumAttempts: 1))
    }

    static func cloudFormation(_ stacks: String, endpoint: String, stackName: String = "{name}", region: String = "eu-west-1") -> String {
        """
        deployments:
          - stacks: [\(stacks)]
            provider: cloudformation
            region: \(region)
            stack-name: "\(stackName)"
            endpoint-url: \(endpoint)

        """
    }

    /// Records `stack` as applied with `template`, without any provider.
    static func record(_ stack: String, template: String, parameters: [String: String] = [:], tags: [String: String] = [:], in store: any StateStore) async throws {
        _ = try await store.transaction { tx in
            try await tx.recordStackState(
                stack: stack, template: template, parameters: parameters, tags: tags, commit: String(repeating: "ab", count: 20), actor: "test")
        }
    }

    @Test("record and command stacks are listed but not compared, and the JSON keeps one shape")
    func notCompared() async throws {
        let deployments = "deployments:\n  - stacks: [legacy]\n    provider: command\n    command: [/bin/true]\n"
        let review = try await TrustedReview.make(extraFiles: ["Policies/deployments.yaml": deployments])
        try await review.fixture.recordStackApplied(at: review.fixture.firstCommit, in: review.store)
        try await Self.record("legacy", template: ReviewFixture.template(bucket: "legacy-assets"), in: review.store)

        let report = try await DriftCheck(store: review.store, clients: Self.clients()).check(repository: try review.fixture.repository())
        #expect(report.stacks.map(\.stack) == ["legacy", "web"])
        #expect(report.stacks.map(\.status) == [.notCheckable, .recordOnly])
        #expect(report.stacks.map(\.provider) == ["command", "record"])
        #expect(report.stacks[0].detail.contains("cannot be asked what it deployed"))
        #expect(report.stacks[1].detail.contains("the recorded state is the target"))
        #expect(!report.hasDrift && !report.hasErrors)

        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        #expect(json["drifted"] as? Bool == false)
        #expect(json["errors"] as? Bool == false)
        let web = try #require((json["stacks"] as? [[String: Any]])?.last)
        #expect(Set(web.keys) == [
            "stack", "provider", "status", "detail", "stateVersion", "commit", "recordedAsRemoved", "providerStackName",
            "providerStackStatus", "changeSet", "resourceDrift",
        ])
        #expect(web["status"] as? String == "RECORD_ONLY")
        #expect(web["changeSet"] is NSNull)
        #expect(try JSONDecoder().decode(DriftReport.self, from: JSONEncoder().encode(report)) == report)
        try await review.store.close()
    }

    @Test("a stack named that was never applied is an error naming the applied ones")
    func unknownStack() async throws {
        let review = try await TrustedReview.make()
        try await review.fixture.recordStackApplied(at: review.fixture.firstCommit, in: review.store)
        await #expect(throws: DriftError.unknownStack("payments", known: ["web"])) {
            _ = try await DriftCheck(store: review.store, clients: Self.clients()).check(stack: "payments", repository: try review.fixture.repository())
        }
        #expect(DriftError.unknownStack("payments", known: ["web"]).description.contains("applied stacks: web"))
        try await review.store.close()
    }

    @Test("missing credentials and an unreachable endpoint are errors of their stack; the other stacks are still checked")
    func errors() async throws {
        let port = try #require(Self.closedPort())
        let deployments = Self.cloudFormation("web", endpoint: "http://127.0.0.1:\(port)")
            + "  - stacks: [legacy]\n    provider: command\n    command: [/bin/true]\n"
        let review = try await TrustedReview.make(extraFiles: ["Policies/deployments.yaml": deployments])
        try await review.fixture.recordStackApplied(at: review.fixture.firstCommit, in: review.store)
        try await Self.record("legacy", template: ReviewFixture.template(bucket: "legacy-assets"), in: review.store)
        let repository = try review.fixture.repository()

        let noCredentials = AWSCredentialChain(environment: [:], homeDirectory: "/nonexistent")
        let missing = try await DriftCheck(store: review.store, clients: Self.clients(credentials: noCredentials)).check(repository: repository)
        #expect(missing.hasErrors)
        #expect(missing.stacks.map(\.status) == [.notCheckable, .error])
        #expect(missing.stacks[1].detail.contains("AWS_ACCESS_KEY_ID"), "\(missing.stacks[1].detail)")

        let unreachable = try await DriftCheck(store: review.store, clients: Self.clients()).check(stack: "web", repository: repository)
        #expect(unreachable.stacks.map(\.status) == [.error])
        #expect(unreachable.stacks[0].detail.contains("could not reach"), "\(unreachable.stacks[0].detail)")
        #expect(unreachable.stacks[0].detail.contains("DescribeStacks"))
        try await review.store.close()
    }

    @Test("applied through moto a stack is in sync; changed behind Tollgate's back it drifts, shown as a change set; deleted, it drifts")
    func moto() async throws {
        let server = try MotoServer.shared()
        let prefix = MotoServer.uniqueName("drift")
        let review = try await TrustedReview.make(extraFiles: [
            "Policies/deployments.yaml": Self.cloudFormation("web", endpoint: server.endpoint, stackName: "\(prefix)-{name}"),
        ])
        let fixture = review.fixture
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "\(prefix)-assets"))
        let commit = try fixture.git.commit("name the bucket", author: ReviewFixture.outsider)
        let record = try await fixture.createStackChangeSet(commits: [fixture.firstCommit, commit], in: review.store)
        try await review.review(record, as: "amara")
        let applied = try await ChangeSetApplication(store: review.store, clock: fixture.clock, holder: "test pid 1").apply(
            changeSetID: record.id, actor: "amara", repository: try fixture.repository(),
            providers: .reading(credentials: ApplyCloudFormationTests.credentials, pollInterval: .milliseconds(100)))
        #expect(applied.changeSet.status == .applied, "\(applied.output)")

        let check = DriftCheck(store: review.store, clients: Self.clients())
        let untouched = try #require(try await check.check(repository: try fixture.repository()).stacks.first)
        #expect(untouched.status == .inSync, "\(untouched.detail)")
        #expect(untouched.providerStackName == "\(prefix)-web")
        #expect(untouched.providerStackStatus == "CREATE_COMPLETE")
        #expect(untouched.changeSet?.isEmpty == true)
        // moto answers DetectStackDrift with HTTP 500: the rest is still compared.
        #expect(untouched.resourceDrift?.checked == false)
        #expect(untouched.resourceDrift?.note?.contains("does not offer drift detection") == true)
        #expect(untouched.detail.contains("resource drift could not be checked"), "\(untouched.detail)")

        // Someone updates the stack with a raw UpdateStack, as the console or the AWS CLI would: a
        // new bucket name and a tag (moto's ExecuteChangeSet keeps the old tags).
        let name = "\(prefix)-web"
        let connection = AWSServiceConnection(
            service: "cloudformation", region: "eu-west-1", endpoint: try AWSEndpoint(url: server.endpoint),
            credentials: StaticCredentialProvider(try ApplyCloudFormationTests.credentials.resolve()), retry: AWSRetryPolicy(maximumAttempts: 1))
        _ = try await AWSQueryClient(connection: connection, version: "2010-05-15").callForText("UpdateStack", [
            QueryItem("StackName", name), QueryItem("TemplateBody", ReviewFixture.template(bucket: "\(prefix)-by-hand")),
            QueryItem("Tags.member.1.Key", "owner"), QueryItem("Tags.member.1.Value", "mallory"),
        ])
        let client = LiveCloudFormationClient.make(
            region: "eu-west-1", credentials: StaticCredentialProvider(try ApplyCloudFormationTests.credentials.resolve()),
            endpoint: try AWSEndpoint(url: server.endpoint), retry: AWSRetryPolicy(maximumAttempts: 1))

        let drifted = try #require(try await check.check(stack: "web", repository: try fixture.repository()).stacks.first)
        #expect(drifted.status == .drifted, "\(drifted.detail)")
        #expect(drifted.detail.contains("differ from the recorded state"))
        let changeSet = try #require(drifted.changeSet)
        let assets = try #require(changeSet.resourceChanges.first { $0.logicalResourceId == "Assets" })
        #expect(assets.action == .modify)
        #expect(assets.replacement == .true, "the bucket name is create-only: CloudFormation replaced the bucket")
        #expect(changeSet.templateChanges.contains { $0.section == "Tags" && $0.name == "owner" && $0.after == "mallory" })

        try await client.deleteStack(name: name, clientToken: nil)
        let deleted = try #require(try await check.check(stack: "web", repository: try fixture.repository()).stacks.first)
        #expect(deleted.status == .drifted)
        #expect(deleted.detail.contains("CloudFormation has no stack \(name)"), "\(deleted.detail)")
        #expect(deleted.changeSet == nil)
        try await review.store.close()
    }

    /// AWS's CloudFormation API Reference examples of DetectStackDrift,
    /// DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts (stack `example`, a
    /// queue whose DelaySeconds and maxReceiveCount were changed by hand), served by a stub
    /// transport: moto answers DetectStackDrift with HTTP 500 and has no drift results at all.
    @Test("CloudFormation's resource drift detection is waited for and its changed resources reported (AWS's documented examples)")
    func resourceDrift() async throws {
        let template = """
            {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 0, "RedrivePolicy": {"maxReceiveCount": 5}}}}}
            """
        let review = try await TrustedReview.make(extraFiles: [
            "Policies/deployments.yaml": Self.cloudFormation("queues", endpoint: "https://cloudformation.us-east-1.amazonaws.com", stackName: "example", region: "us-east-1"),
        ])
        try await Self.record("queues", template: template, in: review.store)
        let transport = StubCloudFormation(answers: [
            "DescribeStacks": [StubCloudFormation.stack(status: "UPDATE_COMPLETE")],
            "GetTemplate": [StubCloudFormation.getTemplate(template)],
            "DetectStackDrift": [StubCloudFormation.detectStackDrift],
            "DescribeStackDriftDetectionStatus": [
                StubCloudFormation.detectionStatus("DETECTION_IN_PROGRESS", drift: nil),
                StubCloudFormation.detectionStatus("DETECTION_COMPLETE", drift: "DRIFTED"),
            ],
            "DescribeStackResourceDrifts": [StubCloudFormation.resourceDrifts],
        ])
        let waits = Mutex<[Duration]>([])
        let detection = DriftDetectionPolling(pollInterval: .seconds(5)) { duration in waits.withLock { $0.append(duration) } }
        let report = try await DriftCheck(store: review.store, clients: Self.clients(transport: transport), detection: detection)
            .check(repository: try review.fixture.repository())

        let stack = try #require(report.stacks.first)
        #expect(stack.status == .drifted, "\(stack.detail)")
        #expect(stack.changeSet?.isEmpty == true, "the template, parameters and tags are as recorded")
        #expect(stack.detail.contains("1 resource changed outside it (Queue)"), "\(stack.detail)")
        let drift = try #require(stack.resourceDrift)
        #expect(drift.checked && drift.stackDriftStatus == "DRIFTED")
        #expect(drift.resources == [ResourceDriftEntry(
            logicalResourceId: "Queue", physicalResourceId: "https://sqs.us-east-1.amazonaws.com/012345678910/example-Queue-1",
            resourceType: "AWS::SQS::Queue", stackResourceDriftStatus: "MODIFIED",
            propertyDifferences: [
                PropertyDrift(propertyPath: "/DelaySeconds", expectedValue: "0", actualValue: "120", differenceType: "NOT_EQUAL"),
                PropertyDrift(propertyPath: "/RedrivePolicy/maxReceiveCount", expectedValue: "5", actualValue: "12", differenceType: "NOT_EQUAL"),
            ])], "the IN_SYNC bucket is left out")
        #expect(waits.withLock { $0 } == [.seconds(5)], "one wait while detection ran")
        #expect(transport.actions == [
            "DescribeStacks", "GetTemplate", "DetectStackDrift", "DescribeStackDriftDetectionStatus",
            "DescribeStackDriftDetectionStatus", "DescribeStackResourceDrifts",
        ])
        try await review.store.close()
    }

    @Test("a NoEcho parameter CloudFormation masks is not taken for drift, and the report says it was not compared")
    func noEcho() async throws {
        let template = """
            {"Parameters": {"Password": {"Type": "String", "NoEcho": true}},
             "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 0, "RedrivePolicy": {"maxReceiveCount": 5}}}}}
            """
        let review = try await TrustedReview.make(extraFiles: [
            "Policies/deployments.yaml": Self.cloudFormation("queues", endpoint: "https://cloudformation.us-east-1.amazonaws.com", stackName: "example", region: "us-east-1"),
        ])
        try await Self.record("queues", template: template, parameters: ["Password": "hunter2"], in: review.store)
        let transport = StubCloudFormation(answers: [
            "DescribeStacks": [StubCloudFormation.stack(status: "UPDATE_COMPLETE", parameters: ["Password": "****"])],
            "GetTemplate": [StubCloudFormation.getTemplate(template)],
            "DetectStackDrift": [StubCloudFormation.detectStackDrift],
            "DescribeStackDriftDetectionStatus": [StubCloudFormation.detectionStatus("DETECTION_COMPLETE", drift: "IN_SYNC")],
            "DescribeStackResourceDrifts": [StubCloudFormation.noResourceDrifts],
        ])
        let report = try await DriftCheck(store: review.store, clients: Self.clients(transport: transport))
            .check(repository: try review.fixture.repository())
        let stack = try #require(report.stacks.first)
        #expect(stack.status == .inSync, "\(stack.detail)")
        #expect(stack.detail.contains("NoEcho parameters Password are masked"), "\(stack.detail)")
        #expect(!stack.detail.contains("hunter2"))
        try await review.store.close()
    }

    @Test("a stack recorded as removed must be gone from CloudFormation: gone it is in sync, still there it has drifted")
    func removed() async throws {
        let review = try await TrustedReview.make(extraFiles: [
            "Policies/deployments.yaml": Self.cloudFormation("queues", endpoint: "https://cloudformation.us-east-1.amazonaws.com", stackName: "example", region: "us-east-1"),
        ])
        try await Self.record("queues", template: ReviewFixture.template(bucket: "example-assets"), in: review.store)
        _ = try await review.store.transaction { tx in
            try await tx.recordStackRemoval(stack: "queues", commit: String(repeating: "cd", count: 20), actor: "test")
        }
        let gone = StubCloudFormation(answers: ["DescribeStacks": [StubCloudFormation.noSuchStack]])
        let repository = try review.fixture.repository()
        let inSync = try #require(try await DriftCheck(store: review.store, clients: Self.clients(transport: gone)).check(repository: repository).stacks.first)
        #expect(inSync.status == .inSync, "\(inSync.detail)")
        #expect(inSync.recordedAsRemoved)
        #expect(gone.actions == ["DescribeStacks"], "nothing else is asked of a stack that is gone")

        let still = StubCloudFormation(answers: ["DescribeStacks": [StubCloudFormation.stack(status: "UPDATE_COMPLETE")]])
        let drifted = try #require(try await DriftCheck(store: review.store, clients: Self.clients(transport: still)).check(repository: repository).stacks.first)
        #expect(drifted.status == .drifted)
        #expect(drifted.detail.contains("recorded as removed, but CloudFormation still has stack example (UPDATE_COMPLETE)"), "\(drifted.detail)")
        try await review.store.close()
    }

    @Test("a drift detection that fails for some resources still reports the others, and says what it could not check")
    func detectionFailed() async throws {
        let template = """
            {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 0, "RedrivePolicy": {"maxReceiveCount": 5}}}}}
            """
        let review = try await TrustedReview.make(extraFiles: [
            "Policies/deployments.yaml": Self.cloudFormation("queues", endpoint: "https://cloudformation.us-east-1.amazonaws.com", stackName: "example", region: "us-east-1"),
        ])
        try await Self.record("queues", template: template, in: review.store)
        let failed = StubCloudFormation.detectionStatus("DETECTION_FAILED", drift: "DRIFTED").replacingOccurrences(
            of: "<DetectionStatus>", with: "<DetectionStatusReason>Failed to detect drift on resource [Topic].</DetectionStatusReason><DetectionStatus>")
        let transport = StubCloudFormation(answers: [
            "DescribeStacks": [StubCloudFormation.stack(status: "UPDATE_COMPLETE")],
            "GetTemplate": [StubCloudFormation.getTemplate(template)],
            "DetectStackDrift": [StubCloudFormation.detectStackDrift],
            "DescribeStackDriftDetectionStatus": [failed],
            "DescribeStackResourceDrifts": [StubCloudFormation.resourceDrifts],
        ])
        let stack = try #require(try await DriftCheck(store: review.store, clients: Self.clients(transport: transport))
            .check(repository: try review.fixture.repository()).stacks.first)
        #expect(stack.status == .drifted)
        #expect(stack.resourceDrift?.note == "CloudFormation could not check every resource: Failed to detect drift on resource [Topic]")
        #expect(stack.resourceDrift?.resources.map(\.logicalResourceId) == ["Queue"])
        try await review.store.close()
    }

    /// A loopback port nothing listens on: bound, then closed.
    static func closedPort() -> Int? {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return nil }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}

/// A CloudFormation endpoint that answers each action from a list of recorded answers, the last
/// one repeated, and remembers which actions were called.
final class StubCloudFormation: AWSTransport {
    private let state: Mutex<(answers: [String: [String]], actions: [String])>

    init(answers: [String: [String]]) {
        state = Mutex((answers: answers, actions: []))
    }

    /// The actions called, in order.
    var actions: [String] {
        state.withLock { $0.actions }
    }

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let form = String(decoding: request.body, as: UTF8.self)
        let action = form.split(separator: "&").first { $0.hasPrefix("Action=") }.map { String($0.dropFirst("Action=".count)) } ?? ""
        let body = state.withLock { state -> String? in
            state.actions.append(action)
            guard var list = state.answers[action], let first = list.first else { return nil }
            if list.count > 1 { list.removeFirst() }
            state.answers[action] = list
            return first
        }
        guard let body else {
            return AWSHTTPResponse(status: 400, body: Array(Self.error("InvalidAction", "no recorded answer for \(action)").utf8))
        }
        // AWS answers an error document with HTTP 400.
        return AWSHTTPResponse(status: body.hasPrefix("<ErrorResponse") ? 400 : 200, body: Array(body.utf8))
    }

    static func error(_ code: String, _ message: String) -> String {
        "<ErrorResponse \(namespace)><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>"
            + "<RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ErrorResponse>"
    }

    static let noSuchStack = error("ValidationError", "Stack with id example does not exist")

    static let namespace = #"xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/""#
    static let stackID = "arn:aws:cloudformation:us-east-1:012345678910:stack/example/cb438120-6cc7-11e7-998e-example"

    static func stack(status: String, parameters: [String: String] = [:]) -> String {
        let members = parameters.map { "<member><ParameterKey>\($0.key)</ParameterKey><ParameterValue>\($0.value)</ParameterValue></member>" }
        return """
            <DescribeStacksResponse \(namespace)><DescribeStacksResult><Stacks><member>
              <StackName>example</StackName><StackId>\(stackID)</StackId>
              <CreationTime>2018-11-03T00:02:01.000Z</CreationTime><StackStatus>\(status)</StackStatus>
              <Parameters>\(members.joined())</Parameters><Tags/>
            </member></Stacks></DescribeStacksResult></DescribeStacksResponse>
            """
    }

    static func getTemplate(_ template: String) -> String {
        let escaped = template.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
        return """
            <GetTemplateResponse \(namespace)><GetTemplateResult>
              <TemplateBody>\(escaped)</TemplateBody><StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>
            </GetTemplateResult></GetTemplateResponse>
            """
    }

    static let detectStackDrift = """
        <DetectStackDriftResponse \(namespace)>
          <DetectStackDriftResult><StackDriftDetectionId>2f2b2d60-df86-11e8-8b1e-0a5f3example</StackDriftDetectionId></DetectStackDriftResult>
          <ResponseMetadata><RequestId>2f2c5b91-df86-11e8-8ed9-example</RequestId></ResponseMetadata>
        </DetectStackDriftResponse>
        """

    static func detectionStatus(_ status: String, drift: String?) -> String {
        """
        <DescribeStackDriftDetectionStatusResponse \(namespace)><DescribeStackDriftDetectionStatusResult>
          <StackId>\(stackID)</StackId>
          <StackDriftDetectionId>2f2b2d60-df86-11e8-8b1e-0a5f3example</StackDriftDetectionId>
          \(drift.map { "<StackDriftStatus>\($0)</StackDriftStatus><DriftedStackResourceCount>\($0 == "DRIFTED" ? 1 : 0)</DriftedStackResourceCount>" } ?? "")
          <DetectionStatus>\(status)</DetectionStatus><Timestamp>2018-11-03T00:12:14.000Z</Timestamp>
        </DescribeStackDriftDetectionStatusResult></DescribeStackDriftDetectionStatusResponse>
        """
    }

    static let resourceDrifts = """
        <DescribeStackResourceDriftsResponse \(namespace)><DescribeStackResourceDriftsResult><StackResourceDrifts>
          <member>
            <StackId>\(stackID)</StackId>
            <LogicalResourceId>Queue</LogicalResourceId>
            <PhysicalResourceId>https://sqs.us-east-1.amazonaws.com/012345678910/example-Queue-1</PhysicalResourceId>
            <ResourceType>AWS::SQS::Queue</ResourceType>
            <StackResourceDriftStatus>MODIFIED</StackResourceDriftStatus>
            <ExpectedProperties>{"DelaySeconds":0,"RedrivePolicy":{"maxReceiveCount":5}}</ExpectedProperties>
            <ActualProperties>{"DelaySeconds":120,"RedrivePolicy":{"maxReceiveCount":12}}</ActualProperties>
            <PropertyDifferences>
              <member><PropertyPath>/DelaySeconds</PropertyPath><ExpectedValue>0</ExpectedValue><ActualValue>120</ActualValue><DifferenceType>NOT_EQUAL</DifferenceType></member>
              <member><PropertyPath>/RedrivePolicy/maxReceiveCount</PropertyPath><ExpectedValue>5</ExpectedValue><ActualValue>12</ActualValue><DifferenceType>NOT_EQUAL</DifferenceType></member>
            </PropertyDifferences>
            <Timestamp>2018-11-03T00:12:14.000Z</Timestamp>
          </member>
          <member>
            <LogicalResourceId>Bucket</LogicalResourceId><PhysicalResourceId>example-bucket-1</PhysicalResourceId>
            <ResourceType>AWS::S3::Bucket</ResourceType><StackResourceDriftStatus>IN_SYNC</StackResourceDriftStatus>
          </member>
        </StackResourceDrifts></DescribeStackResourceDriftsResult></DescribeStackResourceDriftsResponse>
        """

    static let noResourceDrifts = """
        <DescribeStackResourceDriftsResponse \(namespace)><DescribeStackResourceDriftsResult><StackResourceDrifts>
          <member>
            <LogicalResourceId>Queue</LogicalResourceId><PhysicalResourceId>example-Queue-1</PhysicalResourceId>
            <ResourceType>AWS::SQS::Queue</ResourceType><StackResourceDriftStatus>IN_SYNC</StackResourceDriftStatus>
          </member>
        </StackResourceDrifts></DescribeStackResourceDriftsResult></DescribeStackResourceDriftsResponse>
        """
}

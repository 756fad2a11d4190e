import Foundation
import Testing
import TollgateAWS

/// Calls moto lacks (it answers CancelUpdateStack and DetectStackDrift with HTTP 500, and has no
/// drift status or resource drifts), and paging moto never does, tested against answers written in
/// the shape of the examples in AWS's CloudFormation API Reference (the pages of CancelUpdateStack,
/// DetectStackDrift, DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts,
/// DescribeChangeSet and DescribeStackEvents).
@Suite("CloudFormation calls moto lacks")
struct CloudFormationCannedTests {
    static let namespace = #"xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/""#

    @Test("CancelUpdateStack sends the stack name and expects only response metadata")
    func cancelUpdateStack() async throws {
        let (client, transport) = cannedCloudFormation([.response(200, """
            <CancelUpdateStackResponse \(Self.namespace)>
              <ResponseMetadata><RequestId>5ccc7dcd-744c-11e5-be70-example</RequestId></ResponseMetadata>
            </CancelUpdateStackResponse>
            """)])
        try await client.cancelUpdateStack(name: "MyStack")
        #expect(transport.sentForms.first?["Action"] == "CancelUpdateStack")
        #expect(transport.sentForms.first?["StackName"] == "MyStack")
        #expect(transport.sentForms.first?["Version"] == "2010-05-15")
    }

    @Test("drift: detection id, its status while running and done, and each resource's differences")
    func drift() async throws {
        let (client, transport) = cannedCloudFormation([
            .response(200, """
                <DetectStackDriftResponse \(Self.namespace)>
                  <DetectStackDriftResult>
                    <StackDriftDetectionId>2f2b2d60-df86-11e8-8b1e-0a5f3example</StackDriftDetectionId>
                  </DetectStackDriftResult>
                  <ResponseMetadata><RequestId>2f2c5b91-df86-11e8-8ed9-example</RequestId></ResponseMetadata>
                </DetectStackDriftResponse>
                """),
            .response(200, """
                <DescribeStackDriftDetectionStatusResponse \(Self.namespace)>
                  <DescribeStackDriftDetectionStatusResult>
                    <StackId>arn:aws:cloudformation:us-east-1:012345678910:stack/example/cb438120-6cc7-11e7-998e-example</StackId>
                    <StackDriftDetectionId>2f2b2d60-df86-11e8-8b1e-0a5f3example</StackDriftDetectionId>
                    <DetectionStatus>DETECTION_IN_PROGRESS</DetectionStatus>
                    <Timestamp>2018-11-03T00:12:04.000Z</Timestamp>
                  </DescribeStackDriftDetectionStatusResult>
                  <ResponseMetadata><RequestId>3ef3c17b-df86-11e8-9ba0-example</RequestId></ResponseMetadata>
                </DescribeStackDriftDetectionStatusResponse>
                """),
            .response(200, """
                <DescribeStackDriftDetectionStatusResponse \(Self.namespace)>
                  <DescribeStackDriftDetectionStatusResult>
                    <StackId>arn:aws:cloudformation:us-east-1:012345678910:stack/example/cb438120-6cc7-11e7-998e-example</StackId>
                    <StackDriftDetectionId>2f2b2d60-df86-11e8-8b1e-0a5f3example</StackDriftDetectionId>
                    <StackDriftStatus>DRIFTED</StackDriftStatus>
                    <DetectionStatus>DETECTION_COMPLETE</DetectionStatus>
                    <DriftedStackResourceCount>1</DriftedStackResourceCount>
                    <Timestamp>2018-11-03T00:12:14.000Z</Timestamp>
                  </DescribeStackDriftDetectionStatusResult>
                  <ResponseMetadata><RequestId>4ef3c17b-df86-11e8-9ba0-example</RequestId></ResponseMetadata>
                </DescribeStackDriftDetectionStatusResponse>
                """),
            .response(200, """
                <DescribeStackResourceDriftsResponse \(Self.namespace)>
                  <DescribeStackResourceDriftsResult>
                    <StackResourceDrifts>
                      <member>
                        <StackId>arn:aws:cloudformation:us-east-1:012345678910:stack/example/cb438120-6cc7-11e7-998e-example</StackId>
                        <LogicalResourceId>Queue</LogicalResourceId>
                        <PhysicalResourceId>https://sqs.us-east-1.amazonaws.com/012345678910/example-Queue-1</PhysicalResourceId>
                        <ResourceType>AWS::SQS::Queue</ResourceType>
                        <StackResourceDriftStatus>MODIFIED</StackResourceDriftStatus>
                        <ExpectedProperties>{"DelaySeconds":0,"RedrivePolicy":{"maxReceiveCount":5}}</ExpectedProperties>
                        <ActualProperties>{"DelaySeconds":120,"RedrivePolicy":{"maxReceiveCount":12}}</ActualProperties>
                        <PropertyDifferences>
                          <member>
                            <PropertyPath>/DelaySeconds</PropertyPath>
                            <ExpectedValue>0</ExpectedValue>
                            <ActualValue>120</ActualValue>
                            <DifferenceType>NOT_EQUAL</DifferenceType>
                          </member>
                          <member>
                            <PropertyPath>/RedrivePolicy/maxReceiveCount</PropertyPath>
                            <ExpectedValue>5</ExpectedValue>
                            <ActualValue>12</ActualValue>
                            <DifferenceType>NOT_EQUAL</DifferenceType>
                          </member>
                        </PropertyDifferences>
                        <Timestamp>2018-11-03T00:12:14.000Z</Timestamp>
                      </member>
                    </StackResourceDrifts>
                    <NextToken>page-2</NextToken>
                  </DescribeStackResourceDriftsResult>
                  <ResponseMetadata><RequestId>5ef3c17b-df86-11e8-9ba0-example</RequestId></ResponseMetadata>
                </DescribeStackResourceDriftsResponse>
                """),
            .response(200, """
                <DescribeStackResourceDriftsResponse \(Self.namespace)>
                  <DescribeStackResourceDriftsResult>
                    <StackResourceDrifts>
                      <member>
                        <LogicalResourceId>Bucket</LogicalResourceId>
                        <PhysicalResourceId>example-bucket-1</PhysicalResourceId>
                        <ResourceType>AWS::S3::Bucket</ResourceType>
                        <StackResourceDriftStatus>IN_SYNC</StackResourceDriftStatus>
                      </member>
                    </StackResourceDrifts>
                  </DescribeStackResourceDriftsResult>
                  <ResponseMetadata><RequestId>6ef3c17b-df86-11e8-9ba0-example</RequestId></ResponseMetadata>
                </DescribeStackResourceDriftsResponse>
                """),
        ])
        let id = try await client.detectStackDrift(stackName: "example")
        #expect(id == "2f2b2d60-df86-11e8-8b1e-0a5f3example")
        let running = try await client.driftDetectionStatus(id: id)
        #expect(!running.isFinished)
        let done = try await client.driftDetectionStatus(id: id)
        #expect(done.isFinished)
        #expect(done.stackDriftStatus == "DRIFTED")
        #expect(done.driftedResourceCount == 1)

        let drifts = try await client.resourceDrifts(stackName: "example")
        #expect(drifts.map(\.logicalID) == ["Queue", "Bucket"])
        #expect(drifts[0].status == "MODIFIED")
        #expect(drifts[0].differences == [
            PropertyDifference(path: "/DelaySeconds", expected: "0", actual: "120", differenceType: "NOT_EQUAL"),
            PropertyDifference(path: "/RedrivePolicy/maxReceiveCount", expected: "5", actual: "12", differenceType: "NOT_EQUAL"),
        ])
        #expect(drifts[1].differences.isEmpty)
        let forms = transport.sentForms
        #expect(forms.map { $0["Action"] ?? "" } == [
            "DetectStackDrift", "DescribeStackDriftDetectionStatus", "DescribeStackDriftDetectionStatus",
            "DescribeStackResourceDrifts", "DescribeStackResourceDrifts",
        ])
        #expect(forms[3]["NextToken"] == nil)
        #expect(forms[4]["NextToken"] == "page-2")
    }

    @Test("DescribeChangeSet gathers every page of changes, with replacement and scope")
    func changeSetPages() async throws {
        func page(_ change: String, next: String?) -> CannedTransport.Answer {
            .response(200, """
                <DescribeChangeSetResponse \(Self.namespace)>
                  <DescribeChangeSetResult>
                    <ChangeSetName>tg-1</ChangeSetName>
                    <ChangeSetId>arn:aws:cloudformation:us-east-1:123456789012:changeSet/tg-1/1a2345b6</ChangeSetId>
                    <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/payments/c3</StackId>
                    <Status>CREATE_COMPLETE</Status>
                    <ExecutionStatus>AVAILABLE</ExecutionStatus>
                    <Changes>\(change)</Changes>
                    \(next.map { "<NextToken>\($0)</NextToken>" } ?? "")
                  </DescribeChangeSetResult>
                </DescribeChangeSetResponse>
                """)
        }
        let (client, transport) = cannedCloudFormation([
            page("""
                <member><Type>Resource</Type><ResourceChange>
                  <Action>Modify</Action><LogicalResourceId>Queue</LogicalResourceId>
                  <PhysicalResourceId>https://sqs.us-east-1.amazonaws.com/123456789012/q</PhysicalResourceId>
                  <ResourceType>AWS::SQS::Queue</ResourceType><Replacement>True</Replacement>
                  <Scope><member>Properties</member><member>Tags</member></Scope>
                </ResourceChange></member>
                """, next: "t2"),
            page("""
                <member><Type>Resource</Type><ResourceChange>
                  <Action>Add</Action><LogicalResourceId>Topic</LogicalResourceId>
                  <ResourceType>AWS::SNS::Topic</ResourceType><Scope/>
                </ResourceChange></member>
                """, next: nil),
        ])
        let description = try await client.describeChangeSet(id: "tg-1", stackName: "payments")
        #expect(description.status == "CREATE_COMPLETE")
        #expect(description.executionStatus == "AVAILABLE")
        #expect(description.changes == [
            ResourceChangeSummary(
                action: "Modify", logicalID: "Queue", physicalID: "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                resourceType: "AWS::SQS::Queue", replacement: "True", scope: ["Properties", "Tags"]
            ),
            ResourceChangeSummary(action: "Add", logicalID: "Topic", resourceType: "AWS::SNS::Topic"),
        ])
        #expect(transport.sentForms[1]["NextToken"] == "t2")
    }

    @Test("the stack's own final event ends an operation; a nested stack's, a resource's or REVIEW_IN_PROGRESS does not", arguments: [
        ("arn:aws:cloudformation:eu-west-1:210987654321:stack/payments/4b1c-9e", "payments"),
        ("arn:aws-cn:cloudformation:cn-north-1:210987654321:stack/payments/4b1c-9e", "payments"),
        ("payments", "payments"),
    ])
    func endsOperation(nameOrID: String, name: String) {
        #expect(StackDescription.name(fromNameOrID: nameOrID) == name)
        func event(_ logicalID: String, _ type: String, _ status: String) -> StackEvent {
            StackEvent(id: "e", logicalID: logicalID, resourceType: type, status: status)
        }
        let stack = "AWS::CloudFormation::Stack"
        #expect(event(name, stack, "UPDATE_ROLLBACK_COMPLETE").endsOperation(ofStackNamed: name))
        #expect(event(name, stack, "CREATE_COMPLETE").endsOperation(ofStackNamed: name))
        #expect(!event(name, stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS").endsOperation(ofStackNamed: name))
        #expect(!event(name, stack, "REVIEW_IN_PROGRESS").endsOperation(ofStackNamed: name))
        #expect(!event("Network", stack, "CREATE_COMPLETE").endsOperation(ofStackNamed: name), "a nested stack")
        #expect(!event(name, "AWS::SQS::Queue", "CREATE_COMPLETE").endsOperation(ofStackNamed: name), "a resource named as the stack")
    }

    @Test("events since an event id stop paging once that event is found, and come oldest first")
    func eventsSince() async throws {
        func event(_ id: String, _ status: String, reason: String? = nil) -> String {
            """
            <member><EventId>\(id)</EventId><StackName>payments</StackName><LogicalResourceId>Queue</LogicalResourceId>
            <ResourceType>AWS::SQS::Queue</ResourceType><Timestamp>2026-01-01T00:00:0\(id.suffix(1))Z</Timestamp>
            <ResourceStatus>\(status)</ResourceStatus>\(reason.map { "<ResourceStatusReason>\($0)</ResourceStatusReason>" } ?? "")</member>
            """
        }
        func page(_ events: [String], next: String?) -> CannedTransport.Answer {
            .response(200, """
                <DescribeStackEventsResponse \(Self.namespace)><DescribeStackEventsResult>
                  <StackEvents>\(events.joined())</StackEvents>\(next.map { "<NextToken>\($0)</NextToken>" } ?? "")
                </DescribeStackEventsResult></DescribeStackEventsResponse>
                """)
        }
        let (client, transport) = cannedCloudFormation([
            page([event("e5", "UPDATE_FAILED", reason: "Queue name must end in .fifo"), event("e4", "UPDATE_IN_PROGRESS")], next: "p2"),
            page([event("e3", "UPDATE_IN_PROGRESS"), event("e2", "CREATE_COMPLETE")], next: "p3"),
        ])
        let events = try await client.stackEvents(stackName: "payments", after: "e2")
        #expect(events.map(\.id) == ["e3", "e4", "e5"])
        #expect(events.last?.reason == "Queue name must end in .fifo")
        #expect(events.first?.timestamp == (try Date("2026-01-01T00:00:03Z", strategy: .iso8601)))
        #expect(transport.sent.count == 2, "the page holding e2 is the last one read")
    }

    static func changeSet(_ status: String, reason: String? = nil) -> CannedTransport.Answer {
        .response(200, """
            <DescribeChangeSetResponse \(namespace)><DescribeChangeSetResult>
              <ChangeSetName>tg-1</ChangeSetName><ChangeSetId>arn:cs</ChangeSetId><StackId>arn:stack</StackId>
              <Status>\(status)</Status><ExecutionStatus>UNAVAILABLE</ExecutionStatus>
              \(reason.map { "<StatusReason>\($0)</StatusReason>" } ?? "")<Changes/>
            </DescribeChangeSetResult></DescribeChangeSetResponse>
            """)
    }

    @Test("waiting for a change set polls while it is pending and tells no changes from failure")
    func waitingForChangeSet() async throws {
        let sleeps = RecordedSleeps()
        let (client, _) = cannedCloudFormation(
            [Self.changeSet("CREATE_PENDING"), Self.changeSet("CREATE_IN_PROGRESS"), Self.changeSet("CREATE_COMPLETE")],
            sleeps: sleeps
        )
        guard case .ready(let description) = try await client.waitForChangeSet(id: "arn:cs", stackName: "s") else {
            Issue.record("expected a ready change set")
            return
        }
        #expect(description.id == "arn:cs")
        #expect(sleeps.all == [.seconds(2), .seconds(2)], "two polls waited for, at the poll interval")

        let noChanges = "The submitted information didn't contain changes. Submit different information to create a change set."
        let (unchanged, _) = cannedCloudFormation([Self.changeSet("FAILED", reason: noChanges)])
        #expect(try await unchanged.waitForChangeSet(id: "arn:cs", stackName: "s") == .noChanges(reason: noChanges))

        let templateError = "Template format error: Unresolved resource dependencies [Missing] in the Resources block"
        let (failing, _) = cannedCloudFormation([Self.changeSet("FAILED", reason: templateError)])
        #expect(try await failing.waitForChangeSet(id: "arn:cs", stackName: "s") == .failed(reason: templateError))
    }

    @Test("DescribeStacks gives status, reason, outputs, parameters and tags; a missing stack is nil")
    func describeStacks() async throws {
        let (client, _) = cannedCloudFormation([
            .response(200, """
                <DescribeStacksResponse \(Self.namespace)><DescribeStacksResult><Stacks><member>
                  <StackName>MyStack</StackName>
                  <StackId>arn:aws:cloudformation:us-east-1:123456789:stack/MyStack/aaf549a0-a413-11df-adb3-5081b3858e83</StackId>
                  <CreationTime>2010-07-27T22:28:28Z</CreationTime>
                  <LastUpdatedTime>2010-07-27T22:30:01.123Z</LastUpdatedTime>
                  <StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus>
                  <StackStatusReason>The following resource(s) failed to update: [Queue].</StackStatusReason>
                  <Parameters><member><ParameterKey>Environment</ParameterKey><ParameterValue>prod</ParameterValue></member></Parameters>
                  <Tags><member><Key>team</Key><Value>payments</Value></member></Tags>
                  <Outputs><member><OutputKey>StartPage</OutputKey><OutputValue>http://my-load-balancer.amazonaws.com:80/index.html</OutputValue>
                    <Description>Start page</Description><ExportName>MyStack-StartPage</ExportName></member></Outputs>
                </member></Stacks></DescribeStacksResult></DescribeStacksResponse>
                """),
            .response(400, """
                <ErrorResponse \(Self.namespace)><Error><Type>Sender</Type><Code>ValidationError</Code>
                <Message>Stack with id Gone does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>
                """),
        ])
        let stack = try #require(try await client.describeStack(name: "MyStack"))
        #expect(stack.status.isFailure && !stack.status.isInProgress && !stack.status.isSuccess)
        #expect(stack.statusReason == "The following resource(s) failed to update: [Queue].")
        #expect(stack.parameters == ["Environment": "prod"])
        #expect(stack.tags == ["team": "payments"])
        #expect(stack.outputs == [StackOutput(
            key: "StartPage", value: "http://my-load-balancer.amazonaws.com:80/index.html", description: "Start page",
            exportName: "MyStack-StartPage"
        )])
        #expect(stack.creationTime == (try Date("2010-07-27T22:28:28Z", strategy: .iso8601)))
        let updated = try #require(stack.lastUpdatedTime)
        #expect(abs(updated.timeIntervalSince(try Date("2010-07-27T22:30:01Z", strategy: .iso8601)) - 0.123) < 0.001)
        #expect(try await client.describeStack(name: "Gone") == nil)
    }
}

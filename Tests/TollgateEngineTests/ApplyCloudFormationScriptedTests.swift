import Foundation
import Testing
import TollgateAWS
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// The cloudformation provider where moto cannot serve: it answers CancelUpdateStack with an
/// error, and a resume needs a stack that changed while no Tollgate process watched. A scripted
/// CloudFormation plays AWS's documented behaviour instead: an update in progress that
/// CancelUpdateStack turns into UPDATE_ROLLBACK_COMPLETE, and stacks found as they were left.
@Suite("Apply through CloudFormation: cancel and resume (scripted CloudFormation)")
struct ApplyCloudFormationScriptedTests {
    static let deployments = """
        deployments:
          - stacks: [web]
            provider: cloudformation
            region: eu-west-1

        """

    static func providers(_ client: ScriptedCloudFormation) -> ProviderFactory {
        ProviderFactory { target, _ in
            guard case .cloudFormation(let deployment) = target else { return RecordProvider() }
            return CloudFormationProvider(client: client, deployment: deployment, pollInterval: .milliseconds(20))
        }
    }

    /// web applied at the first commit, and an approved change set renaming its bucket.
    static func approvedUpdate() async throws -> (TrustedReview, ChangeSetRecord) {
        let review = try await TrustedReview.make(extraFiles: ["Policies/deployments.yaml": deployments])
        let record = try await review.bucketRename()
        try await review.review(record, as: "amara")
        try await review.review(record, as: "bastien")
        return (review, record)
    }

    @Test("cancel during an update: CancelUpdateStack, the rollback followed to its end, CANCELLED with the events")
    func cancelUpdate() async throws {
        let (review, record) = try await Self.approvedUpdate()
        let client = ScriptedCloudFormation(
            stack: StackDescription(id: "arn:stack/web", name: "web", status: .init(rawValue: "UPDATE_COMPLETE")), holdsUpdates: true)
        let application = ChangeSetApplication(store: review.store, clock: review.fixture.clock, holder: "test pid 1", cancelPollInterval: .milliseconds(20))
        let (stream, executing) = AsyncStream<Void>.makeStream()
        let progress = ProviderProgress { line in if line.contains("UPDATE_IN_PROGRESS") { executing.yield() } }
        let path = review.fixture.git.path
        let applying = Task {
            try await application.apply(
                changeSetID: record.id, actor: "amara", repository: try ManagedRepository(path: path), providers: Self.providers(client), progress: progress)
        }
        for await _ in stream { break }
        _ = try await ChangeSetCancellation(store: review.store).cancel(changeSetID: record.id, reason: "bad timing", actor: "bastien", policy: nil) { _ in nil }
        let report = try await applying.value
        #expect(await client.cancelled, "CancelUpdateStack was called")
        #expect(report.changeSet.status == .cancelled, "\(report.output)")
        #expect(report.output.contains("CancelUpdateStack"))
        #expect(report.output.contains("UPDATE_ROLLBACK_COMPLETE"), "\(report.output)")
        #expect(try await review.store.stackState("web")?.stateVersion == 1, "the state stays as it was")
        #expect(try await review.store.stackLock("web") == nil)
        #expect(try await review.store.verifyTables() == nil)
        try await review.store.close()
    }

    @Test("CloudFormation showing more than was approved: nothing executed, FAILED, and the same commit planned again with its changes, which then applies once approved")
    func replanAfterMismatch() async throws {
        let (review, record) = try await Self.approvedUpdate()
        let extra = ResourceChangeSummary(action: "Add", logicalID: "AccessLogs", resourceType: "AWS::S3::Bucket")
        let client = ScriptedCloudFormation(
            stack: StackDescription(id: "arn:stack/web", name: "web", status: .init(rawValue: "UPDATE_COMPLETE")), proposing: [extra])
        let application = ApplyTests.application(review)
        let failed = try await application.apply(
            changeSetID: record.id, actor: "amara", repository: try review.fixture.repository(), providers: Self.providers(client))
        #expect(failed.changeSet.status == .failed)
        #expect(failed.output.contains("CloudFormation would add AccessLogs (AWS::S3::Bucket); the approved change set does not show it"), "\(failed.output)")
        #expect(await client.executed == false, "nothing was executed")
        #expect(try await review.store.stackState("web")?.stateVersion == 1)

        let replannedID = try #require(failed.replannedChangeSet)
        let replanned = try await review.store.changeSet(id: replannedID)
        #expect(replanned.status == .pending, "for review again")
        #expect(replanned.targetCommit == record.targetCommit)
        #expect(replanned.digest != record.digest, "the digest binds CloudFormation's changes too")
        let shown = try JSONDecoder().decode(ChangeSet.self, from: Data(replanned.json.utf8))
        #expect(shown.providerChanges == [ProviderChange(action: "Add", logicalID: "AccessLogs", resourceType: "AWS::S3::Bucket", replacement: nil)])
        try await review.review(replanned, as: "amara")
        try await review.review(replanned, as: "bastien")
        let applied = try await application.apply(
            changeSetID: replanned.id, actor: "amara", repository: try review.fixture.repository(), providers: Self.providers(client))
        #expect(applied.changeSet.status == .applied, "\(applied.output)")
        #expect(try await review.store.stackState("web")?.stateVersion == 2)
        #expect(try await review.store.verifyTables() == nil)
        try await review.store.close()
    }

    @Test("an update takes one round of calls: the events before it read while its change set is made, one look at the events after executing, which show the stack's final event")
    func updateCalls() async throws {
        let (review, record) = try await Self.approvedUpdate()
        let client = ScriptedCloudFormation(stack: StackDescription(id: "arn:stack/web", name: "web", status: .init(rawValue: "UPDATE_COMPLETE")))
        let applied = try await ApplyTests.application(review).apply(
            changeSetID: record.id, actor: "amara", repository: try review.fixture.repository(), providers: Self.providers(client))
        #expect(applied.changeSet.status == .applied, "\(applied.output)")
        #expect(await client.calls == ["CreateChangeSet UPDATE", "DescribeStackEvents", "ExecuteChangeSet", "DescribeStackEvents"])
        #expect(applied.output.contains("web AWS::CloudFormation::Stack UPDATE_COMPLETE"), "\(applied.output)")
        try await review.store.close()
    }

    @Test("a creation makes the calls a waiter makes; the stack is described once, at the end, only when its template declares outputs, which are kept", arguments: [false, true])
    func createCalls(withOutputs: Bool) async throws {
        let review = try await TrustedReview.make(extraFiles: ["Policies/deployments.yaml": Self.deployments])
        let fixture = review.fixture
        let outputs = withOutputs ? "Outputs:\n  Name:\n    Value: !Ref Assets\n" : ""
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets-new") + outputs)
        let create = try fixture.git.commit("name the bucket", author: ReviewFixture.outsider)
        let record = try await fixture.createStackChangeSet(commits: [fixture.firstCommit, create], in: review.store)
        try await review.review(record, as: "amara")
        let client = ScriptedCloudFormation(stack: StackDescription(
            id: "", name: "web", status: .deleteComplete, outputs: [StackOutput(key: "Name", value: "web-assets-new")]))
        let applied = try await ApplyTests.application(review).apply(
            changeSetID: record.id, actor: "amara", repository: try fixture.repository(), providers: Self.providers(client))
        #expect(applied.changeSet.status == .applied, "\(applied.output)")
        #expect(applied.output.contains("web AWS::CloudFormation::Stack CREATE_COMPLETE"), "\(applied.output)")
        let calls = await client.calls
        #expect(calls == ["CreateChangeSet CREATE", "ExecuteChangeSet", "DescribeStackEvents"] + (withOutputs ? ["DescribeStacks"] : []))
        #expect(try await review.store.stackState("web")?.outputs == (withOutputs ? ["Name": "web-assets-new"] : [:]))
        try await review.store.close()
    }

    @Test("a stack whose final event CloudFormation never lists: its status, read every twelfth look, ends the following")
    func finalEventMissing() async throws {
        let (review, record) = try await Self.approvedUpdate()
        let client = ScriptedCloudFormation(
            stack: StackDescription(id: "arn:stack/web", name: "web", status: .init(rawValue: "UPDATE_COMPLETE")), showsFinalEvents: false)
        let applied = try await ApplyTests.application(review).apply(
            changeSetID: record.id, actor: "amara", repository: try review.fixture.repository(), providers: Self.providers(client))
        #expect(applied.changeSet.status == .applied, "\(applied.output)")
        let calls = await client.calls
        #expect(calls.filter { $0 == "DescribeStackEvents" }.count == 1 + 12 + 1, "the marker, twelve looks, one more read after the status: \(calls)")
        #expect(calls.filter { $0 == "DescribeStacks" }.count == 1, "\(calls)")
        try await review.store.close()
    }

    @Test("a creation after a failed one: CloudFormation refuses CREATE, the stack left in ROLLBACK_COMPLETE is deleted, then created")
    func createAfterRollback() async throws {
        let review = try await TrustedReview.make(extraFiles: ["Policies/deployments.yaml": Self.deployments])
        let fixture = review.fixture
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets-retry"))
        let create = try fixture.git.commit("name the bucket", author: ReviewFixture.outsider)
        let record = try await fixture.createStackChangeSet(commits: [fixture.firstCommit, create], in: review.store)
        try await review.review(record, as: "amara")
        let client = ScriptedCloudFormation(stack: StackDescription(id: "arn:stack/web/failed", name: "web", status: .rollbackComplete))
        let applied = try await ApplyTests.application(review).apply(
            changeSetID: record.id, actor: "amara", repository: try fixture.repository(), providers: Self.providers(client))
        #expect(applied.changeSet.status == .applied, "\(applied.output)")
        #expect(applied.output.contains("was left in ROLLBACK_COMPLETE by a failed creation; deleting it before creating it again"), "\(applied.output)")
        #expect(applied.output.contains("web AWS::CloudFormation::Stack CREATE_COMPLETE"), "\(applied.output)")
        let calls = await client.calls
        #expect(Array(calls.prefix(2)) == ["CreateChangeSet CREATE", "DescribeStacks"], "\(calls)")
        #expect(calls.filter { $0 == "CreateChangeSet CREATE" }.count == 2, "refused, then made after the deletion: \(calls)")
        #expect(try await review.store.stackState("web")?.stateVersion == 1)
        #expect(try await review.store.verifyTables() == nil)
        try await review.store.close()
    }

    @Test("a refusal that a look at the stack does not explain fails the apply with CloudFormation's own words")
    func refusalKept() async throws {
        let (review, record) = try await Self.approvedUpdate()
        let client = ScriptedCloudFormation(
            stack: StackDescription(id: "arn:stack/web", name: "web", status: .init(rawValue: "UPDATE_COMPLETE")),
            refusing: "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template")
        let failed = try await ApplyTests.application(review).apply(
            changeSetID: record.id, actor: "amara", repository: try review.fixture.repository(), providers: Self.providers(client))
        #expect(failed.changeSet.status == .failed)
        #expect(failed.output.contains("Unresolved resource dependencies [Missing]"), "\(failed.output)")
        #expect(await client.calls == ["CreateChangeSet UPDATE", "DescribeStacks"], "one look, no second try")
        #expect(await client.executed == false)
        #expect(try await review.store.stackState("web")?.stateVersion == 1)
        try await review.store.close()
    }

    @Test("resume after the process died: CloudFormation's stack and events since the start decide", arguments: [true, false])
    func resume(executed: Bool) async throws {
        let (review, record) = try await Self.approvedUpdate()
        let dead = "\(ProcessInfo.processInfo.hostName) pid 999999"
        let execution = try await review.store.transaction { tx in
            _ = try await tx.lockStack("web", executionID: "ex-dead0002", holder: dead, leaseSeconds: 600, takeOver: nil)
            return try await tx.startExecution(id: "ex-dead0002", changeSetID: record.id, actor: "amara")
        }
        let client = ScriptedCloudFormation(stack: StackDescription(
            id: "arn:stack/web", name: "web", status: .init(rawValue: "UPDATE_COMPLETE"),
            outputs: [StackOutput(key: "BucketName", value: "web-assets-v2")]))
        if executed {
            await client.record(event: "UPDATE_COMPLETE", at: execution.startedAt.addingTimeInterval(30))
        }
        let report = try await ApplyTests.application(review).resume(
            changeSetID: record.id, actor: "amara", repository: try review.fixture.repository(), providers: Self.providers(client))
        if executed {
            #expect(report.changeSet.status == .applied, "\(report.output)")
            let state = try #require(try await review.store.stackState("web"))
            #expect(state.stateVersion == 2)
            #expect(state.outputs == ["BucketName": "web-assets-v2"], "CloudFormation's outputs are kept with the state")
        } else {
            #expect(report.changeSet.status == .failed)
            #expect(report.output.contains("never executed"), "\(report.output)")
            #expect(try await review.store.stackState("web")?.stateVersion == 1)
        }
        #expect(try await review.store.verifyTables() == nil)
        try await review.store.close()
    }
}

/// CloudFormation as its API reference describes it, for one stack: a change set executes into
/// UPDATE_IN_PROGRESS, which stays until CancelUpdateStack rolls it back; a change set whose type
/// does not fit the stack is refused with a ValidationError, as AWS refuses it (moto does not).
actor ScriptedCloudFormation: CloudFormationClient {
    private var stack: StackDescription
    private let proposed: [ResourceChangeSummary]
    private let holdsUpdates: Bool
    private let refusal: String?
    private let showsFinalEvents: Bool
    private var events: [StackEvent] = []
    private(set) var cancelled = false
    private(set) var executed = false
    /// Every action called, in order, as AWS names it.
    private(set) var calls: [String] = []

    /// A stack as it stands, and the changes CloudFormation's change sets will show; an operation
    /// completes when next looked at, or, with `holdsUpdates`, an update stays in progress until
    /// cancelled. With `refusal`, every change set is refused with that ValidationError message;
    /// without `showsFinalEvents`, the stack's own events in a final status are never listed.
    init(
        stack: StackDescription, proposing proposed: [ResourceChangeSummary] = [], holdsUpdates: Bool = false, refusing refusal: String? = nil,
        showsFinalEvents: Bool = true
    ) {
        self.stack = stack
        self.proposed = proposed
        self.holdsUpdates = holdsUpdates
        self.refusal = refusal
        self.showsFinalEvents = showsFinalEvents
    }

    func record(event status: String, at time: Date) {
        stack.status = StackStatus(rawValue: status)
        guard showsFinalEvents || stack.status.rawValue.hasSuffix("_IN_PROGRESS") else { return }
        events.append(StackEvent(
            id: "event-\(events.count + 1)", logicalID: stack.name, resourceType: "AWS::CloudFormation::Stack", timestamp: time, status: status))
    }

    /// An operation in progress ends when it is looked at, unless updates are held.
    private func advance() {
        if stack.status.rawValue == "UPDATE_IN_PROGRESS", !holdsUpdates { record(event: "UPDATE_COMPLETE", at: Date()) }
        if stack.status.rawValue == "CREATE_IN_PROGRESS" { record(event: "CREATE_COMPLETE", at: Date()) }
    }

    func createChangeSet(_ request: ChangeSetRequest) async throws(AWSError) -> ChangeSetReference {
        calls.append("CreateChangeSet \(request.type.rawValue)")
        let exists = stack.status != .deleteComplete && stack.status != .reviewInProgress
        if exists == (request.type == .create) || refusal != nil {
            let message = refusal ?? (exists
                ? "Stack [\(stack.name)] already exists and cannot be created again with the changeSet [\(request.changeSetName)]."
                : "Stack [\(stack.name)] does not exist")
            throw .service(
                AWSServiceFault(action: "CreateChangeSet", service: "cloudformation", code: "ValidationError", message: message, requestID: nil, httpStatus: 400),
                attempts: 1)
        }
        if request.type == .create {
            stack.id = "arn:stack/\(stack.name)/\(events.count)"
            record(event: "REVIEW_IN_PROGRESS", at: Date())
        }
        return ChangeSetReference(id: "arn:changeSet/\(request.changeSetName)", stackID: stack.id)
    }

    func waitForChangeSet(id: String, stackName: String) async throws(AWSError) -> ChangeSetOutcome {
        .ready(ChangeSetDescription(id: id, name: "tollgate", stackID: stack.id, status: "CREATE_COMPLETE", executionStatus: "AVAILABLE", changes: proposed))
    }

    func describeChangeSet(id: String, stackName: String) async throws(AWSError) -> ChangeSetDescription {
        ChangeSetDescription(id: id, name: "tollgate", stackID: stack.id, status: "CREATE_COMPLETE", executionStatus: "AVAILABLE", changes: [])
    }

    func executeChangeSet(id: String, stackName: String, clientToken: String?) async throws(AWSError) {
        calls.append("ExecuteChangeSet")
        executed = true
        record(event: stack.status == .reviewInProgress ? "CREATE_IN_PROGRESS" : "UPDATE_IN_PROGRESS", at: Date())
    }

    func deleteChangeSet(id: String, stackName: String) async throws(AWSError) {}

    func describeStack(name: String) async throws(AWSError) -> StackDescription? {
        calls.append("DescribeStacks")
        advance()
        return stack.status == .deleteComplete ? nil : stack
    }

    func stackEvents(stackName: String, after eventID: String?) async throws(AWSError) -> [StackEvent] {
        calls.append("DescribeStackEvents")
        advance()
        guard let eventID, let index = events.firstIndex(where: { $0.id == eventID }) else { return events }
        return Array(events[(index + 1)...])
    }

    func deleteStack(name: String, clientToken: String?) async throws(AWSError) {
        record(event: "DELETE_COMPLETE", at: Date())
    }

    func cancelUpdateStack(name: String) async throws(AWSError) {
        cancelled = true
        record(event: "UPDATE_ROLLBACK_IN_PROGRESS", at: Date())
        record(event: "UPDATE_ROLLBACK_COMPLETE", at: Date())
    }

    func originalTemplate(stackName: String) async throws(AWSError) -> String { "" }

    func detectStackDrift(stackName: String) async throws(AWSError) -> String { "drift-1" }

    func driftDetectionStatus(id: String) async throws(AWSError) -> DriftDetectionStatus {
        DriftDetectionStatus(id: id, detectionStatus: "DETECTION_COMPLETE", stackDriftStatus: "IN_SYNC")
    }

    func resourceDrifts(stackName: String) async throws(AWSError) -> [ResourceDrift] { [] }
}

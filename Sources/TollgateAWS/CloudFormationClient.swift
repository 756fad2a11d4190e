/// The CloudFormation calls a deployment makes: all the engine sees of AWS.
///
/// A protocol so that the engine's cloudformation provider can be tested against a double, and
/// against ``LiveCloudFormationClient`` on an emulator. Every method throws ``AWSError``, whose
/// description names the action and never holds a secret.
public protocol CloudFormationClient: Sendable {
    /// Creates a change set (`CreateChangeSet`); a template over
    /// ``CloudFormationLimits/inlineTemplateBytes`` is uploaded to the request's artifact bucket
    /// first and passed as `TemplateURL`.
    ///
    /// - Throws: ``AWSError/templateTooLarge(stackName:bytes:limit:)`` for a large template and no
    ///   bucket; AWS's own errors (`AlreadyExistsException`, `ValidationError`, ...), of which one
    ///   whose ``AWSError/meansNoChanges`` is true is a no-op, not a failure.
    func createChangeSet(_ request: ChangeSetRequest) async throws(AWSError) -> ChangeSetReference

    /// Waits until CloudFormation has worked out the change set, and says how that ended.
    func waitForChangeSet(id: String, stackName: String) async throws(AWSError) -> ChangeSetOutcome

    /// The change set with every page of its changes (`DescribeChangeSet`).
    func describeChangeSet(id: String, stackName: String) async throws(AWSError) -> ChangeSetDescription

    /// Starts the change set (`ExecuteChangeSet`); follow it with ``describeStack(name:)`` and
    /// ``stackEvents(stackName:after:)``.
    ///
    /// - Parameter clientToken: makes a retry safe, and marks the events this execution causes.
    func executeChangeSet(id: String, stackName: String, clientToken: String?) async throws(AWSError)

    /// Deletes a change set that will not be executed (`DeleteChangeSet`).
    func deleteChangeSet(id: String, stackName: String) async throws(AWSError)

    /// The stack, or `nil` when CloudFormation has no stack of that name (`DescribeStacks`).
    func describeStack(name: String) async throws(AWSError) -> StackDescription?

    /// The stack's events after the event `eventID`, oldest first (`DescribeStackEvents`, every
    /// page needed); all of them when `eventID` is `nil` or no longer listed.
    func stackEvents(stackName: String, after eventID: String?) async throws(AWSError) -> [StackEvent]

    /// Starts deleting the stack (`DeleteStack`).
    func deleteStack(name: String, clientToken: String?) async throws(AWSError)

    /// Asks CloudFormation to stop an update in progress and roll it back (`CancelUpdateStack`).
    func cancelUpdateStack(name: String) async throws(AWSError)

    /// The template as submitted, before transforms (`GetTemplate`, stage `Original`).
    func originalTemplate(stackName: String) async throws(AWSError) -> String

    /// Starts CloudFormation's drift detection and returns its id (`DetectStackDrift`).
    func detectStackDrift(stackName: String) async throws(AWSError) -> String

    /// Where a drift detection stands (`DescribeStackDriftDetectionStatus`).
    func driftDetectionStatus(id: String) async throws(AWSError) -> DriftDetectionStatus

    /// The drift of each resource found by the last detection, every page
    /// (`DescribeStackResourceDrifts`).
    func resourceDrifts(stackName: String) async throws(AWSError) -> [ResourceDrift]
}

public import Foundation
public import TollgateCore

/// Where an approved change set is applied: the recorded state itself, a command, or AWS
/// CloudFormation. The engine re-checks everything before it calls one, and records the outcome
/// in one transaction after; a provider only deploys and reports.
public protocol Provider: Sendable {
    /// Deploys `request`, reporting progress through `progress` as it happens.
    ///
    /// When the calling task is cancelled (an operator cancelled the apply), the provider stops
    /// what it started as far as it can (a command gets SIGTERM, CloudFormation an update
    /// cancel), waits until it has stopped, and returns how things ended.
    ///
    /// A deployment that fails returns a ``ProviderOutcome`` with `succeeded` false and the
    /// provider's own message; throwing is for the provider being unusable (misconfigured, a
    /// program that cannot be started), which the engine records as a failure too.
    func apply(_ request: DeploymentRequest, progress: ProviderProgress) async throws -> ProviderOutcome

    /// Finds out how an apply of `request` whose process died (it started at `startedAt`) ended,
    /// following it to its end if it still runs; nil when the provider cannot know.
    func resume(_ request: DeploymentRequest, startedAt: Date, progress: ProviderProgress) async throws -> ProviderOutcome?
}

extension Provider {
    /// A provider that keeps no state of its own cannot tell how far a dead apply got.
    public func resume(_ request: DeploymentRequest, startedAt: Date, progress: ProviderProgress) async throws -> ProviderOutcome? {
        nil
    }
}

/// Receives a provider's progress lines as they happen (resource events, command output).
public struct ProviderProgress: Sendable {
    private let report: @Sendable (String) async -> Void

    /// Creates a receiver that hands each line to `report`.
    public init(_ report: @escaping @Sendable (String) async -> Void) {
        self.report = report
    }

    /// A receiver that drops every line.
    public static let ignored = ProviderProgress { _ in }

    /// Reports one line.
    public func callAsFunction(_ line: String) async {
        await report(line)
    }
}

/// One stack at one commit, as its change set was approved.
public struct DeploymentRequest: Sendable {
    /// The stack's name in Tollgate.
    public var stack: String
    /// The change set applied.
    public var changeSetID: String
    /// The execution under way.
    public var executionID: String
    /// The commit whose content is applied.
    public var targetCommit: String
    /// The template text at the target commit; empty when the stack is removed.
    public var template: String
    /// The resolved parameters, by name.
    public var parameters: [String: String]
    /// The stack's tags, by key.
    public var tags: [String: String]
    /// Whether the change set removes the stack.
    public var removesStack: Bool
    /// The change set in its stored JSON form, as reviewers saw it.
    public var changeSetJSON: String
    /// Whether the deployed stack may have outputs: its template declares some, or loops or
    /// transforms that can make some. Only then is a provider's description of the stack needed.
    public var mayHaveOutputs: Bool

    /// Creates a request.
    public init(
        stack: String, changeSetID: String, executionID: String, targetCommit: String, template: String,
        parameters: [String: String], tags: [String: String], removesStack: Bool, changeSetJSON: String, mayHaveOutputs: Bool = true
    ) {
        self.stack = stack
        self.changeSetID = changeSetID
        self.executionID = executionID
        self.targetCommit = targetCommit
        self.template = template
        self.parameters = parameters
        self.tags = tags
        self.removesStack = removesStack
        self.changeSetJSON = changeSetJSON
        self.mayHaveOutputs = mayHaveOutputs
    }

    /// The parameters in CloudFormation's `[{"ParameterKey", "ParameterValue"}]` form, sorted.
    public func cloudFormationParameters() throws -> Data {
        struct Parameter: Encodable {
            var ParameterKey: String
            var ParameterValue: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(parameters.sorted { $0.key < $1.key }.map { Parameter(ParameterKey: $0.key, ParameterValue: $0.value) })
    }
}

/// How a provider's deployment ended.
public struct ProviderOutcome: Sendable, Equatable {
    /// Whether the stack reached the change set's target.
    public var succeeded: Bool
    /// The provider's own account: the command's output, the failed resource's reason.
    public var output: String
    /// What the deployed stack reports, such as CloudFormation's stack outputs, by name; recorded
    /// with the new state.
    public var outputs: [String: String]
    /// Changes the service would have made beyond the approved change set, which stopped the
    /// apply before anything was executed; the stack is planned again with them, for review.
    public var unapprovedChanges: [ProviderChange]

    /// Creates an outcome.
    public init(succeeded: Bool, output: String, outputs: [String: String] = [:], unapprovedChanges: [ProviderChange] = []) {
        self.succeeded = succeeded
        self.output = output
        self.outputs = outputs
        self.unapprovedChanges = unapprovedChanges
    }
}

/// `provider: record`: the recorded state is the target, for teams whose own deployer reads
/// Tollgate's state; the apply's record step is the whole deployment.
public struct RecordProvider: Provider {
    /// Creates the provider.
    public init() {}

    public func apply(_ request: DeploymentRequest, progress: ProviderProgress) async throws -> ProviderOutcome {
        let what = request.removesStack ? "the removal of stack \(request.stack)" : "stack \(request.stack) at commit \(request.targetCommit.prefix(7))"
        await progress("recording \(what) as applied")
        return ProviderOutcome(succeeded: true, output: "recorded \(what)")
    }

    /// The record is the deployment: recording it again finishes it.
    public func resume(_ request: DeploymentRequest, startedAt: Date, progress: ProviderProgress) async throws -> ProviderOutcome? {
        try await apply(request, progress: progress)
    }
}

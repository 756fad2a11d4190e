public import Foundation
public import TollgateCore
public import TollgateStore

/// The `--json` answer of `tollgate apply`.
public struct ApplyJSON: Codable, Sendable {
    /// The change set applied.
    public var changeSet: String
    /// Its stack, or `Policies`.
    public var stack: String
    /// The change set's status once the apply ended: `APPLIED`, `FAILED` or `CANCELLED`.
    public var status: ChangeSetStatus
    /// The execution's id.
    public var execution: String
    /// How the execution ended.
    public var result: ExecutionResult?
    /// When it started.
    public var startedAt: Date
    /// When it ended.
    public var finishedAt: Date?
    /// The stack's new state version, or the new policy revision.
    public var stateVersion: Int64?
    /// What the provider reported.
    public var output: String
    /// The change set planned again with CloudFormation's own changes, for review.
    public var replannedChangeSet: String?

    /// The answer for an apply's report.
    public init(_ report: ApplyReport) {
        changeSet = report.changeSet.id
        stack = report.changeSet.stack
        status = report.changeSet.status
        execution = report.execution.id
        result = report.execution.result
        startedAt = report.execution.startedAt
        finishedAt = report.execution.finishedAt
        stateVersion = report.stateVersion
        output = report.output
        replannedChangeSet = report.replannedChangeSet
    }
}

/// One change set of `apply --due --json`: applied, or why not.
public struct DueJSON: Codable, Sendable {
    /// The change set's id.
    public var changeSet: String
    /// Its stack.
    public var stack: String
    /// The apply, when one ran.
    public var applied: ApplyJSON?
    /// Why it was not applied.
    public var refusal: String?

    /// The answer from its parts.
    public init(changeSet: String, stack: String, applied: ApplyJSON?, refusal: String?) {
        self.changeSet = changeSet
        self.stack = stack
        self.applied = applied
        self.refusal = refusal
    }
}

public import Foundation

/// Whether a change set creates the stack or updates it.
public enum ChangeSetType: String, Sendable, Equatable {
    /// The stack does not exist yet (or exists only as `REVIEW_IN_PROGRESS`, the shell an
    /// unexecuted creating change set leaves).
    case create = "CREATE"
    /// The stack exists.
    case update = "UPDATE"

    /// The type for a stack as ``CloudFormationClient/describeStack(name:)`` found it.
    public static func `for`(existing stack: StackDescription?) -> ChangeSetType {
        guard let stack, stack.status != .reviewInProgress else { return .create }
        return .update
    }
}

/// What to ask CloudFormation for: one change set of one stack.
public struct ChangeSetRequest: Sendable, Equatable {
    /// CloudFormation's stack name.
    public var stackName: String
    /// The change set's name (letters, digits and `-`, starting with a letter).
    public var changeSetName: String
    /// Create or update.
    public var type: ChangeSetType
    /// The template text, JSON or YAML.
    public var templateBody: String
    /// The resolved parameter values.
    public var parameters: [String: String]
    /// The stack's tags.
    public var tags: [String: String]
    /// `CAPABILITY_IAM`, `CAPABILITY_NAMED_IAM`, `CAPABILITY_AUTO_EXPAND` as needed.
    public var capabilities: [String]
    /// Where a template over ``CloudFormationLimits/inlineTemplateBytes`` is uploaded.
    public var artifactBucket: String?
    /// The change set's description, shown in the console (Tollgate's change set id).
    public var description: String?
    /// A CloudFormation service role (`RoleARN`) that CloudFormation acts as instead of the caller;
    /// the caller then needs `iam:PassRole` on it.
    public var serviceRoleARN: String?
    /// Makes retries of this request safe: CloudFormation answers a repeat with the same token as
    /// the first.
    public var clientToken: String?

    /// Creates a request.
    public init(
        stackName: String, changeSetName: String, type: ChangeSetType, templateBody: String,
        parameters: [String: String] = [:], tags: [String: String] = [:], capabilities: [String] = [],
        artifactBucket: String? = nil, description: String? = nil, serviceRoleARN: String? = nil,
        clientToken: String? = nil
    ) {
        self.stackName = stackName
        self.changeSetName = changeSetName
        self.type = type
        self.templateBody = templateBody
        self.parameters = parameters
        self.tags = tags
        self.capabilities = capabilities
        self.artifactBucket = artifactBucket
        self.description = description
        self.serviceRoleARN = serviceRoleARN
        self.clientToken = clientToken
    }
}

/// CloudFormation's documented limits that change what the client sends.
public enum CloudFormationLimits {
    /// The largest `TemplateBody`; a larger template must be passed as `TemplateURL` from S3.
    public static let inlineTemplateBytes = 51_200
}

/// The ids CloudFormation gave a new change set.
public struct ChangeSetReference: Sendable, Equatable {
    /// The change set's ARN.
    public var id: String
    /// The stack's ARN (its account id shows where it was created).
    public var stackID: String
    /// The template's S3 URL, when it was too large to send inline.
    public var templateURL: String?

    /// Creates a value; CloudFormation's answers and test doubles both make them.
    public init(id: String, stackID: String, templateURL: String? = nil) {
        self.id = id
        self.stackID = stackID
        self.templateURL = templateURL
    }
}

/// What CloudFormation would do to one resource.
public struct ResourceChangeSummary: Sendable, Equatable {
    /// `Add`, `Modify`, `Remove`, `Import` or `Dynamic`.
    public var action: String
    /// The logical id in the template.
    public var logicalID: String
    /// The physical id, for a resource that exists.
    public var physicalID: String?
    /// The resource type, as `AWS::SQS::Queue`.
    public var resourceType: String
    /// `True`, `False` or `Conditional` for a modification; `nil` otherwise.
    public var replacement: String?
    /// What changes: `Properties`, `Metadata`, `Tags`, ...
    public var scope: [String]

    /// Creates a summary.
    public init(
        action: String, logicalID: String, physicalID: String? = nil, resourceType: String,
        replacement: String? = nil, scope: [String] = []
    ) {
        self.action = action
        self.logicalID = logicalID
        self.physicalID = physicalID
        self.resourceType = resourceType
        self.replacement = replacement
        self.scope = scope
    }
}

/// A change set as `DescribeChangeSet` shows it, all pages of changes gathered.
public struct ChangeSetDescription: Sendable, Equatable {
    /// The change set's ARN.
    public var id: String
    /// Its name.
    public var name: String
    /// The stack's ARN.
    public var stackID: String
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `FAILED`, ...
    public var status: String
    /// `AVAILABLE` once it can be executed.
    public var executionStatus: String
    /// Why it failed, in CloudFormation's words.
    public var statusReason: String?
    /// Every resource change.
    public var changes: [ResourceChangeSummary]

    /// Creates a value; CloudFormation's answers and test doubles both make them.
    public init(id: String, name: String, stackID: String, status: String, executionStatus: String, statusReason: String? = nil, changes: [ResourceChangeSummary]) {
        self.id = id
        self.name = name
        self.stackID = stackID
        self.status = status
        self.executionStatus = executionStatus
        self.statusReason = statusReason
        self.changes = changes
    }
}

/// How waiting for a change set ended.
public enum ChangeSetOutcome: Sendable, Equatable {
    /// Ready to execute.
    case ready(ChangeSetDescription)
    /// CloudFormation found nothing to change: a distinct no-op, not a failure. The change set
    /// is left for the caller to delete.
    case noChanges(reason: String)
    /// CloudFormation could not make it (a template error, for one), with its reason.
    case failed(reason: String)
}

/// A stack status, as `CREATE_COMPLETE`; CloudFormation may add new ones, so any text is kept.
public struct StackStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    /// Wraps CloudFormation's text.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The shell an unexecuted creating change set leaves.
    public static let reviewInProgress = StackStatus(rawValue: "REVIEW_IN_PROGRESS")
    /// A failed creation that was rolled back: the stack must be deleted before it is created again.
    public static let rollbackComplete = StackStatus(rawValue: "ROLLBACK_COMPLETE")
    /// Deleted.
    public static let deleteComplete = StackStatus(rawValue: "DELETE_COMPLETE")

    /// Still changing: wait and look again.
    public var isInProgress: Bool {
        rawValue.hasSuffix("_IN_PROGRESS") && self != .reviewInProgress
    }

    /// The operation failed, whether or not it was rolled back (`*_FAILED`, `*ROLLBACK_COMPLETE`).
    public var isFailure: Bool {
        !isInProgress && (rawValue.hasSuffix("_FAILED") || rawValue.contains("ROLLBACK"))
    }

    /// The operation succeeded (`CREATE_COMPLETE`, `UPDATE_COMPLETE`, `DELETE_COMPLETE`, `IMPORT_COMPLETE`).
    public var isSuccess: Bool {
        rawValue.hasSuffix("_COMPLETE") && !isFailure
    }

    public var description: String {
        rawValue
    }
}

/// One output of a stack.
public struct StackOutput: Sendable, Equatable {
    /// The output's logical name.
    public var key: String
    /// Its value.
    public var value: String
    /// Its description, when the template gives one.
    public var description: String?
    /// The export name, when it is exported.
    public var exportName: String?

    /// Creates a value; CloudFormation's answers and test doubles both make them.
    public init(key: String, value: String, description: String? = nil, exportName: String? = nil) {
        self.key = key
        self.value = value
        self.description = description
        self.exportName = exportName
    }
}

/// A stack as `DescribeStacks` shows it.
public struct StackDescription: Sendable, Equatable {
    /// The stack's ARN.
    public var id: String
    /// Its name.
    public var name: String
    /// Where it stands.
    public var status: StackStatus
    /// Why, in CloudFormation's words.
    public var statusReason: String?
    /// Outputs, in CloudFormation's order.
    public var outputs: [StackOutput]
    /// Parameter values (`****` for `NoEcho` ones, as CloudFormation hides them).
    public var parameters: [String: String]
    /// Tags.
    public var tags: [String: String]
    /// When it was created.
    public var creationTime: Date?
    /// When it was last updated.
    public var lastUpdatedTime: Date?

    /// The name in a stack's ARN (`arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID`), or
    /// `nameOrID` itself when it is a name.
    public static func name(fromNameOrID nameOrID: String) -> String {
        guard nameOrID.hasPrefix("arn:") else { return nameOrID }
        let resource = nameOrID.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last ?? ""
        let parts = resource.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count >= 2 && parts[0] == "stack" ? String(parts[1]) : nameOrID
    }

    /// Creates a value; CloudFormation's answers and test doubles both make them.
    public init(id: String, name: String, status: StackStatus, statusReason: String? = nil, outputs: [StackOutput] = [], parameters: [String: String] = [:], tags: [String: String] = [:], creationTime: Date? = nil, lastUpdatedTime: Date? = nil) {
        self.id = id
        self.name = name
        self.status = status
        self.statusReason = statusReason
        self.outputs = outputs
        self.parameters = parameters
        self.tags = tags
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
    }
}

/// One event of a stack: a resource or the stack itself changing status.
public struct StackEvent: Sendable, Equatable {
    /// The event's id, unique within the stack.
    public var id: String
    /// The logical id of the resource (the stack's name for the stack itself).
    public var logicalID: String
    /// The physical id, once there is one.
    public var physicalID: String?
    /// The resource type, `AWS::CloudFormation::Stack` for the stack itself.
    public var resourceType: String
    /// When it happened.
    public var timestamp: Date?
    /// The status reached, as `CREATE_FAILED`.
    public var status: String
    /// Why, in CloudFormation's words; the first failed resource's reason explains a rollback.
    public var reason: String?

    /// Whether this event is about the stack rather than one of its resources.
    public var isStackEvent: Bool {
        resourceType == "AWS::CloudFormation::Stack"
    }

    /// Whether this is the stack's own event of reaching a status in which no operation runs:
    /// the last event an operation writes. A nested stack's event names its logical id, not the
    /// stack; `REVIEW_IN_PROGRESS`, which a creating change set leaves, ends nothing.
    public func endsOperation(ofStackNamed name: String) -> Bool {
        isStackEvent && logicalID == name && !status.hasSuffix("_IN_PROGRESS")
    }

    /// Creates a value; CloudFormation's answers and test doubles both make them.
    public init(id: String, logicalID: String, physicalID: String? = nil, resourceType: String, timestamp: Date? = nil, status: String, reason: String? = nil) {
        self.id = id
        self.logicalID = logicalID
        self.physicalID = physicalID
        self.resourceType = resourceType
        self.timestamp = timestamp
        self.status = status
        self.reason = reason
    }
}

/// Where a drift detection stands, from `DescribeStackDriftDetectionStatus`.
public struct DriftDetectionStatus: Sendable, Equatable {
    /// The detection's id.
    public var id: String
    /// `DETECTION_IN_PROGRESS`, `DETECTION_COMPLETE` or `DETECTION_FAILED`.
    public var detectionStatus: String
    /// `DRIFTED`, `IN_SYNC`, `UNKNOWN` or `NOT_CHECKED`, once known.
    public var stackDriftStatus: String?
    /// How many resources drifted.
    public var driftedResourceCount: Int?
    /// Why detection failed, or what it could not check.
    public var reason: String?

    /// Whether detection has ended, successfully or not.
    public var isFinished: Bool {
        detectionStatus != "DETECTION_IN_PROGRESS"
    }

    /// Creates a value; CloudFormation's answers and test doubles both make them.
    public init(id: String, detectionStatus: String, stackDriftStatus: String? = nil, driftedResourceCount: Int? = nil, reason: String? = nil) {
        self.id = id
        self.detectionStatus = detectionStatus
        self.stackDriftStatus = stackDriftStatus
        self.driftedResourceCount = driftedResourceCount
        self.reason = reason
    }
}

/// One property of a resource that differs from its template.
public struct PropertyDifference: Sendable, Equatable {
    /// A JSON pointer into the resource's properties, as `/DelaySeconds`.
    public var path: String
    /// The value the template gives.
    public var expected: String
    /// The value AWS holds.
    public var actual: String
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    public var differenceType: String

    /// Creates a value; CloudFormation's answers and test doubles both make them.
    public init(path: String, expected: String, actual: String, differenceType: String) {
        self.path = path
        self.expected = expected
        self.actual = actual
        self.differenceType = differenceType
    }
}

/// One resource's drift, from `DescribeStackResourceDrifts`.
public struct ResourceDrift: Sendable, Equatable {
    /// The logical id.
    public var logicalID: String
    /// The physical id.
    public var physicalID: String?
    /// The resource type.
    public var resourceType: String
    /// `IN_SYNC`, `MODIFIED`, `DELETED` or `NOT_CHECKED`.
    public var status: String
    /// The properties that differ, for `MODIFIED`.
    public var differences: [PropertyDifference]

    /// Creates a value; CloudFormation's answers and test doubles both make them.
    public init(logicalID: String, physicalID: String?, resourceType: String, status: String, differences: [PropertyDifference] = []) {
        self.logicalID = logicalID
        self.physicalID = physicalID
        self.resourceType = resourceType
        self.status = status
        self.differences = differences
    }
}

public import TollgateCore

/// What `tollgate drift` found: one entry per stack checked, in the order of their names.
///
/// The type is the `--json` answer itself (and the server's), so its field names are kept stable.
public struct DriftReport: Sendable, Codable, Equatable {
    /// One entry per stack.
    public var stacks: [StackDrift]

    /// Creates a report.
    public init(stacks: [StackDrift]) {
        self.stacks = stacks
    }

    /// Whether any stack differs from its recorded state.
    public var hasDrift: Bool {
        stacks.contains { $0.status == .drifted }
    }

    /// Whether any stack could not be checked because something failed (credentials, endpoint,
    /// an unreadable answer).
    public var hasErrors: Bool {
        stacks.contains { $0.status == .error }
    }

    enum CodingKeys: String, CodingKey {
        case stacks, drifted, errors
    }

    /// Decodes what ``encode(to:)`` writes; the summary flags are derived, not read.
    public init(from decoder: any Decoder) throws {
        stacks = try decoder.container(keyedBy: CodingKeys.self).decode([StackDrift].self, forKey: .stacks)
    }

    /// Writes the stacks and, for a reader that looks no further, `drifted` and `errors`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stacks, forKey: .stacks)
        try container.encode(hasDrift, forKey: .drifted)
        try container.encode(hasErrors, forKey: .errors)
    }
}

/// How one stack compares with what its provider holds.
public struct StackDrift: Sendable, Codable, Equatable {
    /// The verdict for one stack.
    public enum Status: String, Sendable, Codable, Equatable {
        /// The provider holds what was recorded.
        case inSync = "IN_SYNC"
        /// The provider holds something else, or nothing.
        case drifted = "DRIFTED"
        /// `provider: record`: the recorded state is the target, so there is nothing to compare.
        case recordOnly = "RECORD_ONLY"
        /// `provider: command`: a command cannot be asked what it deployed.
        case notCheckable = "NOT_CHECKABLE"
        /// The check failed; ``StackDrift/detail`` says why.
        case error = "ERROR"
    }

    /// The stack's name in Tollgate.
    public var stack: String
    /// `record`, `command` or `cloudformation`, from `Policies/deployments.yaml` in force.
    public var provider: String
    /// The verdict.
    public var status: Status
    /// One sentence saying what was found, or why nothing was compared.
    public var detail: String
    /// The recorded state version compared.
    public var stateVersion: Int64
    /// The commit the recorded state came from.
    public var commit: String
    /// Whether the recorded state is the stack's removal.
    public var recordedAsRemoved: Bool
    /// The provider's name for the stack (CloudFormation's stack name).
    public var providerStackName: String?
    /// The provider's status of the stack (CloudFormation's `StackStatus`); nil when it has none.
    public var providerStackStatus: String?
    /// The recorded template, parameters and tags turned into the provider's, as a change set
    /// shows it (recorded state as "before", the provider's as "after"); nil when not compared.
    public var changeSet: ChangeSet?
    /// What CloudFormation's own resource drift detection found; nil when it was not asked.
    public var resourceDrift: ResourceDriftCheck?

    /// Creates an entry.
    public init(
        stack: String, provider: String, status: Status, detail: String, stateVersion: Int64, commit: String,
        recordedAsRemoved: Bool, providerStackName: String? = nil, providerStackStatus: String? = nil,
        changeSet: ChangeSet? = nil, resourceDrift: ResourceDriftCheck? = nil
    ) {
        self.stack = stack
        self.provider = provider
        self.status = status
        self.detail = detail
        self.stateVersion = stateVersion
        self.commit = commit
        self.recordedAsRemoved = recordedAsRemoved
        self.providerStackName = providerStackName
        self.providerStackStatus = providerStackStatus
        self.changeSet = changeSet
        self.resourceDrift = resourceDrift
    }

    enum CodingKeys: String, CodingKey {
        case stack, provider, status, detail, stateVersion, commit, recordedAsRemoved, providerStackName
        case providerStackStatus, changeSet, resourceDrift
    }

    /// Decodes what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        stack = try container.decode(String.self, forKey: .stack)
        provider = try container.decode(String.self, forKey: .provider)
        status = try container.decode(Status.self, forKey: .status)
        detail = try container.decode(String.self, forKey: .detail)
        stateVersion = try container.decode(Int64.self, forKey: .stateVersion)
        commit = try container.decode(String.self, forKey: .commit)
        recordedAsRemoved = try container.decode(Bool.self, forKey: .recordedAsRemoved)
        providerStackName = try container.decodeIfPresent(String.self, forKey: .providerStackName)
        providerStackStatus = try container.decodeIfPresent(String.self, forKey: .providerStackStatus)
        changeSet = try container.decodeIfPresent(ChangeSet.self, forKey: .changeSet)
        resourceDrift = try container.decodeIfPresent(ResourceDriftCheck.self, forKey: .resourceDrift)
    }

    /// Writes every key, absent values as `null`, so that the shape never depends on the verdict.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stack, forKey: .stack)
        try container.encode(provider, forKey: .provider)
        try container.encode(status, forKey: .status)
        try container.encode(detail, forKey: .detail)
        try container.encode(stateVersion, forKey: .stateVersion)
        try container.encode(commit, forKey: .commit)
        try container.encode(recordedAsRemoved, forKey: .recordedAsRemoved)
        try container.encode(providerStackName, forKey: .providerStackName)
        try container.encode(providerStackStatus, forKey: .providerStackStatus)
        try container.encode(changeSet, forKey: .changeSet)
        try container.encode(resourceDrift, forKey: .resourceDrift)
    }
}

/// What CloudFormation's resource drift detection (`DetectStackDrift`) said about a stack.
public struct ResourceDriftCheck: Sendable, Codable, Equatable {
    /// Whether the detection ran; false where the endpoint does not offer it (an emulator).
    public var checked: Bool
    /// CloudFormation's `StackDriftStatus`: `DRIFTED`, `IN_SYNC`, `UNKNOWN` or `NOT_CHECKED`.
    public var stackDriftStatus: String?
    /// Why it was not checked, or what CloudFormation could not check (`DETECTION_FAILED`).
    public var note: String?
    /// Every resource not `IN_SYNC`: `MODIFIED` and `DELETED` ones are drift, `NOT_CHECKED`
    /// ones are listed so that a reader knows what was not looked at.
    public var resources: [ResourceDriftEntry]

    /// Creates a value.
    public init(checked: Bool, stackDriftStatus: String? = nil, note: String? = nil, resources: [ResourceDriftEntry] = []) {
        self.checked = checked
        self.stackDriftStatus = stackDriftStatus
        self.note = note
        self.resources = resources
    }

    /// Whether a resource was changed or deleted behind the stack's back.
    public var hasDrift: Bool {
        resources.contains(where: \.isDrift)
    }

    enum CodingKeys: String, CodingKey {
        case checked, stackDriftStatus, note, resources
    }

    /// Decodes what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checked = try container.decode(Bool.self, forKey: .checked)
        stackDriftStatus = try container.decodeIfPresent(String.self, forKey: .stackDriftStatus)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        resources = try container.decode([ResourceDriftEntry].self, forKey: .resources)
    }

    /// Writes every key, absent values as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checked, forKey: .checked)
        try container.encode(stackDriftStatus, forKey: .stackDriftStatus)
        try container.encode(note, forKey: .note)
        try container.encode(resources, forKey: .resources)
    }
}

/// One resource's drift, in CloudFormation's field names (`DescribeStackResourceDrifts`).
public struct ResourceDriftEntry: Sendable, Codable, Equatable {
    /// The logical id in the template.
    public var logicalResourceId: String
    /// The physical id.
    public var physicalResourceId: String?
    /// The resource type.
    public var resourceType: String
    /// `MODIFIED`, `DELETED`, `NOT_CHECKED` or `UNKNOWN`.
    public var stackResourceDriftStatus: String
    /// The properties that differ, for `MODIFIED`.
    public var propertyDifferences: [PropertyDrift]

    /// Creates a value.
    public init(
        logicalResourceId: String, physicalResourceId: String?, resourceType: String, stackResourceDriftStatus: String,
        propertyDifferences: [PropertyDrift]
    ) {
        self.logicalResourceId = logicalResourceId
        self.physicalResourceId = physicalResourceId
        self.resourceType = resourceType
        self.stackResourceDriftStatus = stackResourceDriftStatus
        self.propertyDifferences = propertyDifferences
    }

    /// Whether the resource was changed or deleted outside its stack.
    public var isDrift: Bool {
        stackResourceDriftStatus == "MODIFIED" || stackResourceDriftStatus == "DELETED"
    }

    enum CodingKeys: String, CodingKey {
        case logicalResourceId = "LogicalResourceId"
        case physicalResourceId = "PhysicalResourceId"
        case resourceType = "ResourceType"
        case stackResourceDriftStatus = "StackResourceDriftStatus"
        case propertyDifferences = "PropertyDifferences"
    }

    /// Decodes what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        logicalResourceId = try container.decode(String.self, forKey: .logicalResourceId)
        physicalResourceId = try container.decodeIfPresent(String.self, forKey: .physicalResourceId)
        resourceType = try container.decode(String.self, forKey: .resourceType)
        stackResourceDriftStatus = try container.decode(String.self, forKey: .stackResourceDriftStatus)
        propertyDifferences = try container.decode([PropertyDrift].self, forKey: .propertyDifferences)
    }

    /// Writes every key, an absent physical id as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(logicalResourceId, forKey: .logicalResourceId)
        try container.encode(physicalResourceId, forKey: .physicalResourceId)
        try container.encode(resourceType, forKey: .resourceType)
        try container.encode(stackResourceDriftStatus, forKey: .stackResourceDriftStatus)
        try container.encode(propertyDifferences, forKey: .propertyDifferences)
    }
}

/// One property that differs from the template, in CloudFormation's field names.
public struct PropertyDrift: Sendable, Codable, Equatable {
    /// A JSON pointer into the resource's properties, as `/DelaySeconds`.
    public var propertyPath: String
    /// The value the template gives.
    public var expectedValue: String
    /// The value the resource has.
    public var actualValue: String
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    public var differenceType: String

    /// Creates a value.
    public init(propertyPath: String, expectedValue: String, actualValue: String, differenceType: String) {
        self.propertyPath = propertyPath
        self.expectedValue = expectedValue
        self.actualValue = actualValue
        self.differenceType = differenceType
    }

    enum CodingKeys: String, CodingKey {
        case propertyPath = "PropertyPath"
        case expectedValue = "ExpectedValue"
        case actualValue = "ActualValue"
        case differenceType = "DifferenceType"
    }
}

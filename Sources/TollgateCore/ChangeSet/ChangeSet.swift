/// What CloudFormation would do to one stack, predicted offline, in the shape of
/// CloudFormation's `DescribeChangeSet` answer plus Tollgate's own fields.
///
/// Encoding a change set with `JSONEncoder` gives the JSON that `tollgate diff --json` prints
/// and that tools reading CloudFormation change sets understand. ``digest`` binds approvals
/// to exactly this content (see ``ChangePlanner``).
public struct ChangeSet: Sendable, Codable, Equatable {
    /// `CREATE` for a new stack, `UPDATE` otherwise.
    public var changeSetType: ChangeSetType
    /// The stack the change set is for.
    public var stackName: String
    /// The commit the target template was read from.
    public var commit: String
    /// Hex SHA-256 over the canonical encoding of stack, commit, base state and changes.
    public var digest: String
    /// The target parameter values, NoEcho values masked.
    public var parameters: [ParameterValue]
    /// The target stack tags.
    public var tags: [StackTag]
    /// Resource changes, as CloudFormation lists them.
    public var changes: [Change]
    /// Parameter, output, condition and mapping changes, which CloudFormation does not list.
    public var templateChanges: [TemplateChange]
    /// The transforms the target template declares, and whether Tollgate can see through them.
    public var transforms: [TransformUse]
    /// Problems that do not stop the plan (quota, unquoted parameter values, unknown types).
    public var warnings: [String]
    /// Changes the deploying service (CloudFormation's own change set) said it would make that an
    /// earlier plan of this commit did not show; approving this change set approves them too.
    public var providerChanges: [ProviderChange] = []

    enum CodingKeys: String, CodingKey {
        case changeSetType = "ChangeSetType"
        case stackName = "StackName"
        case stack = "Stack"
        case commit = "Commit"
        case digest = "Digest"
        case parameters = "Parameters"
        case tags = "Tags"
        case changes = "Changes"
        case templateChanges = "TemplateChanges"
        case transforms = "Transforms"
        case warnings = "Warnings"
        case providerChanges = "ProviderChanges"
    }

    /// A change set from its parts; ``ChangePlanner`` is the usual way to make one.
    public init(
        changeSetType: ChangeSetType, stackName: String, commit: String, digest: String,
        parameters: [ParameterValue], tags: [StackTag], changes: [Change], templateChanges: [TemplateChange],
        transforms: [TransformUse] = [], warnings: [String]
    ) {
        self.changeSetType = changeSetType
        self.stackName = stackName
        self.commit = commit
        self.digest = digest
        self.parameters = parameters
        self.tags = tags
        self.changes = changes
        self.templateChanges = templateChanges
        self.transforms = transforms
        self.warnings = warnings
    }

    /// Decodes the JSON that ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        changeSetType = try container.decode(ChangeSetType.self, forKey: .changeSetType)
        stackName = try container.decode(String.self, forKey: .stackName)
        commit = try container.decode(String.self, forKey: .commit)
        digest = try container.decode(String.self, forKey: .digest)
        parameters = try container.decode([ParameterValue].self, forKey: .parameters)
        tags = try container.decode([StackTag].self, forKey: .tags)
        changes = try container.decode([Change].self, forKey: .changes)
        templateChanges = try container.decode([TemplateChange].self, forKey: .templateChanges)
        // Change sets stored before transforms were listed have no such key.
        transforms = try container.decodeIfPresent([TransformUse].self, forKey: .transforms) ?? []
        warnings = try container.decode([String].self, forKey: .warnings)
        providerChanges = try container.decodeIfPresent([ProviderChange].self, forKey: .providerChanges) ?? []
    }

    /// Writes CloudFormation's field names; `Stack` repeats `StackName` for Tollgate's readers.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(changeSetType, forKey: .changeSetType)
        try container.encode(stackName, forKey: .stackName)
        try container.encode(stackName, forKey: .stack)
        try container.encode(commit, forKey: .commit)
        try container.encode(digest, forKey: .digest)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(tags, forKey: .tags)
        try container.encode(changes, forKey: .changes)
        try container.encode(templateChanges, forKey: .templateChanges)
        try container.encode(transforms, forKey: .transforms)
        try container.encode(warnings, forKey: .warnings)
        // Only present when there are some, so that every other change set reads as before.
        if !providerChanges.isEmpty { try container.encode(providerChanges, forKey: .providerChanges) }
    }

    /// The resource changes without their `Type: Resource` wrapper.
    public var resourceChanges: [ResourceChange] { changes.map(\.resourceChange) }

    /// Counts for the summary line `Plan: 2 to add, 3 to modify (1 replacement), 1 to remove`.
    public var summary: ChangeSummary {
        var summary = ChangeSummary()
        for change in resourceChanges {
            switch change.action {
            case .add: summary.added += 1
            case .remove: summary.removed += 1
            case .modify:
                summary.modified += 1
                if change.replacement == .true { summary.replaced += 1 }
                if change.replacement == .conditional { summary.conditionallyReplaced += 1 }
            }
        }
        return summary
    }

    /// Whether applying this change set may destroy a resource: any removal, any replacement
    /// that is certain or conditional, or a macro that may rewrite the template into anything.
    /// Approval policies ask for more on these.
    public var isDestructive: Bool {
        transforms.contains(where: \.mayChangeAnything)
            || resourceChanges.contains { $0.action == .remove || $0.replacement == .true || $0.replacement == .conditional }
    }

    /// The transforms whose output Tollgate cannot predict: macros and included snippets.
    public var opaqueTransforms: [String] { transforms.filter(\.mayChangeAnything).map(\.name) }

    /// Whether nothing at all changes: no resource, parameter, output, condition or mapping.
    public var isEmpty: Bool { changes.isEmpty && templateChanges.isEmpty }
}

/// Counts of resource changes by kind.
public struct ChangeSummary: Sendable, Equatable {
    /// Resources added.
    public var added = 0
    /// Resources modified, replaced ones included.
    public var modified = 0
    /// Modified resources certainly replaced.
    public var replaced = 0
    /// Modified resources that may be replaced.
    public var conditionallyReplaced = 0
    /// Resources removed.
    public var removed = 0

    /// No changes.
    public init() {}

    /// `Plan: 2 to add, 3 to modify (1 replacement), 1 to remove`.
    public var line: String {
        var modify = "\(modified) to modify"
        var notes: [String] = []
        if replaced > 0 { notes.append("\(replaced) replacement\(replaced == 1 ? "" : "s")") }
        if conditionallyReplaced > 0 { notes.append("\(conditionallyReplaced) conditional replacement\(conditionallyReplaced == 1 ? "" : "s")") }
        if !notes.isEmpty { modify += " (\(notes.joined(separator: ", ")))" }
        return "Plan: \(added) to add, \(modify), \(removed) to remove"
    }
}

/// One entry of `Changes`: CloudFormation wraps each resource change with `Type: Resource`.
public struct Change: Sendable, Codable, Equatable {
    /// Always `Resource`, as in CloudFormation.
    public var type: String
    /// The change.
    public var resourceChange: ResourceChange

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case resourceChange = "ResourceChange"
    }

    /// Wraps a resource change.
    public init(resourceChange: ResourceChange) {
        type = "Resource"
        self.resourceChange = resourceChange
    }
}

/// CloudFormation's `ResourceChange`: what happens to one resource.
public struct ResourceChange: Sendable, Codable, Equatable {
    /// Add, Modify or Remove.
    public var action: ChangeAction
    /// Logical id in the template.
    public var logicalResourceId: String
    /// Resource type.
    public var resourceType: String
    /// For Modify: whether the resource is replaced. CloudFormation leaves it out for Add and Remove.
    public var replacement: Replacement?
    /// Which parts of the resource change.
    public var scope: [ChangeScope]
    /// Each change, with what caused it.
    public var details: [ResourceChangeDetail]
    /// What happens to the old resource on removal or replacement.
    public var policyAction: PolicyAction?
    /// Tollgate's remark when the prediction is uncertain, such as a type the schemas do not know.
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case action = "Action"
        case logicalResourceId = "LogicalResourceId"
        case resourceType = "ResourceType"
        case replacement = "Replacement"
        case scope = "Scope"
        case details = "Details"
        case policyAction = "PolicyAction"
        case note = "Note"
    }

    /// A change with no details; the planner adds them.
    public init(action: ChangeAction, logicalResourceId: String, resourceType: String) {
        self.action = action
        self.logicalResourceId = logicalResourceId
        self.resourceType = resourceType
        scope = []
        details = []
    }
}

/// CloudFormation's `ResourceChangeDetail`: one changed attribute and its cause.
public struct ResourceChangeDetail: Sendable, Codable, Equatable {
    /// What changes.
    public var target: ResourceTargetDefinition
    /// Whether the new value is known now.
    public var evaluation: ChangeEvaluation
    /// What caused the change.
    public var changeSource: ChangeSource
    /// The parameter, resource or `Resource.Attribute` that caused it, when not a direct edit.
    public var causingEntity: String?

    enum CodingKeys: String, CodingKey {
        case target = "Target"
        case evaluation = "Evaluation"
        case changeSource = "ChangeSource"
        case causingEntity = "CausingEntity"
    }

    /// A detail from its parts.
    public init(
        target: ResourceTargetDefinition, evaluation: ChangeEvaluation, changeSource: ChangeSource,
        causingEntity: String? = nil
    ) {
        self.target = target
        self.evaluation = evaluation
        self.changeSource = changeSource
        self.causingEntity = causingEntity
    }
}

/// CloudFormation's `ResourceTargetDefinition`, with the before and after values that
/// `DescribeChangeSet --include-property-values` adds.
public struct ResourceTargetDefinition: Sendable, Codable, Equatable {
    /// The part of the resource.
    public var attribute: ChangeScope
    /// The property name, for `Properties`.
    public var name: String?
    /// Whether this change recreates the resource.
    public var requiresRecreation: RequiresRecreation?
    /// The value before, as compact JSON (template form: references are not resolved).
    public var beforeValue: String?
    /// The value after, as compact JSON.
    public var afterValue: String?

    enum CodingKeys: String, CodingKey {
        case attribute = "Attribute"
        case name = "Name"
        case requiresRecreation = "RequiresRecreation"
        case beforeValue = "BeforeValue"
        case afterValue = "AfterValue"
    }

    /// A target from its parts.
    public init(
        attribute: ChangeScope, name: String? = nil, requiresRecreation: RequiresRecreation? = nil,
        beforeValue: String? = nil, afterValue: String? = nil
    ) {
        self.attribute = attribute
        self.name = name
        self.requiresRecreation = requiresRecreation
        self.beforeValue = beforeValue
        self.afterValue = afterValue
    }
}

/// CloudFormation's `Parameter` entry of a change set.
public struct ParameterValue: Sendable, Codable, Equatable {
    /// Parameter name.
    public var parameterKey: String
    /// Value, `****` for NoEcho parameters.
    public var parameterValue: String

    enum CodingKeys: String, CodingKey {
        case parameterKey = "ParameterKey"
        case parameterValue = "ParameterValue"
    }

    /// A parameter entry.
    public init(parameterKey: String, parameterValue: String) {
        self.parameterKey = parameterKey
        self.parameterValue = parameterValue
    }
}

/// CloudFormation's stack `Tag`.
public struct StackTag: Sendable, Codable, Equatable {
    /// Tag key.
    public var key: String
    /// Tag value.
    public var value: String

    enum CodingKeys: String, CodingKey {
        case key = "Key"
        case value = "Value"
    }

    /// A tag.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A transform named in the template's `Transform` section, as the change set reports it.
public struct TransformUse: Sendable, Codable, Equatable {
    /// The transform's name, such as `AWS::Serverless-2016-10-31` or a macro's name.
    public var name: String
    /// Whether the transform may turn the template into anything, so that Tollgate's
    /// prediction does not bound what CloudFormation will do; such a change set is destructive.
    public var mayChangeAnything: Bool
    /// What Tollgate does with the transform, in one sentence for reviewers.
    public var note: String

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case mayChangeAnything = "MayChangeAnything"
        case note = "Note"
    }

    /// A transform entry from its parts.
    public init(name: String, mayChangeAnything: Bool, note: String) {
        self.name = name
        self.mayChangeAnything = mayChangeAnything
        self.note = note
    }

    /// How Tollgate treats a transform by name: the SAM transform is planned at the author's
    /// level, language extensions are expanded offline, and anything else (`AWS::Include`,
    /// other AWS transforms, macros) may change anything.
    public init(name: String) {
        switch name {
        case "AWS::Serverless-2016-10-31":
            self.init(
                name: name, mayChangeAnything: false,
                note: "CloudFormation expands this transform at apply time; the SAM resources are planned as written, "
                    + "with Globals applied, and the resources they expand into are listed by CloudFormation's own change set.")
        case "AWS::LanguageExtensions":
            self.init(
                name: name, mayChangeAnything: false,
                note: "Fn::ForEach, Fn::Length, Fn::ToJsonString and intrinsic functions in DeletionPolicy and "
                    + "UpdateReplacePolicy are evaluated offline, as CloudFormation evaluates them.")
        case "AWS::Include":
            self.init(
                name: name, mayChangeAnything: true,
                note: "AWS::Include inserts a snippet from S3 that Tollgate cannot see; it may add, change or remove "
                    + "any resource, so this change set is treated as destructive.")
        default:
            self.init(
                name: name, mayChangeAnything: true,
                note: "\(name) is a macro: CloudFormation runs it at apply time and it may add, change or remove "
                    + "any resource, so this change set is treated as destructive.")
        }
    }
}

/// A change to a template section that CloudFormation's change set does not list:
/// a parameter's declaration or value, an output, a condition, a mapping, a stack tag.
public struct TemplateChange: Sendable, Codable, Equatable {
    /// `Parameters`, `Outputs`, `Conditions`, `Mappings` or `Tags`.
    public var section: String
    /// The logical name in that section.
    public var name: String
    /// Add, Modify or Remove.
    public var action: ChangeAction
    /// The value before, as compact JSON or text; masked for NoEcho parameters.
    public var before: String?
    /// The value after.
    public var after: String?

    enum CodingKeys: String, CodingKey {
        case section = "Section"
        case name = "Name"
        case action = "Action"
        case before = "Before"
        case after = "After"
    }

    /// A section change.
    public init(section: String, name: String, action: ChangeAction, before: String?, after: String?) {
        self.section = section
        self.name = name
        self.action = action
        self.before = before
        self.after = after
    }
}

/// CloudFormation's `ChangeSetType`: whether the change set creates the stack or updates it.
public enum ChangeSetType: String, Sendable, Codable, Equatable {
    /// The stack does not exist yet.
    case create = "CREATE"
    /// The stack exists and is updated.
    case update = "UPDATE"
}

/// CloudFormation's `ResourceChange.Action`.
public enum ChangeAction: String, Sendable, Codable, Equatable, CaseIterable {
    /// The resource is created.
    case add = "Add"
    /// The resource is updated, in place or by replacement.
    case modify = "Modify"
    /// The resource is deleted (or retained, per its DeletionPolicy).
    case remove = "Remove"
}

/// CloudFormation's `ResourceChange.Replacement`: whether the update replaces the resource.
public enum Replacement: String, Sendable, Codable, Equatable, Comparable {
    /// Updated in place.
    case `false` = "False"
    /// May be replaced, depending on values known only during the update.
    case conditional = "Conditional"
    /// Certainly replaced: a new resource is created and the old one removed.
    case `true` = "True"

    private var severity: Int {
        switch self {
        case .false: return 0
        case .conditional: return 1
        case .true: return 2
        }
    }

    /// Orders by severity, so that `max` gives the replacement the details add up to.
    public static func < (lhs: Replacement, rhs: Replacement) -> Bool { lhs.severity < rhs.severity }
}

/// CloudFormation's `ResourceTargetDefinition.Attribute` and `ResourceChange.Scope` values.
public enum ChangeScope: String, Sendable, Codable, Equatable, CaseIterable, Comparable {
    /// The resource's properties.
    case properties = "Properties"
    /// The `Metadata` attribute.
    case metadata = "Metadata"
    /// The `CreationPolicy` attribute.
    case creationPolicy = "CreationPolicy"
    /// The `UpdatePolicy` attribute.
    case updatePolicy = "UpdatePolicy"
    /// The `DeletionPolicy` attribute.
    case deletionPolicy = "DeletionPolicy"
    /// The `UpdateReplacePolicy` attribute.
    case updateReplacePolicy = "UpdateReplacePolicy"
    /// The resource's tags, from its `Tags` property or the stack's tags.
    case tags = "Tags"

    /// Orders scopes as they are listed in CloudFormation's documentation.
    public static func < (lhs: ChangeScope, rhs: ChangeScope) -> Bool {
        let order = ChangeScope.allCases
        return (order.firstIndex(of: lhs) ?? 0) < (order.firstIndex(of: rhs) ?? 0)
    }
}

/// CloudFormation's `ResourceTargetDefinition.RequiresRecreation`.
public enum RequiresRecreation: String, Sendable, Codable, Equatable, Comparable {
    /// The change is made in place.
    case never = "Never"
    /// The change may recreate the resource.
    case conditionally = "Conditionally"
    /// The change recreates the resource.
    case always = "Always"

    private var severity: Int {
        switch self {
        case .never: return 0
        case .conditionally: return 1
        case .always: return 2
        }
    }

    /// Orders by severity, so that `max` keeps the strongest requirement.
    public static func < (lhs: RequiresRecreation, rhs: RequiresRecreation) -> Bool { lhs.severity < rhs.severity }
}

/// CloudFormation's `ResourceChangeDetail.Evaluation`: whether the new value is known now.
public enum ChangeEvaluation: String, Sendable, Codable, Equatable {
    /// The new value is known before the change set runs.
    case `static` = "Static"
    /// The new value depends on something only known while the stack updates.
    case dynamic = "Dynamic"
}

/// CloudFormation's `ResourceChangeDetail.ChangeSource`: what caused a change.
public enum ChangeSource: String, Sendable, Codable, Equatable {
    /// A `Ref` to a resource whose physical id may change.
    case resourceReference = "ResourceReference"
    /// A parameter whose value changed.
    case parameterReference = "ParameterReference"
    /// An attribute (`Fn::GetAtt`) of a resource that changes.
    case resourceAttribute = "ResourceAttribute"
    /// The template text itself changed.
    case directModification = "DirectModification"
    /// A nested stack update CloudFormation makes by itself; kept for CloudFormation's vocabulary.
    case automatic = "Automatic"
}

/// CloudFormation's `ResourceChange.PolicyAction`: what happens to the old resource.
public enum PolicyAction: String, Sendable, Codable, Equatable {
    /// The removed resource is deleted.
    case delete = "Delete"
    /// The removed resource is kept.
    case retain = "Retain"
    /// A snapshot is taken, then the removed resource is deleted.
    case snapshot = "Snapshot"
    /// The replaced resource is deleted.
    case replaceAndDelete = "ReplaceAndDelete"
    /// The replaced resource is kept.
    case replaceAndRetain = "ReplaceAndRetain"
    /// A snapshot is taken, then the replaced resource is deleted.
    case replaceAndSnapshot = "ReplaceAndSnapshot"

    /// The action for a removed resource with this `DeletionPolicy`.
    static func removal(deletionPolicy: String?) -> PolicyAction {
        switch deletionPolicy {
        case "Retain", "RetainExceptOnCreate": return .retain
        case "Snapshot": return .snapshot
        default: return .delete
        }
    }

    /// The action for a replaced resource with this `UpdateReplacePolicy`.
    static func replacement(updateReplacePolicy: String?) -> PolicyAction {
        switch updateReplacePolicy {
        case "Retain": return .replaceAndRetain
        case "Snapshot": return .replaceAndSnapshot
        default: return .replaceAndDelete
        }
    }

    /// Whether the old resource, or its data, is kept.
    public var keepsResource: Bool { self != .delete && self != .replaceAndDelete }
}

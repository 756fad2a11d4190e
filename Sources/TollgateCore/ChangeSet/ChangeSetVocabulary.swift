/// CloudFormation's `ChangeSetType`: whether the change set creates the stack or updates it.
public enum ChangeSetType: String, Sendable, Codable, Equatable {
    case create = "CREATE"
    case update = "UPDATE"
}

/// CloudFormation's `ResourceChange.Action`.
public enum ChangeAction: String, Sendable, Codable, Equatable, CaseIterable {
    case add = "Add"
    case modify = "Modify"
    case remove = "Remove"
}

/// CloudFormation's `ResourceChange.Replacement`: whether the update replaces the resource.
public enum Replacement: String, Sendable, Codable, Equatable, Comparable {
    case `false` = "False"
    case conditional = "Conditional"
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
    case properties = "Properties"
    case metadata = "Metadata"
    case creationPolicy = "CreationPolicy"
    case updatePolicy = "UpdatePolicy"
    case deletionPolicy = "DeletionPolicy"
    case updateReplacePolicy = "UpdateReplacePolicy"
    case tags = "Tags"

    /// Orders scopes as they are listed in CloudFormation's documentation.
    public static func < (lhs: ChangeScope, rhs: ChangeScope) -> Bool {
        let order = ChangeScope.allCases
        return (order.firstIndex(of: lhs) ?? 0) < (order.firstIndex(of: rhs) ?? 0)
    }
}

/// CloudFormation's `ResourceTargetDefinition.RequiresRecreation`.
public enum RequiresRecreation: String, Sendable, Codable, Equatable, Comparable {
    case never = "Never"
    case conditionally = "Conditionally"
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
    case resourceReference = "ResourceReference"
    case parameterReference = "ParameterReference"
    case resourceAttribute = "ResourceAttribute"
    case directModification = "DirectModification"
    case automatic = "Automatic"
}

/// CloudFormation's `ResourceChange.PolicyAction`: what happens to the old resource.
public enum PolicyAction: String, Sendable, Codable, Equatable {
    case delete = "Delete"
    case retain = "Retain"
    case snapshot = "Snapshot"
    case replaceAndDelete = "ReplaceAndDelete"
    case replaceAndRetain = "ReplaceAndRetain"
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

import Foundation

/// What a change set does to one resource, in CloudFormation's terms.
public enum ResourceAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// `Action: Add`.
    case add
    /// `Action: Modify` with `Replacement: False`.
    case modify
    /// `Action: Modify` with `Replacement: True`.
    case replace
    /// `Action: Modify` with `Replacement: Conditional`: it may turn out to be a replacement.
    case conditionalReplace = "conditional-replace"
    /// `Action: Remove`.
    case remove

    /// Whether the action may destroy the resource or its data.
    public var isDestructive: Bool {
        self == .replace || self == .conditionalReplace || self == .remove
    }
}

/// One resource change, reduced to what approval rules and stack policies look at.
public struct GuardedChange: Sendable, Hashable, Codable {
    /// The resource's logical id in the template.
    public let logicalID: String
    /// The resource type, such as `AWS::RDS::DBInstance`.
    public let resourceType: String
    /// What the change set does to it.
    public let action: ResourceAction

    /// Creates a change as the engine maps it from the change set.
    public init(logicalID: String, resourceType: String, action: ResourceAction) {
        self.logicalID = logicalID
        self.resourceType = resourceType
        self.action = action
    }
}

/// A stack policy action, as named in the policy's `Action` and `NotAction`.
public enum StackPolicyAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// An update in place, without interruption or with some.
    case modify = "Update:Modify"
    /// An update that creates a new physical resource and deletes the old one.
    case replace = "Update:Replace"
    /// The removal of the resource from the stack.
    case delete = "Update:Delete"
}

/// A CloudFormation stack policy from `Policies/stack-policies/<stack>.json`, evaluated with
/// CloudFormation's semantics, so a policy written for CloudFormation means the same here:
///
/// - once a policy exists, every update it does not allow is denied;
/// - a matching `Deny` always wins over any `Allow`;
/// - `Action`/`NotAction` name `Update:Modify`, `Update:Replace`, `Update:Delete` or `Update:*`;
/// - `Resource`/`NotResource` are `*` or `LogicalResourceId/<id>` with `*` and `?` wildcards;
/// - `Condition` tests `ResourceType` with `StringEquals`, `StringLike`, `StringNotEquals` or
///   `StringNotLike`;
/// - added resources are not governed, as in CloudFormation, since there is nothing to protect yet.
///
/// A change whose replacement is conditional needs both `Update:Modify` and `Update:Replace`,
/// because which of the two happens is only known while it is applied.
public struct StackPolicy: Sendable, Hashable {
    /// One entry of the policy's `Statement` list.
    public struct Statement: Sendable, Hashable {
        /// `Allow` or `Deny`.
        public enum Effect: String, Sendable, Hashable, Codable {
            /// Lets matching updates through, unless a Deny matches too.
            case allow = "Allow"
            /// Stops matching updates, whatever any Allow says.
            case deny = "Deny"
        }

        /// A `Condition` test on the resource type.
        public struct TypeCondition: Sendable, Hashable {
            /// The condition operators CloudFormation stack policies use.
            public enum Operator: String, Sendable, Hashable, CaseIterable {
                /// The type is one of the values.
                case stringEquals = "StringEquals"
                /// The type matches one of the wildcard values.
                case stringLike = "StringLike"
                /// The type is none of the values.
                case stringNotEquals = "StringNotEquals"
                /// The type matches none of the wildcard values.
                case stringNotLike = "StringNotLike"
            }

            /// How `values` are compared with the resource type.
            public let `operator`: Operator
            /// Resource types or, for the Like operators, wildcard patterns.
            public let values: [String]

            func holds(for resourceType: String) -> Bool {
                switch `operator` {
                case .stringEquals: return values.contains(resourceType)
                case .stringLike: return values.contains { Glob($0).matches(resourceType) }
                case .stringNotEquals: return !values.contains(resourceType)
                case .stringNotLike: return !values.contains { Glob($0).matches(resourceType) }
                }
            }
        }

        /// The statement's position in `Statement`, for messages.
        public let index: Int
        /// Whether a match allows or denies.
        public let effect: Effect
        /// The actions named by `Action`, or by `NotAction` when ``actionsNegated``.
        public let actions: Set<StackPolicyAction>
        /// True for `NotAction`.
        public let actionsNegated: Bool
        /// The patterns of `Resource`, or of `NotResource` when ``resourcesNegated``.
        public let resources: [String]
        /// True for `NotResource`.
        public let resourcesNegated: Bool
        /// All must hold for the statement to match.
        public let conditions: [TypeCondition]

        func matches(_ action: StackPolicyAction, _ change: GuardedChange) -> Bool {
            guard actions.contains(action) != actionsNegated else {
                return false
            }
            let name = "LogicalResourceId/" + change.logicalID
            let named = resources.contains { $0 == "*" || Glob($0).matches(name) }
            guard named != resourcesNegated else {
                return false
            }
            return conditions.allSatisfy { $0.holds(for: change.resourceType) }
        }
    }

    /// The stack the policy protects.
    public let stack: String
    /// The statements in file order.
    public let statements: [Statement]

    /// The folder holding one policy per stack, relative to the repository root.
    public static let folder = "Policies/stack-policies/"

    /// Parses a stack policy document.
    ///
    /// - Throws: ``PolicyError`` naming file, line, column and field for invalid JSON, unknown
    ///   keys, unknown actions, resources not of the `LogicalResourceId/` form, principals other
    ///   than `*` and conditions on anything but `ResourceType`.
    public static func parse(_ text: String, stack: String, file: String) throws(PolicyError) -> StackPolicy {
        let root = try PolicyJSON.parse(text, file: file)
        let document = try object(root, file: file, field: "", allowed: ["Statement"], required: ["Statement"])
        guard let statementList = document["Statement"] else {
            throw PolicyError(file: file, line: root.line, column: root.column, field: "Statement", message: "is required")
        }
        let items: [PolicyJSON]
        switch statementList.value {
        case let .array(list): items = list
        case .object: items = [statementList]
        default: throw fail(statementList, file: file, field: "Statement", "must be a list of statements")
        }
        guard !items.isEmpty else {
            throw fail(statementList, file: file, field: "Statement", "must hold at least one statement")
        }
        var statements: [Statement] = []
        for (index, item) in items.enumerated() {
            let base = "Statement[\(index)]"
            let fields = try object(item, file: file, field: base, allowed: ["Effect", "Action", "NotAction", "Principal", "Resource", "NotResource", "Condition"], required: ["Effect"])
            guard let effectNode = fields["Effect"], case let .string(effectText) = effectNode.value, let effect = Statement.Effect(rawValue: effectText) else {
                throw fail(fields["Effect"] ?? item, file: file, field: "\(base).Effect", "must be \"Allow\" or \"Deny\"")
            }
            if let principal = fields["Principal"] {
                guard case .string("*") = principal.value else {
                    throw fail(principal, file: file, field: "\(base).Principal", "must be \"*\"; stack policies apply to every principal")
                }
            }
            let (actionNode, actionField, actionsNegated) = try exactlyOne(fields, "Action", "NotAction", item: item, file: file, base: base)
            var actions: Set<StackPolicyAction> = []
            for (offset, text) in try strings(actionNode, file: file, field: actionField).enumerated() {
                if text.caseInsensitiveCompare("Update:*") == .orderedSame {
                    actions.formUnion(StackPolicyAction.allCases)
                } else if let action = StackPolicyAction.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame }) {
                    actions.insert(action)
                } else {
                    throw fail(actionNode, file: file, field: "\(actionField)[\(offset)]", "'\(text)' is not a stack policy action; use Update:Modify, Update:Replace, Update:Delete or Update:*")
                }
            }
            let (resourceNode, resourceField, resourcesNegated) = try exactlyOne(fields, "Resource", "NotResource", item: item, file: file, base: base)
            let resources = try strings(resourceNode, file: file, field: resourceField)
            for (offset, resource) in resources.enumerated() where resource != "*" && !resource.hasPrefix("LogicalResourceId/") {
                throw fail(resourceNode, file: file, field: "\(resourceField)[\(offset)]", "'\(resource)' must be \"*\" or \"LogicalResourceId/<logical id>\"")
            }
            var conditions: [Statement.TypeCondition] = []
            if let conditionNode = fields["Condition"] {
                let operators = try object(conditionNode, file: file, field: "\(base).Condition", allowed: Statement.TypeCondition.Operator.allCases.map(\.rawValue), required: [])
                for op in Statement.TypeCondition.Operator.allCases {
                    guard let testNode = operators[op.rawValue] else {
                        continue
                    }
                    let field = "\(base).Condition.\(op.rawValue)"
                    let test = try object(testNode, file: file, field: field, allowed: ["ResourceType"], required: ["ResourceType"])
                    guard let valuesNode = test["ResourceType"] else {
                        throw fail(testNode, file: file, field: "\(field).ResourceType", "is required")
                    }
                    conditions.append(.init(operator: op, values: try strings(valuesNode, file: file, field: "\(field).ResourceType")))
                }
            }
            statements.append(Statement(index: index, effect: effect, actions: actions, actionsNegated: actionsNegated, resources: resources, resourcesNegated: resourcesNegated, conditions: conditions))
        }
        return StackPolicy(stack: stack, statements: statements)
    }

    /// Creates a policy from statements already validated.
    public init(stack: String, statements: [Statement]) {
        self.stack = stack
        self.statements = statements
    }

    /// Decides whether the policy lets `change` through.
    public func evaluate(_ change: GuardedChange) -> StackPolicyDecision {
        let needed: [StackPolicyAction] = switch change.action {
        case .add: []
        case .modify: [.modify]
        case .replace: [.replace]
        case .conditionalReplace: [.modify, .replace]
        case .remove: [.delete]
        }
        guard !needed.isEmpty else {
            return StackPolicyDecision(change: change, outcome: .notGoverned)
        }
        for action in needed {
            if let deny = statements.first(where: { $0.effect == .deny && $0.matches(action, change) }) {
                return StackPolicyDecision(change: change, outcome: .denied(reason: "Statement[\(deny.index)] denies \(action.rawValue)"))
            }
            guard statements.contains(where: { $0.effect == .allow && $0.matches(action, change) }) else {
                return StackPolicyDecision(change: change, outcome: .denied(reason: "no statement allows \(action.rawValue), and a stack policy denies what it does not allow"))
            }
        }
        return StackPolicyDecision(change: change, outcome: .allowed)
    }

    private static func fail(_ node: PolicyJSON, file: String, field: String, _ message: String) -> PolicyError {
        PolicyError(file: file, line: node.line, column: node.column, field: field, message: message)
    }

    private static func object(_ node: PolicyJSON, file: String, field: String, allowed: [String], required: [String]) throws(PolicyError) -> [String: PolicyJSON] {
        guard case let .object(members) = node.value else {
            throw fail(node, file: file, field: field.isEmpty ? "document" : field, "must be a JSON object")
        }
        var result: [String: PolicyJSON] = [:]
        for member in members {
            let memberField = field.isEmpty ? member.key : "\(field).\(member.key)"
            guard allowed.contains(member.key) else {
                throw PolicyError(file: file, line: member.keyLine, column: member.keyColumn, field: memberField, message: "is not a known field; expected one of \(allowed.joined(separator: ", "))")
            }
            guard result[member.key] == nil else {
                throw PolicyError(file: file, line: member.keyLine, column: member.keyColumn, field: memberField, message: "appears twice")
            }
            result[member.key] = member.value
        }
        for key in required where result[key] == nil {
            throw fail(node, file: file, field: field.isEmpty ? key : "\(field).\(key)", "is required")
        }
        return result
    }

    private static func exactlyOne(_ fields: [String: PolicyJSON], _ plain: String, _ negated: String, item: PolicyJSON, file: String, base: String) throws(PolicyError) -> (PolicyJSON, String, Bool) {
        switch (fields[plain], fields[negated]) {
        case let (node?, nil): return (node, "\(base).\(plain)", false)
        case let (nil, node?): return (node, "\(base).\(negated)", true)
        case (_?, _?): throw fail(item, file: file, field: base, "must have \(plain) or \(negated), not both")
        case (nil, nil): throw fail(item, file: file, field: base, "must have \(plain) or \(negated)")
        }
    }

    private static func strings(_ node: PolicyJSON, file: String, field: String) throws(PolicyError) -> [String] {
        switch node.value {
        case let .string(text):
            return [text]
        case let .array(items) where !items.isEmpty:
            var result: [String] = []
            for (offset, item) in items.enumerated() {
                guard case let .string(text) = item.value else {
                    throw fail(item, file: file, field: "\(field)[\(offset)]", "must be a string")
                }
                result.append(text)
            }
            return result
        default:
            throw fail(node, file: file, field: field, "must be a string or a non-empty list of strings")
        }
    }
}

/// The stack policy's verdict on one resource change, as `explain` shows it.
public struct StackPolicyDecision: Sendable, Hashable, Codable {
    /// Allowed, denied with the reason, or outside what stack policies govern.
    public enum Outcome: Sendable, Hashable, Codable {
        /// Every action the change needs is allowed.
        case allowed
        /// An action is denied, by a Deny or because nothing allows it.
        case denied(reason: String)
        /// Added resources: stack policies protect only what exists.
        case notGoverned
    }

    /// The change judged.
    public let change: GuardedChange
    /// The policy's verdict.
    public let outcome: Outcome

    /// Whether the change needs the stack-policy-override rule.
    public var isDenied: Bool {
        if case .denied = outcome {
            return true
        }
        return false
    }
}

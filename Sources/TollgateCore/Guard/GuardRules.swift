/// A parsed Guard rule file: its file-level `let` bindings, its named rules (the clauses written
/// outside any rule form one rule named `default`) and its parameterised rules.
public struct GuardRuleFile: Sendable {
    /// The name given to the parser, used in messages.
    public var fileName: String
    /// `let` bindings at file level, visible to every rule.
    var assignments: [GuardAssignment]
    /// Rules in written order; the `default` rule, when present, comes first.
    public internal(set) var rules: [GuardRule]
    /// Rules that take parameters, by name.
    var parameterizedRules: [String: GuardParameterizedRule]

    /// The rule names in written order, each once.
    public var ruleNames: [String] {
        var seen = Set<String>()
        return rules.map(\.name).filter { seen.insert($0).inserted }
    }
}

/// `let name = value`.
struct GuardAssignment: Sendable {
    var name: String
    var value: GuardOperand
}

/// What a `let`, a comparison's right-hand side or a function argument holds.
indirect enum GuardOperand: Sendable {
    /// A literal value.
    case literal(GuardValue)
    /// A query into the document or a variable.
    case query(GuardQuery)
    /// A built-in function call.
    case function(GuardFunctionCall)
}

/// A call of one of Guard's built-in functions.
struct GuardFunctionCall: Sendable {
    var function: GuardFunction
    var arguments: [GuardOperand]
    var location: SourceLocation
}

/// A query such as `Resources.*[ Type == "AWS::S3::Bucket" ].Properties`.
struct GuardQuery: Sendable {
    var parts: [GuardQueryPart]
    /// False for `some`: one match is enough.
    var matchAll: Bool

    /// The query as written, for messages.
    var rendered: String {
        var text = ""
        for part in parts {
            switch part {
            case .this: text += text.isEmpty ? "this" : ".this"
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .variable(let name): text += text.isEmpty ? "%\(name)" : ".%\(name)"
            case .index(let index): text += "[\(index)]"
            case .allValues: text += text.isEmpty ? "*" : ".*"
            case .allIndices: text += "[*]"
            case .filter: text += "[ filter ]"
            case .mapKeyFilter: text += "[ keys filter ]"
            }
        }
        return text
    }
}

/// One step of a query.
indirect enum GuardQueryPart: Sendable {
    /// `this`: the value in scope.
    case this
    /// `.Name` or `."Name"`.
    case key(String)
    /// `%name` at the start of a query, or `.%name` as keys.
    case variable(String)
    /// `[0]` or `.0`.
    case index(Int)
    /// `.*` or `[name]`: every value of a map or list, optionally capturing keys into `name`.
    case allValues(capture: String?)
    /// `[*]`: every element of a list.
    case allIndices(capture: String?)
    /// `[ clauses ]`: the values for which the clauses hold.
    case filter(capture: String?, conjunctions: [[GuardClause]])
    /// `[ keys == value ]`: the values whose keys compare as asked.
    case mapKeyFilter(capture: String?, comparison: GuardComparison, operand: GuardOperand)
}

/// A comparison operator and whether it is negated (`!=`, `not in`, `!exists`, ...).
struct GuardComparison: Sendable, Equatable {
    var comparator: GuardComparator
    var negated: Bool

    var rendered: String {
        switch (comparator, negated) {
        case (.equal, false): return "=="
        case (.equal, true): return "!="
        default: return (negated ? "not " : "") + comparator.rawValue
        }
    }
}

/// The comparison operators of the language.
enum GuardComparator: String, Sendable, Equatable {
    case equal = "=="
    case `in` = "in"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case exists
    case empty
    case isString = "is_string"
    case isList = "is_list"
    case isStruct = "is_struct"
    case isBool = "is_bool"
    case isInt = "is_int"
    case isFloat = "is_float"
    case isNull = "is_null"

    /// Whether the operator takes no right-hand side.
    var isUnary: Bool {
        switch self {
        case .equal, .in, .less, .lessOrEqual, .greater, .greaterOrEqual: return false
        default: return true
        }
    }
}

/// `query operator value << message >>`, possibly preceded by `not`.
struct GuardAccessClause: Sendable {
    var query: GuardQuery
    var comparison: GuardComparison
    var operand: GuardOperand?
    var message: String?
    var location: SourceLocation
    /// A leading `not` or `!`; it inverts unary checks only, as cfn-guard does.
    var negation: Bool
}

/// A reference to another rule by name.
struct GuardRuleReference: Sendable {
    var name: String
    var negation: Bool
    var message: String?
    var location: SourceLocation
}

/// A call of a parameterised rule.
struct GuardRuleCall: Sendable {
    var reference: GuardRuleReference
    var arguments: [GuardOperand]
}

/// Assignments and clauses inside braces; the outer list is "and", each inner list "or".
struct GuardBlock: Sendable {
    var assignments: [GuardAssignment]
    var conjunctions: [[GuardClause]]
}

/// Any clause of the language.
indirect enum GuardClause: Sendable {
    /// A comparison or unary check.
    case access(GuardAccessClause)
    /// A reference to a rule.
    case rule(GuardRuleReference)
    /// A call of a parameterised rule.
    case ruleCall(GuardRuleCall)
    /// `query { clauses }`: the clauses hold for each value of the query.
    case block(query: GuardQuery, block: GuardBlock, notEmpty: Bool, location: SourceLocation)
    /// `when conditions { clauses }`.
    case when(conditions: [[GuardClause]], block: GuardBlock)
    /// `AWS::S3::Bucket [when conditions] { clauses }`.
    case typeBlock(GuardTypeBlock)
}

/// `AWS::Service::Type { ... }`: clauses that hold for every resource of that type.
struct GuardTypeBlock: Sendable {
    var typeName: String
    var conditions: [[GuardClause]]?
    var block: GuardBlock
    var location: SourceLocation
}

/// A named rule.
public struct GuardRule: Sendable {
    /// The rule's name, as test expectations and reports use it.
    public var name: String
    /// Where the rule starts.
    public var location: SourceLocation
    var conditions: [[GuardClause]]?
    var block: GuardBlock
}

/// A rule that takes parameters, called as `name(arguments)`.
struct GuardParameterizedRule: Sendable {
    var parameters: [String]
    var rule: GuardRule
}

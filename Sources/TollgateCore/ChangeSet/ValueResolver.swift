/// Evaluates what can be evaluated before deployment: parameter references, conditions,
/// `Fn::If`, `AWS::NoValue`, `Fn::FindInMap`, `Fn::Sub`/`Fn::Join` over known values, and the
/// language extensions `Fn::Length` and `Fn::ToJsonString`.
///
/// Two resolved values compare equal exactly when CloudFormation would send the same thing
/// to the resource provider, as far as that is known offline; references to resources and
/// other pseudo parameters stay as functions, and compare equal when written the same.
///
/// What evaluation builds is bounded (see ``EvaluationBudget``): `Fn::Join` over thousands of
/// references to a long parameter is refused before the string is made, not after memory runs out.
struct ValueResolver {
    let template: Template
    let parameters: [String: String]
    /// Parameters whose value is known only at apply time; references to them stay unresolved.
    let unknownParameters: Set<String>
    /// The outcome of each condition known before deployment.
    private(set) var conditions: [String: Bool] = [:]
    /// Conditions whose outcome depends on parameters known only at apply time; an `Fn::If` on
    /// one stays unevaluated and what it governs may or may not exist.
    private(set) var unknownConditions: Set<String> = []
    private let listParameters: Set<String>
    private let budget = EvaluationBudget()

    /// - Throws: ``EvaluationLimitExceeded`` when evaluating the conditions builds too much.
    init(template: Template, parameters: [String: String], unknownParameters: Set<String> = []) throws {
        self.template = template
        self.parameters = parameters
        self.unknownParameters = unknownParameters
        listParameters = Set(
            template.parameters.filter { $0.type == "CommaDelimitedList" || $0.type.hasPrefix("List<") }.map(\.name))
        (conditions, unknownConditions) = try ConditionEvaluator(resolver: self).evaluateAll()
    }

    /// Whether the other side evaluates every value as this one does: same parameter values
    /// and list parameters, same condition outcomes, same mappings.
    func evaluatesLike(_ other: ValueResolver) -> Bool {
        parameters.hasSameBytes(as: other.parameters) && unknownParameters == other.unknownParameters
            && listParameters == other.listParameters && conditions == other.conditions
            && unknownConditions == other.unknownConditions && template.mappings == other.template.mappings
    }

    /// Whether a resource or output with this `Condition` exists; no condition means it does.
    func existence(condition: String?) -> Existence {
        guard let condition else { return .exists }
        if unknownConditions.contains(condition) { return .unknown }
        return conditions[condition] == true ? .exists : .absent
    }

    /// Whether a resource or output with this `Condition` may exist: it does, or it is not known yet.
    func mayExist(condition: String?) -> Bool {
        existence(condition: condition) != .absent
    }

    /// Whether a condition has the same outcome on both sides whatever the values known only at
    /// apply time turn out to be: the same expressions all the way down, over parameters with the
    /// same values.
    func decidesAlike(_ condition: String, as other: ValueResolver) -> Bool {
        var visited: Set<String> = []
        func same(_ name: String) -> Bool {
            guard visited.insert(name).inserted else { return true }
            guard let mine = template.conditions[name], let theirs = other.template.conditions[name], mine == theirs
            else { return false }
            return Self.conditionNames(in: mine).allSatisfy(same)
        }
        guard same(condition) else { return false }
        let reference = TemplateValue.map(TemplateMap([("Condition", .string(condition))]))
        let names = referencedParameters(in: reference).union(other.referencedParameters(in: reference))
        return names.allSatisfy { parameters[$0].hasSameBytes(as: other.parameters[$0]) }
            && unknownParameters.intersection(names) == other.unknownParameters.intersection(names)
    }

    /// The conditions an expression names through `{"Condition": X}`.
    private static func conditionNames(in value: TemplateValue) -> [String] {
        switch value {
        case .map(let map) where map.keys == ["Condition"]:
            return map["Condition"]?.stringValue.map { [$0] } ?? []
        case .map(let map):
            return map.pairs.flatMap { conditionNames(in: $0.value) }
        case .list(let items):
            return items.flatMap(conditionNames)
        case .function(_, let argument):
            return conditionNames(in: argument)
        case .string, .number, .bool, .null:
            return []
        }
    }

    /// The value with everything known offline evaluated; nil when it resolves to `AWS::NoValue`.
    ///
    /// - Throws: ``EvaluationLimitExceeded`` when the values built would pass the budget.
    func resolve(_ value: TemplateValue) throws -> TemplateValue? {
        switch value {
        case .string, .number, .bool, .null:
            return value
        case .list(let items):
            return .list(try items.compactMap(resolve))
        case .map(let map):
            var result = TemplateMap()
            for (key, item) in map.pairs {
                if let resolved = try resolve(item) { result[key] = resolved }
            }
            return .map(result)
        case .function(let function, let argument):
            return try resolve(function, argument)
        }
    }

    private func resolve(_ function: IntrinsicFunction, _ argument: TemplateValue) throws -> TemplateValue? {
        switch function {
        case .ref:
            guard let name = argument.stringValue else { return .function(function, argument) }
            if name == "AWS::NoValue" { return nil }
            guard let value = parameters[name] else { return .function(function, argument) }
            if listParameters.contains(name) {
                let items = value.split(separator: ",", omittingEmptySubsequences: false)
                try budget.spend(value.utf8.count + EvaluationBudget.itemBytes * items.count)
                return .list(items.map { .string(String(Substring($0).trimmingWhitespace())) })
            }
            // Counted although the text is shared: every change detail shows it in full.
            try budget.spend(value.utf8.count)
            return .string(value)
        case .if:
            guard let items = argument.listValue, items.count == 3, let name = items[0].stringValue else {
                return .function(function, try resolve(argument) ?? .null)
            }
            guard let chosen = conditions[name] else {
                // Decided at apply time: both branches stay, each evaluated, `AWS::NoValue` kept as written.
                let noValue = TemplateValue.function(.ref, .string("AWS::NoValue"))
                return .function(function, .list([items[0], try resolve(items[1]) ?? noValue, try resolve(items[2]) ?? noValue]))
            }
            return try resolve(chosen ? items[1] : items[2])
        case .sub:
            return try resolveSub(argument)
        case .findInMap:
            let resolved = try resolve(argument)
            guard let items = resolved?.listValue, items.count >= 3,
                let map = items[0].scalarText, let first = items[1].scalarText, let second = items[2].scalarText,
                let found = template.mappings[map]?.mapValue?[first]?.mapValue?[second]
            else { return .function(function, resolved ?? .null) }
            try budget.spend(EvaluationBudget.size(of: found))
            return found
        case .join:
            let resolved = try resolve(argument)
            guard let items = resolved?.listValue, items.count == 2, let separator = items[0].scalarText,
                let parts = items[1].listValue
            else { return .function(function, resolved ?? .null) }
            let texts = parts.compactMap(\.scalarText)
            guard texts.count == parts.count else { return .function(function, resolved ?? .null) }
            // Measured before joining, so that an oversized result is never made.
            let joinedBytes = texts.reduce(0) { $0 + $1.utf8.count } + separator.utf8.count * max(texts.count - 1, 0)
            try budget.spend(joinedBytes)
            return .string(texts.joined(separator: separator))
        case .select:
            let resolved = try resolve(argument)
            guard let items = resolved?.listValue, items.count == 2, let index = items[0].scalarText.flatMap({ Int($0) }),
                let list = items[1].listValue, list.indices.contains(index)
            else { return .function(function, resolved ?? .null) }
            return list[index]
        case .length:
            let resolved = try resolve(argument)
            guard let items = resolved?.listValue else { return .function(function, resolved ?? .null) }
            return .number(String(items.count))
        case .toJsonString:
            let resolved = try resolve(argument) ?? .null
            guard let text = JSONStringValue.text(of: resolved) else { return .function(function, resolved) }
            try budget.spend(text.utf8.count)
            return .string(text)
        default:
            return .function(function, try resolve(argument) ?? .null)
        }
    }

    /// Substitutes known parameters into an `Fn::Sub` string; a string with nothing left to
    /// substitute becomes a plain string, as CloudFormation would pass it.
    private func resolveSub(_ argument: TemplateValue) throws -> TemplateValue {
        let pattern: String
        var variables = TemplateMap()
        if let text = argument.stringValue {
            pattern = text
        } else if let items = argument.listValue, items.count == 2, let text = items[0].stringValue,
            let names = items[1].mapValue
        {
            pattern = text
            for (key, value) in names.pairs { variables[key] = try resolve(value) ?? .string("") }
        } else {
            return .function(.sub, try resolve(argument) ?? .null)
        }
        var output = ""
        var unresolved = false
        var rest = pattern[...]
        // Substituted values are what can grow the text past the pattern's size, so each is
        // measured before it is added and an oversized result is never made.
        func substitute(_ value: String) throws {
            try budget.check(valueBytes: output.utf8.count + value.utf8.count)
            output += value
        }
        while let start = rest.placeholderStart() {
            output += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: "}") else {
                output += rest[start.lowerBound...]
                rest = ""
                break
            }
            let name = String(after[..<end].trimmingWhitespace())
            let placeholder = rest[start.lowerBound...end]
            rest = after[after.index(after: end)...]
            if name.hasPrefix("!") {
                output += placeholder
                unresolved = true
            } else if let value = variables[name]?.scalarText {
                try substitute(value)
            } else if variables[name] == nil, !name.contains("."), let value = parameters[name] {
                try substitute(value)
            } else {
                output += placeholder
                unresolved = true
            }
        }
        output += rest
        try budget.spend(output.utf8.count)
        return unresolved ? .function(.sub, .string(output)) : .string(output)
    }

    /// The parameters a value depends on, directly or through the conditions of its `Fn::If`s.
    func referencedParameters(in value: TemplateValue) -> Set<String> {
        var found: Set<String> = []
        var visited: Set<String> = []
        collectParameters(value, into: &found, visitedConditions: &visited)
        return found
    }

    private func collectParameters(_ value: TemplateValue, into found: inout Set<String>, visitedConditions: inout Set<String>) {
        switch value {
        case .string, .number, .bool, .null:
            return
        case .list(let items):
            for item in items { collectParameters(item, into: &found, visitedConditions: &visitedConditions) }
        case .map(let map):
            if map.keys == ["Condition"], let name = map["Condition"]?.stringValue {
                collectConditionParameters(name, into: &found, visited: &visitedConditions)
                return
            }
            for (_, item) in map.pairs { collectParameters(item, into: &found, visitedConditions: &visitedConditions) }
        case .function(.ref, let argument):
            if let name = argument.stringValue, isParameter(name) { found.insert(name) }
        case .function(.sub, let argument):
            let text = argument.stringValue ?? argument.listValue?.first?.stringValue ?? ""
            for name in SubstitutionPattern.names(in: text) where isParameter(name.target) && name.attribute == nil {
                found.insert(name.target)
            }
            if let variables = argument.listValue?.dropFirst().first {
                collectParameters(variables, into: &found, visitedConditions: &visitedConditions)
            }
        case .function(.if, let argument):
            if let items = argument.listValue, let name = items.first?.stringValue {
                collectConditionParameters(name, into: &found, visited: &visitedConditions)
                for item in items.dropFirst() { collectParameters(item, into: &found, visitedConditions: &visitedConditions) }
            }
        case .function(_, let argument):
            collectParameters(argument, into: &found, visitedConditions: &visitedConditions)
        }
    }

    private func isParameter(_ name: String) -> Bool {
        parameters[name] != nil || unknownParameters.contains(name)
    }

    /// Each condition is walked once per call: conditions naming each other twice at every level
    /// would otherwise cost exponential time, and a loop would never end.
    private func collectConditionParameters(_ name: String, into found: inout Set<String>, visited: inout Set<String>) {
        guard visited.insert(name).inserted, let expression = template.conditions[name] else { return }
        collectParameters(expression, into: &found, visitedConditions: &visited)
    }
}

/// Whether a resource or output exists on one side of a change set.
enum Existence: Sendable, Equatable {
    /// No condition, or its condition is true.
    case exists
    /// Its condition is false.
    case absent
    /// Its condition depends on values known only at apply time.
    case unknown
}

/// Evaluates the template's `Conditions` section with the stack's parameter values, in three
/// values: a condition that depends on a parameter known only at apply time is unknown, and so
/// is every condition built on it unless the known parts decide (`Fn::And` with a false part,
/// `Fn::Or` with a true one).
struct ConditionEvaluator {
    let resolver: ValueResolver

    /// The known outcomes and the names of the unknown ones.
    func evaluateAll() throws -> (known: [String: Bool], unknown: Set<String>) {
        var results: [String: Bool?] = [:]
        for name in resolver.template.conditions.keys {
            _ = try evaluate(named: name, results: &results, visiting: [])
        }
        var known: [String: Bool] = [:]
        var unknown: Set<String> = []
        for (name, outcome) in results {
            if let outcome { known[name] = outcome } else { unknown.insert(name) }
        }
        return (known, unknown)
    }

    private func evaluate(named name: String, results: inout [String: Bool?], visiting: Set<String>) throws -> Bool? {
        if let known = results[name] { return known }
        guard !visiting.contains(name), let expression = resolver.template.conditions[name] else { return false }
        let value = try evaluate(expression, results: &results, visiting: visiting.union([name]))
        results[name] = .some(value)
        return value
    }

    private func evaluate(_ expression: TemplateValue, results: inout [String: Bool?], visiting: Set<String>) throws -> Bool? {
        switch expression {
        case .bool(let flag):
            return flag
        case .string(let text):
            return text == "true"
        case .map(let map) where map.keys == ["Condition"]:
            guard let name = map["Condition"]?.stringValue else { return false }
            return try evaluate(named: name, results: &results, visiting: visiting)
        case .function(.equals, let argument):
            guard let items = argument.listValue, items.count == 2 else { return false }
            let left = try resolver.resolve(items[0])
            let right = try resolver.resolve(items[1])
            if left != right, !resolver.referencedParameters(in: argument).isDisjoint(with: resolver.unknownParameters) {
                return nil
            }
            return left == right
        case .function(.and, let argument):
            let outcomes = try (argument.listValue ?? []).map { try evaluate($0, results: &results, visiting: visiting) }
            if outcomes.contains(false) { return false }
            return outcomes.contains(nil) ? nil : true
        case .function(.or, let argument):
            let outcomes = try (argument.listValue ?? []).map { try evaluate($0, results: &results, visiting: visiting) }
            if outcomes.contains(true) { return true }
            return outcomes.contains(nil) ? nil : false
        case .function(.not, let argument):
            guard let item = argument.listValue?.first else { return false }
            return try evaluate(item, results: &results, visiting: visiting).map { !$0 }
        default:
            return false
        }
    }
}

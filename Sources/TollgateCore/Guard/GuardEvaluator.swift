import Foundation

/// Evaluates a parsed Guard rule file against a document, with cfn-guard 3's semantics.
///
/// Evaluation is pure and bounded: nesting of rules, variables and clauses is limited by
/// ``maximumDepth`` and the total work by ``maximumSteps``, so a hostile rule or template ends in
/// a ``GuardError/evaluation(fileName:rule:problem:)`` instead of running forever.
public struct GuardEvaluator: Sendable {
    /// How deeply rule references, variables and clauses may nest during evaluation.
    public static let maximumDepth = 96
    /// How many query and clause steps one evaluation may take.
    public var maximumSteps: Int
    /// The value `now()` returns: seconds since 1970, injected so that evaluation stays pure.
    public var now: Int64

    /// An evaluator whose `now()` is the given time.
    public init(now: Int64, maximumSteps: Int = 50_000_000) {
        self.now = now
        self.maximumSteps = maximumSteps
    }

    /// Evaluates every rule of the file, in written order.
    ///
    /// - Returns: one result per rule definition, with the failing clauses of failing rules.
    /// - Throws: ``GuardError/evaluation(fileName:rule:problem:)`` for an unknown variable or
    ///   rule, an operation on a value of the wrong type, or evaluation beyond the bounds.
    public func evaluate(_ file: GuardRuleFile, against document: GuardDocument) throws(GuardError) -> [GuardRuleResult] {
        let engine = GuardEngine(file: file, document: document, now: now, maximumSteps: maximumSteps)
        var results: [GuardRuleResult] = []
        for rule in file.rules {
            engine.failures.removeAll()
            engine.currentRule = rule.name
            do {
                let status = try engine.evaluateRule(rule, in: engine.rootContext)
                results.append(GuardRuleResult(name: rule.name, status: status, failures: status == .fail ? engine.failures : []))
            } catch let failure as GuardEvaluationFailure {
                throw .evaluation(fileName: file.fileName, rule: rule.name, problem: failure.problem)
            } catch let failure as GuardFunctionFailure {
                throw .evaluation(fileName: file.fileName, rule: rule.name, problem: failure.problem)
            } catch let error as GuardError {
                throw error
            } catch {
                throw .evaluation(fileName: file.fileName, rule: rule.name, problem: "\(error)")
            }
        }
        return results
    }
}

/// A problem found while evaluating, turned into ``GuardError`` with the rule's name.
struct GuardEvaluationFailure: Error {
    var problem: String
}

/// Variables visible at one level: a file, a rule, a block, or a parameterised rule's call.
final class GuardScope {
    let parent: GuardScope?
    let root: GuardNode
    private var literals: [String: GuardValue] = [:]
    private var queries: [String: GuardQuery] = [:]
    private var functions: [String: GuardFunctionCall] = [:]
    var resolved: [String: [GuardQueryResult]] = [:]

    init(parent: GuardScope?, root: GuardNode, assignments: [GuardAssignment]) {
        self.parent = parent
        self.root = root
        for assignment in assignments {
            switch assignment.value {
            case .literal(let value): literals[assignment.name] = value
            case .query(let query): queries[assignment.name] = query
            case .function(let call): functions[assignment.name] = call
            }
        }
    }

    enum Binding {
        case literal(GuardValue)
        case resolved([GuardQueryResult])
        case function(GuardFunctionCall)
        case query(GuardQuery)
    }

    func binding(_ name: String) -> Binding? {
        if let value = literals[name] { return .literal(value) }
        if let results = resolved[name] { return .resolved(results) }
        if let call = functions[name] { return .function(call) }
        if let query = queries[name] { return .query(query) }
        return nil
    }
}

/// Where a clause is evaluated: the variables in scope and the value that queries start from.
struct GuardContext {
    var scope: GuardScope
    var root: GuardNode
    /// The key spelling that a query switched to when a key was missing (`key` found as `Key`).
    var keyCase: GuardKeyCase?

    init(scope: GuardScope, root: GuardNode, keyCase: GuardKeyCase? = nil) {
        self.scope = scope
        self.root = root
        self.keyCase = keyCase
    }

    func with(root: GuardNode) -> GuardContext {
        GuardContext(scope: scope, root: root, keyCase: keyCase)
    }

    func with(keyCase: GuardKeyCase?) -> GuardContext {
        GuardContext(scope: scope, root: root, keyCase: keyCase)
    }
}

/// The spellings cfn-guard tries, in this order, when a query's key is missing from a struct:
/// `cfn_nag` also finds `cfn-nag`, and `key` finds `Key`. Once one spelling matched, the rest of
/// the query keeps to it.
enum GuardKeyCase: CaseIterable {
    case camel, `class`, kebab, pascal, snake, title, train

    func convert(_ key: String) -> String {
        let words = Self.words(key)
        func capitalized(_ word: String) -> String { word.prefix(1).uppercased() + word.dropFirst().lowercased() }
        switch self {
        case .camel:
            guard let first = words.first else { return key }
            return first.lowercased() + words.dropFirst().map(capitalized).joined()
        case .class, .pascal: return words.map(capitalized).joined()
        case .kebab: return words.map { $0.lowercased() }.joined(separator: "-")
        case .snake: return words.map { $0.lowercased() }.joined(separator: "_")
        case .title: return words.map(capitalized).joined(separator: " ")
        case .train: return words.map(capitalized).joined(separator: "-")
        }
    }

    /// Words split at anything but letters and digits, and at lower-to-upper case changes, so
    /// that `'!Ref'` finds `Ref` as it does in cfn-guard.
    private static func words(_ key: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousIsLower = false
        for character in key {
            if !(character.isLetter || character.isNumber) {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousIsLower = false
                continue
            }
            if character.isUppercase && previousIsLower && !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
            previousIsLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

/// The evaluation state of one rule file against one document. Not shared between threads.
final class GuardEngine {
    let file: GuardRuleFile
    let document: GuardDocument
    let now: Int64
    let maximumSteps: Int
    let regexes = GuardRegexCache()
    let comparer: GuardComparer
    let rootContext: GuardContext
    private var ruleStatuses: [String: GuardStatus] = [:]
    private var rulesInProgress: Set<String> = []
    private struct VariableKey: Hashable {
        var scope: ObjectIdentifier
        var name: String
    }
    private var variablesInProgress: Set<VariableKey> = []
    private var steps = 0
    private var depth = 0
    /// Failure records are not kept while evaluating filters and `when` conditions.
    private var quiet = 0
    var failures: [GuardClauseFailure] = []
    var currentRule = ""
    /// Other spellings of each key, worked out once per run.
    private var keySpellings: [String: [(GuardKeyCase, String)]] = [:]

    /// The spellings cfn-guard retries a missing key in, without the key itself.
    func spellings(of key: String) -> [(GuardKeyCase, String)] {
        if let known = keySpellings[key] { return known }
        let spellings = GuardKeyCase.allCases.map { ($0, $0.convert(key)) }.filter { $0.1 != key }
        keySpellings[key] = spellings
        return spellings
    }

    /// Whether failing clauses are being recorded (not inside filters or `when` conditions).
    var isRecording: Bool { quiet == 0 }

    init(file: GuardRuleFile, document: GuardDocument, now: Int64, maximumSteps: Int) {
        self.file = file
        self.document = document
        self.now = now
        self.maximumSteps = maximumSteps
        comparer = GuardComparer(regexes: regexes)
        let root = GuardNode(value: document.root)
        rootContext = GuardContext(scope: GuardScope(parent: nil, root: root, assignments: file.assignments), root: root)
    }

    // MARK: Bounds

    private func step() throws {
        steps += 1
        guard steps <= maximumSteps else {
            throw GuardEvaluationFailure(problem: "evaluation took more than \(maximumSteps) steps and was stopped")
        }
    }

    private func deeper<T>(_ body: () throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= GuardEvaluator.maximumDepth else {
            throw GuardEvaluationFailure(problem: "rules, variables or clauses nest deeper than \(GuardEvaluator.maximumDepth) levels")
        }
        return try body()
    }

    private func quietly<T>(_ body: () throws -> T) rethrows -> T {
        quiet += 1
        defer { quiet -= 1 }
        return try body()
    }

    // MARK: Rules

    func evaluateRule(_ rule: GuardRule, in context: GuardContext) throws -> GuardStatus {
        try deeper {
            if let conditions = rule.conditions {
                let status = try quietly { try evaluateConjunctions(conditions, in: context) }
                if status != .pass { return .skip }
            }
            return try evaluateBlock(rule.block, in: context)
        }
    }

    /// The status of a rule by name, evaluated once; with several rules of one name, the first
    /// that does not skip decides.
    func ruleStatus(_ name: String) throws -> GuardStatus {
        if let status = ruleStatuses[name] { return status }
        let rules = file.rules.filter { $0.name == name }
        guard !rules.isEmpty else {
            throw GuardEvaluationFailure(problem: "no rule is named \(name)")
        }
        guard rulesInProgress.insert(name).inserted else {
            throw GuardEvaluationFailure(problem: "rule \(name) depends on itself through the rules it refers to")
        }
        defer { rulesInProgress.remove(name) }
        var status = GuardStatus.skip
        let saved = failures.count
        for rule in rules {
            status = try quietly { try evaluateRule(rule, in: rootContext) }
            if status != .skip { break }
        }
        failures.removeSubrange(saved...)
        ruleStatuses[name] = status
        return status
    }

    private func evaluateBlock(_ block: GuardBlock, in context: GuardContext) throws -> GuardStatus {
        let scope = GuardScope(parent: context.scope, root: context.root, assignments: block.assignments)
        return try evaluateConjunctions(block.conjunctions, in: GuardContext(scope: scope, root: context.root))
    }

    /// "And" of "or"s: FAIL when a disjunction fails without any of its clauses passing, PASS
    /// when something passed, SKIP when nothing applied.
    func evaluateConjunctions(_ conjunctions: [[GuardClause]], in context: GuardContext) throws -> GuardStatus {
        var passes = 0
        var fails = 0
        for disjunction in conjunctions {
            let mark = failures.count
            var disjunctionFails = 0
            var passed = false
            for clause in disjunction {
                switch try evaluateClause(clause, in: context) {
                case .pass:
                    passed = true
                case .fail:
                    disjunctionFails += 1
                case .skip:
                    break
                }
                if passed { break }
            }
            if passed {
                passes += 1
                failures.removeSubrange(mark...)
            } else if disjunctionFails > 0 {
                fails += 1
            }
        }
        if fails > 0 { return .fail }
        return passes > 0 ? .pass : .skip
    }

    func evaluateClause(_ clause: GuardClause, in context: GuardContext) throws -> GuardStatus {
        try step()
        return try deeper {
            switch clause {
            case .access(let access):
                return try evaluateAccess(access, in: context)
            case .rule(let reference):
                return try evaluateReference(reference, status: try ruleStatus(reference.name))
            case .ruleCall(let call):
                return try evaluateCall(call, in: context)
            case .block(let query, let block, let notEmpty, let location):
                return try evaluateBlockClause(query: query, block: block, notEmpty: notEmpty, location: location, in: context)
            case .when(let conditions, let block):
                let status = try quietly { try evaluateConjunctions(conditions, in: context) }
                guard status == .pass else { return .skip }
                return try evaluateBlock(block, in: context)
            case .typeBlock(let typeBlock):
                return try evaluateTypeBlock(typeBlock, in: context)
            }
        }
    }

    private func evaluateReference(_ reference: GuardRuleReference, status: GuardStatus) throws -> GuardStatus {
        // A referenced rule that skipped counts as not passing, as in cfn-guard.
        let holds = status == .pass
        let result: GuardStatus = holds != reference.negation ? .pass : .fail
        if result == .fail && isRecording {
            record(
                path: "", message: "rule \(reference.name) is \(status.rawValue)\(reference.negation ? ", expected it not to pass" : "")",
                custom: reference.message, at: reference.location)
        }
        return result
    }

    private func evaluateCall(_ call: GuardRuleCall, in context: GuardContext) throws -> GuardStatus {
        guard let rule = file.parameterizedRules[call.reference.name] else {
            throw GuardEvaluationFailure(problem: "no parameterised rule is named \(call.reference.name)")
        }
        guard rule.parameters.count == call.arguments.count else {
            throw GuardEvaluationFailure(
                problem: "rule \(call.reference.name) takes \(rule.parameters.count) arguments, not \(call.arguments.count)")
        }
        let scope = GuardScope(parent: context.scope, root: context.root, assignments: [])
        for (name, argument) in zip(rule.parameters, call.arguments) {
            scope.resolved[name] = try resolve(argument, in: context)
        }
        let status = try evaluateRule(rule.rule, in: GuardContext(scope: scope, root: context.root))
        return try evaluateReference(call.reference, status: status)
    }

    private func evaluateBlockClause(
        query: GuardQuery, block: GuardBlock, notEmpty: Bool, location: SourceLocation, in context: GuardContext
    ) throws -> GuardStatus {
        let values = try self.query(query, in: context)
        if values.isEmpty {
            if notEmpty {
                if isRecording { record(path: "", message: "\(query.rendered) found nothing", custom: nil, at: location) }
                return .fail
            }
            return .skip
        }
        var passes = 0
        var fails = 0
        for value in values {
            switch value {
            case .unresolved(let missing):
                fails += 1
                if isRecording { record(unresolved: missing, query: query, custom: nil, at: location) }
            case .resolved(let node), .literal(let node):
                switch try evaluateBlock(block, in: context.with(root: node)) {
                case .pass: passes += 1
                case .fail: fails += 1
                case .skip: break
                }
            }
        }
        if query.matchAll {
            if fails > 0 { return .fail }
            return passes > 0 ? .pass : .skip
        }
        if passes > 0 { return .pass }
        return fails > 0 ? .fail : .skip
    }

    private func evaluateTypeBlock(_ typeBlock: GuardTypeBlock, in context: GuardContext) throws -> GuardStatus {
        if let conditions = typeBlock.conditions {
            let status = try quietly { try evaluateConjunctions(conditions, in: context) }
            guard status == .pass else { return .skip }
        }
        let typeCheck = GuardAccessClause(
            query: GuardQuery(parts: [.key("Type")], matchAll: true),
            comparison: GuardComparison(comparator: .equal, negated: false),
            operand: .literal(.string(typeBlock.typeName)), message: nil, location: typeBlock.location, negation: false)
        let query = GuardQuery(
            parts: [.key("Resources"), .allValues(capture: nil), .filter(capture: nil, conjunctions: [[.access(typeCheck)]])],
            matchAll: true)
        var passes = 0
        var fails = 0
        for value in try self.query(query, in: context) {
            // A template without resources has no resource of this type: nothing applies.
            guard case .resolved(let node) = value else { continue }
            switch try evaluateBlock(typeBlock.block, in: context.with(root: node)) {
            case .pass: passes += 1
            case .fail: fails += 1
            case .skip: break
            }
        }
        if fails > 0 { return .fail }
        return passes > 0 ? .pass : .skip
    }

    // MARK: Access clauses

    private func evaluateAccess(_ clause: GuardAccessClause, in context: GuardContext) throws -> GuardStatus {
        let statuses: [(GuardQueryResult, GuardStatus)]
        if clause.comparison.comparator.isUnary {
            guard let values = try unary(clause, in: context) else { return .skip }
            switch values {
            case .left(let status):
                if status == .fail && isRecording {
                    record(
                        path: "", message: "\(clause.query.rendered) \(clause.comparison.rendered) does not hold: the query found nothing",
                        custom: clause.message, at: clause.location)
                }
                return status
            case .right(let list):
                statuses = list
            }
        } else {
            let lhs = try query(clause.query, in: context)
            guard let operand = clause.operand else { return .skip }
            let rhs = try resolve(operand, in: context)
            guard let outcomes = try comparer.compare(clause.comparison, lhs: lhs, rhs: rhs) else { return .skip }
            statuses = outcomes.flatMap { Self.statuses(of: $0) }
        }
        let passed: Bool
        if clause.query.matchAll {
            passed = !statuses.contains { $0.1 == .fail }
        } else {
            passed = statuses.contains { $0.1 == .pass }
        }
        if !passed && isRecording {
            for (value, status) in statuses where status == .fail {
                switch value {
                case .unresolved(let missing):
                    record(unresolved: missing, query: clause.query, custom: clause.message, at: clause.location)
                case .resolved(let node), .literal(let node):
                    var message = "\(clause.query.rendered) \(clause.comparison.rendered)"
                    if let operand = clause.operand { message += " \(Self.render(operand))" }
                    message += " does not hold for \(node.value.rendered)"
                    record(path: node.path, message: message, custom: clause.message, at: clause.location)
                }
            }
        }
        return passed ? .pass : .fail
    }

    private static func statuses(of outcome: GuardComparisonOutcome) -> [(GuardQueryResult, GuardStatus)] {
        switch outcome {
        case .lhsUnresolved(let missing):
            return [(.unresolved(missing), .fail)]
        case .rhsUnresolved(_, let lhs), .notComparable(let lhs, _, _):
            return [(.resolved(lhs), .fail)]
        case .success(let compared):
            switch compared {
            case .value(let lhs, _), .valueIn(let lhs, _), .listIn(_, let lhs, _): return [(.resolved(lhs), .pass)]
            case .queryIn(_, let lhs, _): return lhs.map { (.resolved($0), .pass) }
            }
        case .failure(let compared):
            switch compared {
            case .value(let lhs, _), .valueIn(let lhs, _), .listIn(_, let lhs, _): return [(.resolved(lhs), .fail)]
            case .queryIn(let diff, _, _): return diff.map { (.resolved($0), .fail) }
            }
        }
    }

    private enum Either<Left, Right> {
        case left(Left)
        case right(Right)
    }

    /// Unary checks; nil when the query found nothing (SKIP), `.left` for a status decided on
    /// the query as a whole, `.right` for one status per value.
    private func unary(_ clause: GuardAccessClause, in context: GuardContext) throws -> Either<GuardStatus, [(GuardQueryResult, GuardStatus)]>? {
        let values = try query(clause.query, in: context)
        let comparison = clause.comparison
        let inverse = clause.negation
        let parts = clause.query.parts
        var emptyOnExpression = false
        switch parts.last {
        case .some(.filter), .some(.mapKeyFilter): emptyOnExpression = true
        case .some(.variable): emptyOnExpression = parts.count == 1
        default: break
        }
        if emptyOnExpression && comparison.comparator == .empty {
            guard !values.isEmpty else {
                let holds = !comparison.negated != inverse
                return .left(holds ? .pass : .fail)
            }
            return .right(values.map { value in
                var holds: Bool
                switch value {
                case .resolved(let node), .literal(let node):
                    let isNull: Bool
                    if case .null = node.value { isNull = true } else { isNull = false }
                    holds = comparison.negated ? !isNull : isNull
                case .unresolved:
                    holds = !comparison.negated
                }
                if inverse { holds.toggle() }
                return (value, holds ? .pass : .fail)
            })
        }
        guard !values.isEmpty else { return nil }
        return .right(try values.map { value in
            var holds = try Self.check(comparison.comparator, value)
            if comparison.negated { holds.toggle() }
            if inverse { holds.toggle() }
            return (value, holds ? .pass : .fail)
        })
    }

    private static func check(_ comparator: GuardComparator, _ result: GuardQueryResult) throws -> Bool {
        guard let value = result.resolvedValue else { return comparator == .empty }
        switch comparator {
        case .exists: return true
        case .empty:
            switch value {
            case .list(let items): return items.isEmpty
            case .map(let map): return map.isEmpty
            case .string(let text): return text.isEmpty
            case .bool: return false
            default:
                throw GuardEvaluationFailure(problem: "'empty' does not apply to \(value.typeName) at \(result.node.path)")
            }
        case .isString: if case .string = value { return true }
        case .isList: if case .list = value { return true }
        case .isStruct: if case .map = value { return true }
        case .isBool: if case .bool = value { return true }
        case .isInt: if case .int = value { return true }
        case .isFloat: if case .float = value { return true }
        case .isNull: if case .null = value { return true }
        default: break
        }
        return false
    }

    private static func render(_ operand: GuardOperand) -> String {
        switch operand {
        case .literal(let value): return value.rendered
        case .query(let query): return query.rendered
        case .function(let call): return "\(call.function.rawValue)(...)"
        }
    }

    // MARK: Failure records

    private func record(path: String, message: String, custom: String?, at location: SourceLocation) {
        guard quiet == 0 else { return }
        var resource: String?
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        if components.count >= 2, components[0] == "Resources" { resource = String(components[1]) }
        failures.append(
            GuardClauseFailure(
                rule: currentRule, resource: resource, path: path, line: document.lines[path], message: message,
                customMessage: custom?.trimmingCharacters(in: .whitespacesAndNewlines), clause: location))
    }

    private func record(unresolved: GuardUnresolved, query: GuardQuery, custom: String?, at location: SourceLocation) {
        let message = "\(query.rendered) did not resolve at '\(unresolved.remaining)': \(unresolved.reason)"
        record(path: unresolved.traversedTo.path, message: message, custom: custom, at: location)
    }

    // MARK: Operands and variables

    func resolve(_ operand: GuardOperand, in context: GuardContext) throws -> [GuardQueryResult] {
        switch operand {
        case .literal(let value):
            return [.literal(GuardNode(value: value))]
        case .query(let query):
            return try self.query(query, in: context)
        case .function(let call):
            var arguments: [[GuardQueryResult]] = []
            for argument in call.arguments { arguments.append(try resolve(argument, in: context)) }
            return try call.function.call(arguments, now: now, regexes: regexes).map { .resolved($0) }
        }
    }

    func variable(_ name: String, from scope: GuardScope) throws -> [GuardQueryResult] {
        try deeper {
            var current: GuardScope? = scope
            while let each = current {
                let key = VariableKey(scope: ObjectIdentifier(each), name: name)
                guard !variablesInProgress.contains(key) else {
                    throw GuardEvaluationFailure(problem: "the variable %\(name) is defined in terms of itself")
                }
                variablesInProgress.insert(key)
                defer { variablesInProgress.remove(key) }
                switch each.binding(name) {
                case .some(.literal(let value)):
                    return [.literal(GuardNode(value: value))]
                case .some(.resolved(let results)):
                    return results
                case .some(.function(let call)):
                    let results = try resolve(.function(call), in: GuardContext(scope: each, root: each.root))
                    each.resolved[name] = results
                    return results
                case .some(.query(let query)):
                    var results = try self.query(query, in: GuardContext(scope: each, root: each.root))
                    if !query.matchAll {
                        results = results.filter { if case .resolved = $0 { return true } else { return false } }
                    }
                    each.resolved[name] = results
                    return results
                case .none:
                    current = each.parent
                }
            }
            throw GuardEvaluationFailure(problem: "the variable %\(name) is not defined")
        }
    }

    /// Evaluates filter clauses without keeping failure records.
    func quietlyEvaluate(_ conjunctions: [[GuardClause]], in context: GuardContext) throws -> GuardStatus {
        try quietly { try evaluateConjunctions(conjunctions, in: context) }
    }

    /// Adds a key captured by `[name | ...]` or `.*name` to the variable, at file level as cfn-guard does.
    func captureKey(_ name: String, key: String, from scope: GuardScope) {
        var top = scope
        while let parent = top.parent { top = parent }
        top.resolved[name, default: []].append(.resolved(GuardNode(value: .string(key))))
    }
}

internal import Yams

/// One case of a Guard test file: an input document and the status expected of each rule.
public struct GuardTestCase: Sendable {
    /// The case's `name`, or "Test #n" when it has none.
    public var name: String
    /// The `input` document.
    public var input: GuardDocument
    /// Rule name and expected status, in written order.
    public var expectations: [(rule: String, status: GuardStatus)]
    /// Where the case starts in the test file.
    public var location: SourceLocation
}

/// Reads test files in cfn-guard's format: a YAML (or JSON) list of
/// `{name, input, expectations: {rules: {RULE: PASS|FAIL|SKIP}}}`.
public enum GuardTestFileReader {
    /// Reads a test file's text.
    ///
    /// - Throws: ``GuardError/data(location:problem:)`` naming the line and column of invalid
    ///   YAML, a case without `input` or `expectations`, or a status other than PASS, FAIL, SKIP.
    public static func read(_ text: String, fileName: String) throws(GuardError) -> [GuardTestCase] {
        guard let root = try GuardDocumentReader.compose(text, fileName: fileName) else { return [] }
        var converter = GuardNodeConverter(fileName: fileName)
        func location(_ node: Node) -> SourceLocation { converter.location(node) }
        guard case .sequence(let entries) = root else {
            throw .data(location: location(root), problem: "a Guard test file is a list of cases with name, input and expectations")
        }
        var cases: [GuardTestCase] = []
        for (index, entry) in entries.enumerated() {
            guard case .mapping(let mapping) = entry else {
                throw .data(location: location(entry), problem: "test case #\(index + 1) is not a mapping")
            }
            var name = "Test #\(index + 1)"
            var input: GuardValue?
            var expectations: [(String, GuardStatus)]?
            for (keyNode, valueNode) in mapping {
                switch keyNode.string {
                case "name":
                    name = valueNode.string ?? name
                case "input":
                    converter.recordsLines = false
                    input = try converter.value(valueNode, path: "", depth: 0)
                case "expectations":
                    guard case .mapping(let expectationMap) = valueNode,
                        let rulesNode = expectationMap["rules"], case .mapping(let rules) = rulesNode
                    else {
                        throw .data(location: location(valueNode), problem: "expectations of '\(name)' need a 'rules' mapping")
                    }
                    var list: [(String, GuardStatus)] = []
                    for (ruleNode, statusNode) in rules {
                        let text = statusNode.string ?? ""
                        guard let rule = ruleNode.string, let status = GuardStatus(rawValue: text) else {
                            throw .data(
                                location: location(statusNode),
                                problem: "'\(text)' is not PASS, FAIL or SKIP for rule \(ruleNode.string ?? "?") in '\(name)'")
                        }
                        list.append((rule, status))
                    }
                    expectations = list
                default:
                    continue
                }
            }
            guard let expectations else {
                throw .data(location: location(entry), problem: "test case '\(name)' has no expectations")
            }
            cases.append(
                GuardTestCase(
                    name: name, input: GuardDocument(root: input ?? .map(GuardMap())), expectations: expectations,
                    location: location(entry)))
        }
        return cases
    }
}

/// Whether one expectation of a test case held.
public struct GuardExpectationResult: Sendable, Equatable {
    /// The test case's name.
    public var testName: String
    /// The rule named by the expectation.
    public var rule: String
    /// The status the test file expects.
    public var expected: GuardStatus
    /// The statuses evaluated (one per rule of that name); empty when the rule does not exist
    /// or could not be evaluated.
    public var actual: [GuardStatus]
    /// Why there is no status: the evaluation error.
    public var problem: String?
    /// False when the rule file has no rule of that name: `cfn-guard test` does not check such
    /// an expectation, and neither does Tollgate (it reports it instead).
    public var isChecked: Bool

    /// Whether the expectation holds: SKIP needs every rule of that name to skip, PASS and FAIL
    /// need one of them to match, as `cfn-guard test` decides; an unchecked one holds.
    public var holds: Bool {
        guard isChecked else { return true }
        guard !actual.isEmpty else { return false }
        return expected == .skip ? actual.allSatisfy { $0 == .skip } : actual.contains(expected)
    }
}

/// Runs test cases against a rule file, as `cfn-guard test` does.
public enum GuardTestRunner {
    /// Evaluates each case and checks each expectation.
    public static func run(_ rules: GuardRuleFile, cases: [GuardTestCase], evaluator: GuardEvaluator) -> [GuardExpectationResult] {
        var results: [GuardExpectationResult] = []
        for testCase in cases {
            let evaluated: [GuardRuleResult]
            var problem: String?
            do {
                evaluated = try evaluator.evaluate(rules, against: testCase.input)
            } catch {
                evaluated = []
                problem = error.description
            }
            for (rule, expected) in testCase.expectations {
                let statuses = evaluated.filter { $0.name == rule }.map(\.status)
                let isChecked = problem != nil || rules.rules.contains { $0.name == rule }
                results.append(
                    GuardExpectationResult(
                        testName: testCase.name, rule: rule, expected: expected, actual: statuses, problem: problem,
                        isChecked: isChecked))
            }
        }
        return results
    }
}

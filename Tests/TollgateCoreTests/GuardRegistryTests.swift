import Foundation
import Testing
import TollgateCore

/// AWS's Guard rules registry, run unchanged: every rule file with the unit tests that sit
/// beside it (`tests/<rule>_tests.yml`), every expectation compared.
@Suite("Guard rules registry")
struct GuardRegistryTests {
    /// `../shared/conformance/aws-guard-rules-registry/rules` from the package root.
    static let registry = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/conformance/aws-guard-rules-registry/rules").standardizedFileURL

    /// The expectations that held on the last full run; fewer means a regression.
    static let expectationsFloor = 1986
    /// Expectations that name a rule their rule file does not define (30, all in
    /// `cfn_no_explicit_resource_names_tests.yml`); cfn-guard does not check them, nor do we.
    static let uncheckedExpectations = 30

    /// Rule files and the test file beside each, by path.
    static func pairs() throws -> [(rules: URL, tests: URL)] {
        let enumerator = FileManager.default.enumerator(at: registry, includingPropertiesForKeys: nil)
        var pairs: [(URL, URL)] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "guard" else { continue }
            let name = url.deletingPathExtension().lastPathComponent
            let tests = url.deletingLastPathComponent().appendingPathComponent("tests/\(name)_tests.yml")
            if FileManager.default.fileExists(atPath: tests.path) { pairs.append((url, tests)) }
        }
        return pairs.sorted { $0.0.path < $1.0.path }
    }

    @Test("every rule file of the registry parses")
    func everyRuleParses() throws {
        let enumerator = FileManager.default.enumerator(at: Self.registry, includingPropertiesForKeys: nil)
        var count = 0
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "guard" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(throws: Never.self, "\(url.path)") { try GuardRuleParser.parse(text, fileName: url.lastPathComponent) }
            count += 1
        }
        #expect(count == 209)
    }

    @Test("the registry's unit tests hold")
    func registryExpectationsHold() throws {
        let pairs = try Self.pairs()
        #expect(pairs.count == 190)
        let evaluator = GuardEvaluator(now: 1_700_000_000)
        var total = 0
        var unchecked = 0
        var failing: [String] = []
        for (rulesURL, testsURL) in pairs {
            let rules = try GuardRuleParser.parse(try String(contentsOf: rulesURL, encoding: .utf8), fileName: rulesURL.lastPathComponent)
            let cases = try GuardTestFileReader.read(try String(contentsOf: testsURL, encoding: .utf8), fileName: testsURL.lastPathComponent)
            for result in GuardTestRunner.run(rules, cases: cases, evaluator: evaluator) {
                total += 1
                if !result.isChecked { unchecked += 1 }
                if !result.holds {
                    let actual = result.problem ?? result.actual.map(\.rawValue).joined(separator: ",")
                    failing.append("\(rulesURL.lastPathComponent): \(result.testName): \(result.rule) expected \(result.expected.rawValue), got \(actual)")
                }
            }
        }
        let holding = total - failing.count
        print("Guard registry: \(holding) of \(total) expectations hold (\(unchecked) name rules their file lacks)")
        for line in failing { print("  not holding: \(line)") }
        #expect(total == 1986)
        #expect(unchecked == Self.uncheckedExpectations)
        #expect(holding >= Self.expectationsFloor, "\(failing.count) expectations do not hold:\n\(failing.joined(separator: "\n"))")
    }
}

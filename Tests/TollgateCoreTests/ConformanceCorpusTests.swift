import Foundation
import Testing
import TollgateCore

/// Every published template of `../shared/conformance/templates/` (AWS's examples and
/// cfn-lint's fixtures) against cfn-lint's verdict on it: a template cfn-lint accepts is read
/// and compares unchanged with itself; one it rejects is read too, or refused with one error
/// that names the file and the line.
@Suite("Conformance corpus")
struct ConformanceCorpusTests {
    struct Verdict: Decodable {
        var cfnLintErrors: [String]
        var fatal: Bool

        enum CodingKeys: String, CodingKey {
            case cfnLintErrors = "cfn_lint_errors"
            case fatal
        }

        var accepted: Bool { cfnLintErrors.isEmpty && !fatal }
    }

    /// What happened to one template.
    enum Outcome {
        case unchanged
        case changed(String)
        case refused(String)
    }

    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/conformance/templates").standardizedFileURL

    /// Reads the template and plans it against itself, the way `tollgate diff T T` does with
    /// no configuration: parameters without a value are unknown.
    static func outcome(of path: String) -> Outcome {
        let url = corpus.appendingPathComponent(path)
        do {
            let data = try Data(contentsOf: url)
            let template = try TemplateParser.parse(Array(data), fileName: path)
            let configuration = TemplateConfiguration(fileName: "(no configuration)")
            let snapshot = try StackSnapshot(template: template, configuration: configuration, missingParameters: .unknown)
            let changeSet = try ChangePlanner().plan(stackName: "corpus", commit: "", base: snapshot, target: snapshot)
            if changeSet.isEmpty { return .unchanged }
            let first = changeSet.resourceChanges.first.map { "\($0.logicalResourceId) \($0.action.rawValue)" }
                ?? changeSet.templateChanges.first.map { "\($0.section).\($0.name) \($0.action.rawValue)" } ?? ""
            return .changed(first)
        } catch {
            return .refused("\(error)")
        }
    }

    /// `file:line:` or `file:line:column:` at the start of the message.
    static func namesFileAndLine(_ message: String, path: String) -> Bool {
        guard message.hasPrefix(path + ":") else { return false }
        let rest = message.dropFirst(path.count + 1)
        return rest.first?.isNumber == true
    }

    @Test("Templates cfn-lint accepts are read and unchanged against themselves; rejected ones fail with a located error")
    func corpusAgainstCfnLint() throws {
        let verdictData = try Data(contentsOf: Self.corpus.appendingPathComponent("cfn-lint-verdicts.json"))
        let verdicts = try JSONDecoder().decode([String: Verdict].self, from: verdictData)
        try #require(verdicts.count > 700, "the corpus at \(Self.corpus.path) is missing")

        var accepted = 0, acceptedRead = 0, rejected = 0, rejectedRead = 0, rejectedRefused = 0
        var failures: [String] = []
        for path in verdicts.keys.sorted() {
            guard let verdict = verdicts[path] else { continue }
            let outcome = Self.outcome(of: path)
            if verdict.accepted {
                accepted += 1
                switch outcome {
                case .unchanged: acceptedRead += 1
                case .changed(let change): failures.append("\(path): diff T T shows a change (\(change))")
                case .refused(let message): failures.append("accepted by cfn-lint but refused: \(message)")
                }
            } else {
                rejected += 1
                switch outcome {
                case .unchanged: rejectedRead += 1
                case .changed(let change): failures.append("\(path): diff T T shows a change (\(change))")
                case .refused(let message):
                    if Self.namesFileAndLine(message, path: path) {
                        rejectedRefused += 1
                    } else {
                        failures.append("refused without naming file and line: \(message)")
                    }
                }
            }
        }
        print("Conformance corpus: \(acceptedRead) of \(accepted) templates cfn-lint accepts are read with no change against "
              + "themselves; of \(rejected) it rejects, \(rejectedRead) are read and \(rejectedRefused) refused with a located error.")
        for failure in failures { print("  \(failure)") }
        #expect(failures.isEmpty, "\(failures.count) templates did not behave")
        #expect(acceptedRead == accepted)
    }
}

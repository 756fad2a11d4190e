import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine

/// `tollgate guard`: AWS CloudFormation Guard rules, evaluated by Tollgate itself.
struct Guard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Work with AWS CloudFormation Guard rules.",
        discussion: """
            Tollgate reads Guard 2.x/3.x rule files and evaluates them itself, without cfn-guard \
            or Python. See docs/guards.md for what is supported.
            """,
        subcommands: [GuardTest.self, GuardReportCommand.self]
    )
}

/// `tollgate guard test RULES TESTS`: a rule file against a test file, as `cfn-guard test` does.
struct GuardTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Check a Guard rule file against its unit tests.",
        discussion: """
            TESTS is a YAML or JSON list of cases: {name, input, expectations: {rules: {RULE: \
            PASS|FAIL|SKIP}}}, the format of cfn-guard's unit tests. Exits 0 when every \
            expectation holds and 7 (as cfn-guard does) when one does not, naming the test and \
            the rule; a file that cannot be read or parsed is an error naming its line and column.
            """
    )

    @Argument(help: "The Guard rule file (.guard).")
    var rules: String?

    @Argument(help: "The test file (YAML or JSON).")
    var tests: String?

    @Option(name: .customLong("rules-file"), help: "The Guard rule file, instead of the first argument.")
    var rulesFile: String?

    @Option(name: .customLong("test-data"), help: "The test file, instead of the second argument.")
    var testData: String?

    @Flag(name: .long, help: "List every expectation, not only the ones that do not hold.")
    var verbose = false

    func validate() throws {
        guard (rules ?? rulesFile) != nil, (tests ?? testData) != nil else {
            throw ValidationError("Give the rule file and the test file: tollgate guard test RULES TESTS.")
        }
        if rules != nil && rulesFile != nil {
            throw ValidationError("Give the rule file once: as the first argument or with --rules-file.")
        }
    }

    func run() async throws {
        let rulesPath = rules ?? rulesFile ?? ""
        let testsPath: String
        if rules == nil, let first = tests ?? testData {
            testsPath = testData ?? first
        } else {
            testsPath = tests ?? testData ?? ""
        }
        let ruleFile = try GuardRuleParser.parse(try Diff.read(rulesPath, limit: YAMLLimits.maximumBytes), fileName: rulesPath)
        let cases = try GuardTestFileReader.read(try Diff.read(testsPath, limit: YAMLLimits.maximumBytes), fileName: testsPath)
        let evaluator = GuardEvaluator(now: Int64(Date().timeIntervalSince1970))
        let results = GuardTestRunner.run(ruleFile, cases: cases, evaluator: evaluator)
        var output = StandardOutput()
        let failing = results.filter { !$0.holds }
        let unchecked = results.filter { !$0.isChecked }
        for result in results where verbose || !result.holds || !result.isChecked {
            output.write(TerminalText.escape(Self.line(for: result, rulesPath: rulesPath)) + "\n")
        }
        var summary = "\(results.count - failing.count) of \(results.count) expectations hold in \(cases.count) tests of \(testsPath)"
        if !unchecked.isEmpty { summary += " (\(unchecked.count) name rules that \(rulesPath) does not have, not checked)" }
        output.write(TerminalText.escape(summary) + ".\n")
        output.flush()
        if !failing.isEmpty { throw ExitCode(7) }
    }

    static func line(for result: GuardExpectationResult, rulesPath: String) -> String {
        guard result.isChecked else {
            return "NOTE  \(result.testName): \(result.rule) expected \(result.expected.rawValue), not checked: "
                + "\(rulesPath) has no rule \(result.rule) (cfn-guard does not check it either)"
        }
        let mark = result.holds ? "PASS" : "FAIL"
        var text = "\(mark)  \(result.testName): \(result.rule) expected \(result.expected.rawValue)"
        if let problem = result.problem {
            text += ", \(problem)"
        } else if !result.holds {
            text += ", evaluated \(result.actual.map(\.rawValue).joined(separator: ", "))"
        }
        return text
    }
}

/// `tollgate guard report`: per rule of the policy in force, the stacks it would block today.
struct GuardReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "List, per guard rule, the stacks it would block today.",
        discussion: """
            Runs the rules of Policies/guards/ as last applied over every stack at the tip of the \
            branch and lists, for each rule that applies somewhere, the stacks where it fails with \
            an unwaived error: what an observed rule would block once enforced, and what an \
            enforced one blocks now. Warnings and waived failures are counted apart.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let check = try await store.withStore(repository: repository.repo, readOnly: true) { store in
            let managed = try await ManagedRepository.open(
                path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
            return try await GuardCheck.run(store: store, repository: managed, at: Date())
        }
        let rows = GuardRuleImpact.rows(check)
        if output.json {
            print(try CommandOutput.json(GuardReportJSON(check)))
            return
        }
        let escape = TerminalText.escape
        var text = "Guard rules of Policies/ at commit \(check.policyCommit.prefix(7)) over the \(check.reports.count) stacks of commit \(check.commit.prefix(7)):\n"
        for row in rows {
            let verb = row.mode == .observe ? "would block" : "blocks"
            text += "\(escape(row.rule)) (\(escape(row.file)), \(row.severity.rawValue), \(row.mode.rawValue)): \(verb) "
                + (row.wouldBlock.isEmpty ? "no stack" : row.wouldBlock.map(escape).joined(separator: ", "))
            var notes: [String] = []
            if !row.warned.isEmpty { notes.append("warns on \(row.warned.map(escape).joined(separator: ", "))") }
            if !row.waived.isEmpty { notes.append("waived on \(row.waived.map(escape).joined(separator: ", "))") }
            text += (notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")) + "\n"
        }
        if rows.isEmpty { text += "No guard rule applies to any stack.\n" }
        print(TerminalText.sanitize(text), terminator: "")
    }
}

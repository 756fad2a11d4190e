import Foundation
import TollgateCore
import TollgateEngine

/// How `tollgate check` writes its reports: text for people, JSON, SARIF 2.1.0 for code-scanning
/// tools and JUnit XML for CI dashboards.
enum GuardCheckOutput {
    /// The text for a person; every value from the repository is escaped.
    static func text(_ check: GuardCheck) -> String {
        let escape = TerminalText.escape
        var lines = ["Guard rules of Policies/ at commit \(check.policyCommit.prefix(7)) over the templates of commit \(check.commit.prefix(7)):"]
        for report in check.reports {
            let failing = report.outcomes.filter { $0.status == .fail }.count
            lines.append("\(escape(report.stack)) (\(escape(report.template))): \(report.outcomes.count) rules apply, \(failing) fail"
                + (report.blocks ? ", blocks" : ""))
            for finding in report.findings {
                lines.append("  \(escape(finding.summary)) [\(escape(finding.standing))]")
            }
        }
        let blocked = check.reports.filter(\.blocks).map(\.stack)
        lines.append(blocked.isEmpty ? "Nothing blocks." : "Blocked: \(blocked.map(escape).joined(separator: ", ")).")
        return lines.joined(separator: "\n") + "\n"
    }

    /// SARIF 2.1.0: one run, the rules that apply as the driver's rules, one result per failure;
    /// waived failures carry an accepted external suppression with the waiver's reason.
    static func sarif(_ check: GuardCheck) throws -> String {
        var rules: [String: SARIF.Rule] = [:]
        for report in check.reports {
            for outcome in report.outcomes where rules[outcome.rule] == nil {
                rules[outcome.rule] = SARIF.Rule(
                    id: outcome.rule, shortDescription: .init(text: "Guard rule \(outcome.rule) of \(outcome.file)"),
                    defaultConfiguration: .init(level: level(outcome.severity, outcome.mode)))
            }
            for finding in report.findings where rules[finding.rule] == nil {
                rules[finding.rule] = SARIF.Rule(
                    id: finding.rule, shortDescription: .init(text: "\(finding.rule) of \(finding.file)"),
                    defaultConfiguration: .init(level: level(finding.severity, finding.mode)))
            }
        }
        let results = check.reports.flatMap { report in
            report.findings.map { finding in
                SARIF.Result(
                    ruleId: finding.rule,
                    level: level(finding.severity, finding.mode),
                    message: .init(text: "\(finding.summary) [\(finding.standing)]"),
                    locations: [SARIF.Location(
                        physicalLocation: .init(
                            artifactLocation: .init(uri: report.template),
                            region: finding.line.map { .init(startLine: max($0, 1)) }),
                        logicalLocations: finding.resource.map { [.init(name: $0, fullyQualifiedName: "\(report.stack)/\($0)", kind: "resource")] })],
                    properties: .init(stack: report.stack, path: finding.path, mode: finding.mode.rawValue, blocks: finding.blocks),
                    suppressions: finding.waiver.map { [.init(kind: "external", status: "accepted", justification: "\($0.reason) (requested by \($0.requestedBy), until \($0.expires.formatted(.iso8601)))")] })
            }
        }
        let log = SARIF.Log(
            schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0",
            runs: [SARIF.Run(
                tool: .init(driver: .init(
                    name: "tollgate", informationUri: "https://github.com/aws-cloudformation/cloudformation-guard",
                    rules: rules.keys.sorted().compactMap { rules[$0] })),
                results: results)])
        return try CommandOutput.json(log)
    }

    /// SARIF's level for a failure: `error` when it blocks, `note` when only observed.
    private static func level(_ severity: GuardSeverity, _ mode: GuardMode) -> String {
        switch (severity, mode) {
        case (.warning, _): "warning"
        case (.error, .observe): "note"
        case (.error, .enforce): "error"
        }
    }

    /// JUnit XML: one test suite per stack, one test case per rule; a rule fails the case when it
    /// blocks, skips it when it skipped, and passes with its non-blocking failures as output.
    static func junit(_ check: GuardCheck) -> String {
        var suites: [String] = []
        var totalTests = 0
        var totalFailures = 0
        for report in check.reports {
            var names = report.outcomes.map { ($0.rule, $0.file, $0.status) }
            for finding in report.findings where !names.contains(where: { $0.0 == finding.rule }) {
                names.append((finding.rule, finding.file, .fail))
            }
            var cases: [String] = []
            var failures = 0
            var skipped = 0
            for (rule, file, status) in names {
                let findings = report.findings.filter { $0.rule == rule }
                let blocking = findings.filter(\.blocks)
                var body = ""
                if !blocking.isEmpty {
                    failures += 1
                    let message = blocking.map(\.summary).joined(separator: "\n")
                    body += "<failure type=\"guard\" message=\"\(xml(blocking[0].summary))\">\(xml(message))</failure>"
                } else if status == .skip {
                    skipped += 1
                    body += "<skipped/>"
                }
                let other = findings.filter { !$0.blocks }
                if !other.isEmpty {
                    body += "<system-out>\(xml(other.map { "\($0.summary) [\($0.standing)]" }.joined(separator: "\n")))</system-out>"
                }
                cases.append("    <testcase classname=\"\(xml(report.stack))\" name=\"\(xml(rule))\" file=\"\(xml(file))\">\(body)</testcase>")
            }
            totalTests += names.count
            totalFailures += failures
            suites.append("  <testsuite name=\"\(xml(report.stack))\" tests=\"\(names.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\">\n"
                + cases.joined(separator: "\n") + (cases.isEmpty ? "" : "\n") + "  </testsuite>")
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"tollgate check\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\" errors=\"0\">\n"
            + suites.map { $0 + "\n" }.joined() + "</testsuites>\n"
    }

    /// Text escaped for XML; characters XML 1.0 cannot hold at all become U+FFFD.
    static func xml(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                let allowed = (0x20...0xD7FF).contains(value) || (0xE000...0xFFFD).contains(value) || value >= 0x10000
                if allowed { result.unicodeScalars.append(scalar) } else { result += "\u{FFFD}" }
            }
        }
        return result
    }
}

/// The parts of SARIF 2.1.0 that `tollgate check` writes.
enum SARIF {
    struct Log: Encodable {
        var schema: String
        var version: String
        var runs: [Run]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case version, runs
        }
    }

    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
    }

    struct Tool: Encodable {
        var driver: Driver
    }

    struct Driver: Encodable {
        var name: String
        var informationUri: String
        var rules: [Rule]
    }

    struct Message: Encodable {
        var text: String
    }

    struct Rule: Encodable {
        var id: String
        var shortDescription: Message
        var defaultConfiguration: Configuration
    }

    struct Configuration: Encodable {
        var level: String
    }

    struct Result: Encodable {
        var ruleId: String
        var level: String
        var message: Message
        var locations: [Location]
        var properties: Properties
        var suppressions: [Suppression]?
    }

    struct Properties: Encodable {
        var stack: String
        var path: String
        var mode: String
        var blocks: Bool
    }

    struct Location: Encodable {
        var physicalLocation: PhysicalLocation
        var logicalLocations: [LogicalLocation]?
    }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region?
    }

    struct ArtifactLocation: Encodable {
        var uri: String
    }

    struct Region: Encodable {
        var startLine: Int
    }

    struct LogicalLocation: Encodable {
        var name: String
        var fullyQualifiedName: String
        var kind: String
    }

    struct Suppression: Encodable {
        var kind: String
        var status: String
        var justification: String
    }
}

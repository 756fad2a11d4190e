import TollgateCore

/// The JUnit XML of `tollgate check --format junit`, for CI dashboards; its element and attribute
/// names are JUnit's (as Ant and Surefire write them), not Wire/'s JSON rule.
public enum GuardCheckJUnit {
    /// JUnit XML: one test suite per stack, one test case per rule; a rule fails the case when it
    /// blocks, skips it when it skipped, and passes with its non-blocking failures as output.
    public static func xml(_ check: GuardCheck) -> String {
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
                    body += "<failure type=\"guard\" message=\"\(escape(blocking[0].summary))\">\(escape(message))</failure>"
                } else if status == .skip {
                    skipped += 1
                    body += "<skipped/>"
                }
                let other = findings.filter { !$0.blocks }
                if !other.isEmpty {
                    body += "<system-out>\(escape(other.map { "\($0.summary) [\($0.standing)]" }.joined(separator: "\n")))</system-out>"
                }
                cases.append("    <testcase classname=\"\(escape(report.stack))\" name=\"\(escape(rule))\" file=\"\(escape(file))\">\(body)</testcase>")
            }
            totalTests += names.count
            totalFailures += failures
            suites.append("  <testsuite name=\"\(escape(report.stack))\" tests=\"\(names.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\">\n"
                + cases.joined(separator: "\n") + (cases.isEmpty ? "" : "\n") + "  </testsuite>")
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"tollgate check\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\" errors=\"0\">\n"
            + suites.map { $0 + "\n" }.joined() + "</testsuites>\n"
    }

    /// Text escaped for XML; characters XML 1.0 cannot hold at all become U+FFFD.
    private static func escape(_ text: String) -> String {
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

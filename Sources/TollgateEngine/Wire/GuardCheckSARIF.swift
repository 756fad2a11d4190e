import Foundation
public import TollgateCore

/// The parts of SARIF 2.1.0 that `tollgate check --format sarif` writes.
///
/// The keys and the words of ``Level``, ``SuppressionKind``, ``SuppressionStatus`` and
/// ``LogicalLocationKind`` are the SARIF specification's (OASIS, `sarif-schema-2.1.0.json`), not
/// Wire/'s lowerCamelCase rule: code-scanning tools read them as the standard spells them.
public enum SARIF {
    /// The whole log: one run.
    public struct Log: Codable, Sendable {
        public var schema: String
        public var version: String
        public var runs: [Run]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case version, runs
        }
    }

    /// One run of one tool.
    public struct Run: Codable, Sendable {
        public var tool: Tool
        public var results: [Result]
    }

    /// The tool that ran.
    public struct Tool: Codable, Sendable {
        public var driver: Driver
    }

    /// The tool's name and the rules it applies.
    public struct Driver: Codable, Sendable {
        public var name: String
        public var informationUri: String
        public var rules: [Rule]
    }

    /// Text for a person.
    public struct Message: Codable, Sendable {
        public var text: String
    }

    /// A rule the results refer to.
    public struct Rule: Codable, Sendable {
        public var id: String
        public var shortDescription: Message
        public var defaultConfiguration: Configuration
    }

    /// A rule's defaults.
    public struct Configuration: Codable, Sendable {
        public var level: Level
    }

    /// SARIF's `level`: how bad a result is.
    public enum Level: String, Codable, Sendable {
        case error, warning, note
    }

    /// One failure of one rule.
    public struct Result: Codable, Sendable {
        public var ruleId: String
        public var level: Level
        public var message: Message
        public var locations: [Location]
        public var properties: Properties
        public var suppressions: [Suppression]?
    }

    /// Tollgate's own property bag of a result.
    public struct Properties: Codable, Sendable {
        public var stack: String
        public var path: String
        public var mode: GuardMode
        public var blocks: Bool
    }

    /// Where a failure is.
    public struct Location: Codable, Sendable {
        public var physicalLocation: PhysicalLocation
        public var logicalLocations: [LogicalLocation]?
    }

    /// The file and line of a failure.
    public struct PhysicalLocation: Codable, Sendable {
        public var artifactLocation: ArtifactLocation
        public var region: Region?
    }

    /// The file, relative to the repository.
    public struct ArtifactLocation: Codable, Sendable {
        public var uri: String
    }

    /// The line.
    public struct Region: Codable, Sendable {
        public var startLine: Int
    }

    /// The resource of a failure.
    public struct LogicalLocation: Codable, Sendable {
        public var name: String
        public var fullyQualifiedName: String
        public var kind: LogicalLocationKind
    }

    /// SARIF's `logicalLocation.kind`, of which Tollgate names resources only.
    public enum LogicalLocationKind: String, Codable, Sendable {
        case resource
    }

    /// A waiver of a failure.
    public struct Suppression: Codable, Sendable {
        public var kind: SuppressionKind
        public var status: SuppressionStatus
        public var justification: String
    }

    /// SARIF's `suppression.kind`: a waiver lives outside the template.
    public enum SuppressionKind: String, Codable, Sendable {
        case inSource, external
    }

    /// SARIF's `suppression.status`.
    public enum SuppressionStatus: String, Codable, Sendable {
        case accepted, underReview, rejected
    }
}

extension SARIF.Log {
    /// SARIF 2.1.0: one run, the rules that apply as the driver's rules, one result per failure;
    /// waived failures carry an accepted external suppression with the waiver's reason.
    public init(_ check: GuardCheck) {
        var rules: [String: SARIF.Rule] = [:]
        for report in check.reports {
            for outcome in report.outcomes where rules[outcome.rule] == nil {
                rules[outcome.rule] = SARIF.Rule(
                    id: outcome.rule, shortDescription: .init(text: "Guard rule \(outcome.rule) of \(outcome.file)"),
                    defaultConfiguration: .init(level: Self.level(outcome.severity, outcome.mode)))
            }
            for finding in report.findings where rules[finding.rule] == nil {
                rules[finding.rule] = SARIF.Rule(
                    id: finding.rule, shortDescription: .init(text: "\(finding.rule) of \(finding.file)"),
                    defaultConfiguration: .init(level: Self.level(finding.severity, finding.mode)))
            }
        }
        let results = check.reports.flatMap { report in
            report.findings.map { finding in
                SARIF.Result(
                    ruleId: finding.rule,
                    level: Self.level(finding.severity, finding.mode),
                    message: .init(text: "\(finding.summary) [\(finding.standing)]"),
                    locations: [SARIF.Location(
                        physicalLocation: .init(
                            artifactLocation: .init(uri: report.template),
                            region: finding.line.map { .init(startLine: max($0, 1)) }),
                        logicalLocations: finding.resource.map { [.init(name: $0, fullyQualifiedName: "\(report.stack)/\($0)", kind: .resource)] })],
                    properties: .init(stack: report.stack, path: finding.path, mode: finding.mode, blocks: finding.blocks),
                    suppressions: finding.waiver.map { [.init(kind: .external, status: .accepted, justification: "\($0.reason) (requested by \($0.requestedBy), until \($0.expires.formatted(.iso8601)))")] })
            }
        }
        self.init(
            schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0",
            runs: [SARIF.Run(
                tool: .init(driver: .init(
                    name: "tollgate", informationUri: "https://github.com/aws-cloudformation/cloudformation-guard",
                    rules: rules.keys.sorted().compactMap { rules[$0] })),
                results: results)])
    }

    /// SARIF's level for a failure: `error` when it blocks, `note` when only observed.
    private static func level(_ severity: GuardSeverity, _ mode: GuardMode) -> SARIF.Level {
        switch (severity, mode) {
        case (.warning, _): .warning
        case (.error, .observe): .note
        case (.error, .enforce): .error
        }
    }
}

import Foundation
import Testing
import TollgateCore

/// Guard rules as policy: where they apply, observation, waivers with expiry, the verdict they
/// give a change set, and the mistakes that make a proposed guard policy unapprovable.
@Suite("Guard rules in the policy")
struct GuardPolicyTests {
    static let reviewers = """
        people:
          - id: amara
            name: Amara Okafor
            emails: [amara@example.com]
        groups:
          owners: [amara]

        """
    static let approvals = """
        policy-changes:
          - count: 1
            from: owners
        rules:
          - name: all
            stacks: ["*"]
            require:
              - count: 1
                from: owners

        """
    static let versioning = """
        let buckets = Resources.*[ Type == 'AWS::S3::Bucket' ]

        rule S3_BUCKET_VERSIONING_ENABLED when %buckets !empty {
            %buckets.Properties.VersioningConfiguration.Status == 'Enabled'
            << Buckets keep old versions >>
        }

        """
    static let encryption = """
        rule S3_BUCKET_ENCRYPTED {
            Resources.*[ Type == 'AWS::S3::Bucket' ].Properties.BucketEncryption exists
        }

        """
    /// One bucket without versioning (line 4 is its Properties) and one queue.
    static let template = """
        Resources:
          Logs:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: logs
          Jobs:
            Type: AWS::SQS::Queue

        """
    /// 2026-01-05 10:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_767_607_200)

    static func policy(_ guards: [String: String]) throws -> PolicySet {
        var files = ["Policies/reviewers.yaml": reviewers, "Policies/approvals.yaml": approvals]
        for (name, text) in guards { files["Policies/guards/\(name)"] = text }
        return try PolicySet.parse(files: files)
    }

    static func verdict(_ policy: PolicySet, stack: String = "web", template: String = template, at time: Date = now) -> ReviewVerdict {
        let subject = ReviewSubject(
            changeSetID: "cs-1", target: .stack(stack), digest: "d",
            targetTemplate: ReviewTemplate(fileName: "abc1234:Stacks/\(stack)/template.yaml", text: template))
        return ApprovalEvaluator(policy: policy).evaluate(subject, claims: [], at: time)
    }

    static func problems(_ guards: [String: String], at time: Date = now) -> [String] {
        var files = ["Policies/reviewers.yaml": reviewers, "Policies/approvals.yaml": approvals]
        for (name, text) in guards { files["Policies/guards/\(name)"] = text }
        let subject = ReviewSubject(
            changeSetID: "cs-2", target: .policies, digest: "d", proposedPolicyProblems: PolicySet.problems(in: files),
            proposedGuardWaivers: GuardPolicy.proposedWaivers(in: files))
        let policy = try? PolicySet.parse(files: ["Policies/reviewers.yaml": reviewers, "Policies/approvals.yaml": approvals])
        guard let policy else { return ["the fixture's policy does not parse"] }
        let verdict = ApprovalEvaluator(policy: policy).evaluate(subject, claims: [], at: time)
        #expect(verdict.status == .unapprovable || verdict.problems.isEmpty)
        return verdict.problems
    }

    @Test("Without config.yaml every rule applies to every stack as an error, and a failure makes the change set unapprovable")
    func everyRuleBlocks() throws {
        let verdict = Self.verdict(try Self.policy(["s3.guard": Self.versioning]))
        #expect(verdict.status == .unapprovable)
        let finding = try #require(verdict.guards?.findings.first)
        #expect(finding.rule == "S3_BUCKET_VERSIONING_ENABLED")
        #expect(finding.file == "Policies/guards/s3.guard")
        #expect(finding.resource == "Logs")
        #expect(finding.path == "/Resources/Logs/Properties")
        #expect(finding.line == 4)
        #expect(finding.customMessage?.contains("Buckets keep old versions") == true)
        let problem = try #require(verdict.problems.first)
        #expect(problem.contains("S3_BUCKET_VERSIONING_ENABLED") && problem.contains("Logs") && problem.contains("template line 4"), "\(problem)")
        #expect(verdict.explanation.contains("cannot be approved: guard rule S3_BUCKET_VERSIONING_ENABLED"), "\(verdict.explanation)")
        #expect(verdict.explanation.contains("[blocks approval]"), "\(verdict.explanation)")
        #expect(verdict.report.guards?.findings.count == 1)
    }

    @Test("A passing template leaves the change set pending, with the rule's outcome listed")
    func passing() throws {
        let fixed = Self.template.replacingOccurrences(of: "BucketName: logs", with: "VersioningConfiguration:\n        Status: Enabled")
        let verdict = Self.verdict(try Self.policy(["s3.guard": Self.versioning]), template: fixed)
        #expect(verdict.status == .pending, "\(verdict.problems)")
        #expect(verdict.guards?.outcomes.map(\.status) == [.pass])
    }

    @Test("config.yaml: rule names and files apply to the stacks their globs match, with a severity each")
    func configuration() throws {
        let config = """
            rules:
              - files: [s3.guard]
                stacks: ["team-a-*"]
              - names: [S3_BUCKET_ENCRYPTED]
                stacks: ["*"]
                severity: warning

            """
        let policy = try Self.policy(["s3.guard": Self.versioning, "encryption.guard": Self.encryption, "config.yaml": config])
        let teamA = Self.verdict(policy, stack: "team-a-web")
        #expect(teamA.status == .unapprovable)
        #expect(Set(teamA.guards?.findings.map(\.rule) ?? []) == ["S3_BUCKET_VERSIONING_ENABLED", "S3_BUCKET_ENCRYPTED"])
        #expect(teamA.guards?.findings.first { $0.rule == "S3_BUCKET_ENCRYPTED" }?.standing == "warning")
        #expect(teamA.problems.count == 1, "\(teamA.problems)")
        let other = Self.verdict(policy, stack: "billing")
        #expect(other.status == .pending, "a warning blocks nothing: \(other.problems)")
        #expect(other.guards?.outcomes.map(\.rule) == ["S3_BUCKET_ENCRYPTED"])
    }

    @Test("mode: observe reports what a rule would block without blocking")
    func observe() throws {
        let config = "rules:\n  - files: ['*.guard']\n    mode: observe\n"
        let verdict = Self.verdict(try Self.policy(["s3.guard": Self.versioning, "config.yaml": config]))
        #expect(verdict.status == .pending, "\(verdict.problems)")
        let finding = try #require(verdict.guards?.findings.first)
        #expect(finding.wouldBlock && !finding.blocks)
        #expect(verdict.explanation.contains("[observed: would block]"), "\(verdict.explanation)")
    }

    @Test("allowed-types and denied-types with wildcards decide what a stack may create")
    func types() throws {
        let config = """
            stacks:
              - stacks: ["team-a-*"]
                allowed-types: ["AWS::S3::*"]
              - stacks: ["*"]
                denied-types: ["AWS::IAM::*", "AWS::SQS::Queue"]

            """
        let policy = try Self.policy(["config.yaml": config])
        let teamA = Self.verdict(policy, stack: "team-a-web")
        #expect(teamA.status == .unapprovable)
        let rules = teamA.guards?.findings.map { "\($0.rule) \($0.resource ?? "")" }.sorted()
        #expect(rules == ["allowed-types Jobs", "denied-types Jobs"])
        #expect(teamA.guards?.findings.first?.path == "/Resources/Jobs/Type")
        #expect(teamA.guards?.findings.first?.line == 7)
        let bucketsOnly = Self.verdict(policy, stack: "team-a-web", template: "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n")
        #expect(bucketsOnly.status == .pending, "\(bucketsOnly.problems)")
    }

    @Test("A waiver in force accepts a failure, which stays visible; once expired it no longer applies")
    func waivers() throws {
        let waivers = """
            waivers:
              - stack: web
                resource: Logs
                rule: S3_BUCKET_VERSIONING_ENABLED
                reason: the logs bucket is rebuilt nightly
                requested-by: amara
                expires: 2026-01-31

            """
        let policy = try Self.policy(["s3.guard": Self.versioning, "waivers.yaml": waivers])
        let waived = Self.verdict(policy)
        #expect(waived.status == .pending, "\(waived.problems)")
        let finding = try #require(waived.guards?.findings.first)
        #expect(finding.waiver?.requestedBy == "amara")
        #expect(waived.explanation.contains("waived until 2026-02-01T00:00:00Z, requested by amara: the logs bucket is rebuilt nightly"), "\(waived.explanation)")
        #expect(Self.verdict(policy, stack: "api").status == .unapprovable, "a waiver names one stack")
        let lastMoment = Date(timeIntervalSince1970: 1_769_903_999)  // 2026-01-31 23:59:59 UTC
        #expect(Self.verdict(policy, at: lastMoment).status == .pending)
        let expired = Self.verdict(policy, at: lastMoment.addingTimeInterval(1))
        #expect(expired.status == .unapprovable)
        #expect(expired.guards?.findings.first?.waiver == nil)
    }

    @Test("config.yaml refuses unknown keys and bad values naming file, line and field", arguments: [
        ("rules:\n  - files: [a.guard]\n    severty: warning\n", "Policies/guards/config.yaml:3:5: rules[0].severty is not a known field"),
        ("rules:\n  - severity: fatal\n", "Policies/guards/config.yaml:2:15: rules[0].severity must be error or warning"),
        ("rules:\n  - mode: watch\n", "Policies/guards/config.yaml:2:11: rules[0].mode must be enforce or observe"),
        ("stacks:\n  - stacks: [web]\n", "Policies/guards/config.yaml:2:5: stacks[0] needs allowed-types or denied-types"),
        ("version: 2\n", "Policies/guards/config.yaml:1:1: version is not a known field"),
        ("rules:\n  - names: [NO_SUCH_RULE]\n", "Policies/guards/config.yaml:2: rule NO_SUCH_RULE is named in rules but no rule file"),
    ])
    func configurationMistakes(text: String, expected: String) {
        let problems = Self.problems(["config.yaml": text])
        #expect(problems.contains { $0.contains(expected) }, "\(problems)")
    }

    @Test("A proposed guard policy with a mistake cannot be approved; the error names file, line and rule", arguments: [
        (["bad.guard": "rule BROKEN {\n  Resources.*.Type ==\n}\n"], "Policies/guards/bad.guard:3:1"),
        (["fn.guard": "let x = frobnicate(Resources)\nrule USES_IT { %x exists }\n"], "Policies/guards/fn.guard:1:9: function frobnicate"),
        (["a.guard": "rule TWICE { Resources exists }\n", "b.guard": "rule TWICE { Resources exists }\n"],
         "Policies/guards/b.guard:1:1: rule TWICE is already defined in Policies/guards/a.guard"),
        (["waivers.yaml": "waivers:\n  - stack: web\n    resource: Logs\n    rule: GHOST\n    reason: r\n    requested-by: amara\n    expires: 2027-01-01\n"],
         "Policies/guards/waivers.yaml:2: rule GHOST is waived but no rule file"),
        (["s3.guard": versioning, "waivers.yaml": "waivers:\n  - stack: web\n    resource: Logs\n    rule: S3_BUCKET_VERSIONING_ENABLED\n    reason: r\n    requested-by: amara\n    expires: 2025-12-31\n"],
         "Policies/guards/waivers.yaml:2: rule S3_BUCKET_VERSIONING_ENABLED is waived for web/Logs with an expiry (2026-01-01T00:00:00Z) already past"),
        (["waivers.yaml": "waivers:\n  - stack: web\n    resource: Logs\n    rule: denied-types\n    reason: r\n    requested-by: amara\n    expires: next week\n"],
         "Policies/guards/waivers.yaml:7:14: waivers[0].expires 'next week' is not a date"),
        (["waivers.yaml": "waivers:\n  - stack: web\n    rule: denied-types\n"], "Policies/guards/waivers.yaml:2:5: waivers[0].resource is required"),
        (["notes.yaml": "a: 1\n"], "Policies/guards/notes.yaml: is not a known guard file"),
        (["loop.guard": "rule FIRST { Resources exists }\nrule A { B }\nrule B when A { Resources exists }\n"],
         "Policies/guards/loop.guard:2:1: rule A refers to itself (A -> B -> A)"),
    ])
    func proposedMistakes(files: [String: String], expected: String) {
        let problems = Self.problems(files)
        #expect(problems.contains { $0.contains(expected) }, "\(problems)")
    }

    @Test("Hostile inputs: an alias bomb in config.yaml, a rule that refers to itself, a template that is not YAML")
    func hostile() throws {
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        #expect(Self.problems(["config.yaml": bomb]).contains { $0.contains("Policies/guards/config.yaml:") })

        // Variables that refer to each other pass the parser; evaluating them fails, and blocks.
        let looping = try Self.policy(["loop.guard": "let a = %b\nlet b = %a\nrule LOOP { %a exists }\n"])
        let verdict = Self.verdict(looping)
        #expect(verdict.status == .unapprovable, "a rule that cannot be evaluated blocks: \(verdict.problems)")
        #expect(verdict.guards?.findings.first?.message.contains("could not be evaluated") == true, "\(verdict.problems)")

        let unreadable = Self.verdict(try Self.policy(["s3.guard": Self.versioning]), template: "Resources: [unclosed\n")
        #expect(unreadable.status == .unapprovable)
        #expect(unreadable.problems.first?.contains("cannot be read") == true, "\(unreadable.problems)")
    }

    @Test("The whole registry dropped into Policies/guards/ is a valid policy and checks the example stacks")
    func registryAsPolicy() throws {
        var files = ["Policies/reviewers.yaml": Self.reviewers, "Policies/approvals.yaml": Self.approvals]
        let root = GuardRegistryTests.registry
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "guard" else { continue }
            files["Policies/guards/" + String(url.path.dropFirst(root.path.count + 1))] = try String(contentsOf: url, encoding: .utf8)
        }
        #expect(PolicySet.problems(in: files).isEmpty, "\(PolicySet.problems(in: files).prefix(3))")
        let policy = try PolicySet.parse(files: files)
        #expect(policy.guards.ruleFiles.count == 209)
        let template = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Stacks/database/template.yaml"), encoding: .utf8)
        let report = policy.guards.check(stack: "database", template: template, fileName: "Stacks/database/template.yaml", at: Self.now)
        #expect(report.outcomes.count >= 209)
        #expect(report.findings.allSatisfy { !$0.message.contains("could not be evaluated") }, "\(report.findings.filter { $0.message.contains("could not be evaluated") }.prefix(2))")
    }

    @Test("A policy change set with valid guard files is approvable, and guard rules do not touch it")
    func validProposal() {
        let waivers = "waivers:\n  - stack: web\n    resource: Logs\n    rule: S3_BUCKET_VERSIONING_ENABLED\n    reason: r\n    requested-by: amara\n    expires: 2026-06-30T12:00:00Z\n"
        #expect(Self.problems(["s3.guard": Self.versioning, "waivers.yaml": waivers, "README.md": "# rules\n"]).isEmpty)
    }
}

/// The cross-stack check: an export another stack imports cannot be removed or renamed.
@Suite("Exports still imported")
struct ExportUsageTests {
    static func snapshot(_ text: String, parameters: [String: String] = [:]) throws -> StackSnapshot {
        StackSnapshot(template: try TemplateParser.parse(Array(text.utf8), fileName: "t.yaml"), parameters: ResolvedParameters(values: parameters))
    }

    static let exporter = """
        Resources:
          Vpc:
            Type: AWS::EC2::VPC
        Outputs:
          VpcId:
            Value: !Ref Vpc
            Export:
              Name: !Sub "${AWS::StackName}-VpcId"
          Plain:
            Value: x
            Export:
              Name: shared-plain

        """
    static let importer = """
        Resources:
          Subnet:
            Type: AWS::EC2::Subnet
            Properties:
              VpcId: !ImportValue network-VpcId

        """

    @Test("Removing an export another stack imports names the importing stacks; one nobody imports is fine")
    func removal() throws {
        let base = try Self.snapshot(Self.exporter)
        let withoutVpc = try Self.snapshot(Self.exporter.replacingOccurrences(of: "  VpcId:\n    Value: !Ref Vpc\n    Export:\n      Name: !Sub \"${AWS::StackName}-VpcId\"\n", with: ""))
        let others = ["service": try Self.snapshot(Self.importer), "other": try Self.snapshot("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")]
        let broken = ExportUsage.brokenImports(stack: "network", base: base, target: withoutVpc, others: others)
        #expect(broken == [BrokenImport(exportName: "network-VpcId", output: "VpcId", importers: ["service"])])
        #expect(broken.first?.description.contains("service") == true)

        let withoutPlain = try Self.snapshot(Self.exporter.replacingOccurrences(of: "Name: shared-plain", with: "Name: shared-renamed"))
        #expect(ExportUsage.brokenImports(stack: "network", base: base, target: withoutPlain, others: others).isEmpty)
        #expect(ExportUsage.brokenImports(stack: "network", base: base, target: base, others: others).isEmpty)
    }

    @Test("Renaming an export, or deleting the stack, breaks its importers, resolved through Sub, Join and parameters")
    func renameAndDelete() throws {
        let base = try Self.snapshot(Self.exporter)
        let renamed = try Self.snapshot(Self.exporter.replacingOccurrences(of: "-VpcId", with: "-Vpc"))
        let joined = "Parameters:\n  Net:\n    Type: String\nResources:\n  S:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId:\n        Fn::ImportValue: !Join ['-', [!Ref Net, VpcId]]\n"
        let others = ["service": try Self.snapshot(joined, parameters: ["Net": "network"])]
        #expect(ExportUsage.brokenImports(stack: "network", base: base, target: renamed, others: others).map(\.importers) == [["service"]])
        #expect(ExportUsage.brokenImports(stack: "network", base: base, target: nil, others: others).map(\.exportName) == ["network-VpcId"])
    }

    @Test("A change set with a broken import cannot be approved, and explain names the importers")
    func verdict() throws {
        let policy = try GuardPolicyTests.policy([:])
        let subject = ReviewSubject(
            changeSetID: "cs-1", target: .stack("network"), digest: "d",
            brokenImports: [BrokenImport(exportName: "network-VpcId", output: "VpcId", importers: ["api", "service"])])
        let verdict = ApprovalEvaluator(policy: policy).evaluate(subject, claims: [], at: GuardPolicyTests.now)
        #expect(verdict.status == .unapprovable)
        #expect(verdict.explanation.contains("export network-VpcId (output VpcId), which stacks api, service still import"), "\(verdict.explanation)")
    }
}

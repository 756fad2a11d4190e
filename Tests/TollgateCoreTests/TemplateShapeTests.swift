import Foundation
import Testing
import TollgateCore

/// Shapes CloudFormation accepts in a resource and in its parameters, read and planned.
@Suite("Template shapes")
struct TemplateShapeTests {
    private func snapshot(_ text: String, parameters: [String: String] = [:], missing: MissingParameterValues = .refuse) throws -> StackSnapshot {
        try StackSnapshot(
            template: try TemplateParser.parse(text, fileName: "template.yaml"),
            configuration: TemplateConfiguration(parameters: parameters, fileName: "config.json"), missingParameters: missing)
    }

    private func plan(_ old: StackSnapshot, _ new: StackSnapshot) throws -> ChangeSet {
        try ChangePlanner().plan(stackName: "orders", commit: "c0ffee1", base: old, target: new)
    }

    @Test("Version on a custom resource is read")
    func customResourceVersion() throws {
        let text = "Resources:\n  C:\n    Type: Custom::Thing\n    Version: '1.0'\n    Properties: {ServiceToken: arn}\n"
        let template = try TemplateParser.parse(text, fileName: "t.yaml")
        #expect(template.resources.first?.version == "1.0")
    }

    static let conditionalProperties = """
        Parameters:
          Env: {Type: String}
        Conditions:
          Prod: !Equals [!Ref Env, prod]
        Resources:
          Data:
            Type: AWS::S3::Bucket
            Properties: !If
              - Prod
              - {BucketName: data-prod}
              - !Ref AWS::NoValue
        """

    @Test("Properties: !If is chosen by each side's conditions")
    func propertiesIf() throws {
        let changeSet = try plan(
            try snapshot(Self.conditionalProperties, parameters: ["Env": "dev"]),
            try snapshot(Self.conditionalProperties, parameters: ["Env": "prod"]))
        let change = try #require(changeSet.resourceChanges.first)
        #expect(change.replacement == .true)
        #expect(change.details.first?.target.name == "BucketName")
    }

    @Test("Fn::If with AWS::NoValue in tags, lists and policies reads and compares")
    func noValueAnywhere() throws {
        let text = """
            Parameters:
              Env: {Type: String, Default: dev}
            Conditions:
              Prod: !Equals [!Ref Env, prod]
            Resources:
              Data:
                Type: AWS::S3::Bucket
                Metadata: !If [Prod, {Owner: ops}, !Ref AWS::NoValue]
                UpdatePolicy: !If [Prod, !Ref AWS::NoValue, !Ref AWS::NoValue]
                Properties:
                  Tags:
                    - !If [Prod, {Key: env, Value: prod}, !Ref AWS::NoValue]
                  VersioningConfiguration: !If [Prod, {Status: Enabled}, !Ref AWS::NoValue]
            Outputs:
              Name:
                Value: !If [Prod, !Ref Data, !Ref AWS::NoValue]
            """
        let same = try plan(try snapshot(text), try snapshot(text))
        #expect(same.isEmpty)
        let changed = try plan(try snapshot(text), try snapshot(text, parameters: ["Env": "prod"]))
        #expect(changed.resourceChanges.first?.replacement == .false)
    }

    @Test("DeletionPolicy written with Fn::If is evaluated, not read as Delete")
    func deletionPolicyIf() throws {
        let text = """
            Transform: AWS::LanguageExtensions
            Parameters:
              Env: {Type: String}
            Conditions:
              Prod: !Equals [!Ref Env, prod]
            Resources:
              Data:
                Type: AWS::S3::Bucket
                DeletionPolicy: !If [Prod, Retain, Delete]
            """
        let removed = try ChangePlanner().planRemoval(
            stackName: "orders", commit: "c0ffee1", base: try snapshot(text, parameters: ["Env": "prod"]))
        #expect(removed.resourceChanges.first?.policyAction == .retain)
        let dev = try ChangePlanner().planRemoval(
            stackName: "orders", commit: "c0ffee1", base: try snapshot(text, parameters: ["Env": "dev"]))
        #expect(dev.resourceChanges.first?.policyAction == .delete)
    }

    static let bucketPattern = #"^(?=^.{3,63}$)(?!.*[.-]{2})(?!.*[--]{2})(?!^(?:(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(?!$)|$)){4}$)(^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])$)"#

    @Test("AllowedPattern is read as a Java regular expression, through ICU", arguments: [
        // From AWS's own templates and the user guide.
        ("[--]", "-", true),
        ("[a-zA-Z0-9-]+(?<!-)", "web-1", true),
        ("[a-zA-Z0-9-]+(?<!-)", "web-", false),
        ("[\\w-]+", "my_bucket-1", true),
        ("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})", "10.0.0.0/16", true),
        ("^[a-z0-9]+$", "abc", true),
        ("[a-z]+|[0-9]+", "abc1", false),
        ("[!--]+", "#$", true),
        // The S3 bucket name pattern of AWS's example templates.
        (Self.bucketPattern, "my-bucket.logs", true),
        (Self.bucketPattern, "my--bucket", false),
        (Self.bucketPattern, "10.0.0.1", false),
        ("^arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role\\/([\\w+=,.@-]*\\/)*[\\w+=,.@-]+", "arn:aws:iam::123456789012:role/ops/deploy", true),
    ])
    func allowedPattern(pattern: String, value: String, accepted: Bool) throws {
        let escaped = pattern.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let text = "Parameters:\n  P: {Type: String, AllowedPattern: \"\(escaped)\"}\nResources:\n  T: {Type: AWS::SNS::Topic}\n"
        let template = try TemplateParser.parse(text, fileName: "t.yaml")
        let configuration = TemplateConfiguration(parameters: ["P": value], fileName: "config.json")
        if accepted {
            #expect(throws: Never.self) { try configuration.resolveParameters(for: template) }
        } else {
            #expect(throws: ConfigurationError.self) { try configuration.resolveParameters(for: template) }
        }
    }

    @Test("Each element of a CommaDelimitedList is checked against AllowedPattern")
    func listElementsChecked() throws {
        let text = "Parameters:\n  Ports: {Type: CommaDelimitedList, AllowedPattern: '[0-9]+'}\nResources:\n  T: {Type: AWS::SNS::Topic}\n"
        let template = try TemplateParser.parse(text, fileName: "t.yaml")
        #expect(throws: Never.self) {
            try TemplateConfiguration(parameters: ["Ports": "80,443"], fileName: "c.json").resolveParameters(for: template)
        }
        let error = #expect(throws: ConfigurationError.self) {
            try TemplateConfiguration(parameters: ["Ports": "80,https"], fileName: "c.json").resolveParameters(for: template)
        }
        #expect(error.map { "\($0)" }?.contains("'https'") == true)
    }

    static let unknownParameter = """
        Parameters:
          Name: {Type: String}
        Resources:
          Data:
            Type: AWS::S3::Bucket
            Properties: {BucketName: !Ref Name}
        """

    @Test("A parameter with no value is refused for plan and sync")
    func missingRefused() throws {
        #expect(throws: ConfigurationError.self) { try snapshot(Self.unknownParameter) }
    }

    @Test("A parameter with no value is unknown in diff: unchanged text stays unchanged")
    func unknownUnchanged() throws {
        let side = try snapshot(Self.unknownParameter, missing: .unknown)
        let changeSet = try plan(side, side)
        #expect(changeSet.isEmpty)
        #expect(changeSet.warnings.contains { $0.contains("Name") })
    }

    @Test("What depends on an unknown parameter is Dynamic and at most Conditional")
    func unknownDependent() throws {
        let new = Self.unknownParameter.replacingOccurrences(of: "!Ref Name", with: "!Sub '${Name}-v2'")
        let changeSet = try plan(
            try snapshot(Self.unknownParameter, missing: .unknown), try snapshot(new, missing: .unknown))
        let change = try #require(changeSet.resourceChanges.first)
        #expect(change.replacement == .conditional)
        #expect(change.details.allSatisfy { $0.evaluation == .dynamic })
    }

    static let unknownCondition = """
        Parameters:
          Env: {Type: String}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
          Decided: !And [!Equals [a, b], {Condition: IsProd}]
          Either: !Or [!Equals [a, a], {Condition: IsProd}]
        Resources:
          Data:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !If [IsProd, data-prod, !Ref AWS::NoValue]
          Alarm:
            Type: AWS::SNS::Topic
            Condition: IsProd
            Properties: {TopicName: alarm}
          Never:
            Type: AWS::SNS::Topic
            Condition: Decided
          Always:
            Type: AWS::SNS::Topic
            Condition: Either
        Outputs:
          AlarmArn:
            Condition: IsProd
            Value: !Ref Alarm
        """

    @Test("A condition on a parameter with no value is unknown, unless the known parts decide it")
    func unknownConditionUnchanged() throws {
        let side = try snapshot(Self.unknownCondition, missing: .unknown)
        #expect(try plan(side, side).isEmpty)
        // Against an empty stack: what an unknown condition governs is added with a note saying so;
        // `Decided` is false and `Either` true whatever Env is.
        let empty = try snapshot("Resources:\n  Other: {Type: AWS::SNS::Topic}\n")
        let created = try plan(empty, side)
        let byID = Dictionary(uniqueKeysWithValues: created.resourceChanges.map { ($0.logicalResourceId, $0) })
        #expect(Set(byID.keys) == ["Data", "Alarm", "Always", "Other"])
        #expect(byID["Alarm"]?.action == .add && byID["Alarm"]?.note?.contains("condition IsProd") == true)
        #expect(byID["Alarm"]?.note?.contains("Env") == true)
        #expect(byID["Always"]?.note == nil && byID["Data"]?.note == nil)
        let condition = try #require(created.templateChanges.first { $0.section == "Conditions" && $0.name == "IsProd" })
        #expect(condition.after?.hasSuffix("unknown until apply") == true)
    }

    @Test("What an unknown condition governs is Conditional and Dynamic, never silently kept or dropped")
    func unknownConditionGoverns() throws {
        let old = try snapshot(Self.unknownCondition, missing: .unknown)
        // Alarm loses its condition: it may have to be created, so it is Conditional, with the note.
        let unconditional = Self.unknownCondition.replacingOccurrences(of: "    Condition: IsProd\n    Properties", with: "    Properties")
        let change = try #require(try plan(old, try snapshot(unconditional, missing: .unknown)).resourceChanges.first)
        #expect(change.logicalResourceId == "Alarm" && change.action == .modify && change.replacement == .conditional)
        #expect(change.note?.contains("CloudFormation decides at apply time") == true)
        // Alarm gains the condition: it may be deleted, so its DeletionPolicy applies.
        let reversed = try #require(try plan(try snapshot(unconditional, missing: .unknown), old).resourceChanges.first)
        #expect(reversed.replacement == .conditional && reversed.policyAction == .delete)
        // A branch of Fn::If on the unknown condition changes: Dynamic, and the bucket name may recreate the bucket.
        let renamed = Self.unknownCondition.replacingOccurrences(of: "data-prod", with: "data-prod-2")
        let bucket = try #require(try plan(old, try snapshot(renamed, missing: .unknown)).resourceChanges.first)
        #expect(bucket.logicalResourceId == "Data" && bucket.replacement == .conditional)
        #expect(bucket.details.allSatisfy { $0.evaluation == .dynamic })
        #expect(bucket.details.first?.target.afterValue?.contains("data-prod-2") == true)
    }

    @Test("Properties: !If on an unknown condition compares property by property")
    func unknownConditionalProperties() throws {
        let text = { (first: String) in
            """
            Parameters:
              Env: {Type: String}
            Conditions:
              IsProd: !Equals [!Ref Env, prod]
            Resources:
              Topic:
                Type: AWS::SNS::Topic
                Properties: !If [IsProd, {TopicName: \(first), DisplayName: shown}, {TopicName: b}]
            """
        }
        let old = try snapshot(text("a"), missing: .unknown)
        #expect(try plan(old, old).isEmpty)
        let change = try #require(try plan(old, try snapshot(text("c"), missing: .unknown)).resourceChanges.first)
        #expect(change.details.map(\.target.name) == ["TopicName"])
        #expect(change.replacement == .conditional && change.details.first?.evaluation == .dynamic)
    }
}

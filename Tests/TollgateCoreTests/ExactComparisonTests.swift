import Foundation
import Testing
import TollgateCore

/// Values compare as CloudFormation compares them: by their bytes, and every short-form tag
/// the same as its long form.
@Suite("Exact comparison")
struct ExactComparisonTests {
    private func plan(_ old: String, _ new: String, oldParameters: [String: String] = [:], newParameters: [String: String] = [:]) throws -> ChangeSet {
        func snapshot(_ text: String, _ parameters: [String: String]) throws -> StackSnapshot {
            try StackSnapshot(
                template: try TemplateParser.parse(text, fileName: "template.yaml"),
                configuration: TemplateConfiguration(parameters: parameters, fileName: "config.json"))
        }
        return try ChangePlanner().plan(
            stackName: "orders", commit: "c0ffee1", base: try snapshot(old, oldParameters), target: try snapshot(new, newParameters))
    }

    static let composed = "caf\u{E9}"
    static let decomposed = "cafe\u{301}"

    @Test("A bucket renamed from NFC to NFD \"café\" is replaced")
    func canonicallyEquivalentNames() throws {
        #expect(Self.composed == Self.decomposed, "Swift's == treats them as equal; Tollgate must not")
        let template = { (name: String) in "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: \"\(name)\"}\n" }
        let changeSet = try plan(template(Self.composed), template(Self.decomposed))
        let change = try #require(changeSet.resourceChanges.first)
        #expect(change.replacement == .true)
    }

    @Test("A parameter value changed from NFC to NFD reaches the property that uses it")
    func canonicallyEquivalentParameter() throws {
        let template = "Parameters:\n  Name: {Type: String}\nResources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Ref Name}\n"
        let changeSet = try plan(template, template, oldParameters: ["Name": Self.composed], newParameters: ["Name": Self.decomposed])
        #expect(changeSet.resourceChanges.first?.replacement == .true)
        #expect(changeSet.templateChanges.map(\.section) == ["Parameters"])
    }

    @Test("Map keys compare by bytes")
    func canonicallyEquivalentKeys() throws {
        let template = { (key: String) in "Resources:\n  Data:\n    Type: AWS::S3::Bucket\nMappings:\n  M: {\"\(key)\": {a: b}}\n" }
        let changeSet = try plan(template(Self.composed), template(Self.decomposed))
        #expect(changeSet.templateChanges.map(\.section) == ["Mappings"])
    }

    @Test("Quoted version strings are not numbers; plain numerals are")
    func numbers() throws {
        let template = { (value: String) in "Resources:\n  T:\n    Type: Custom::Thing\n    Properties: {ServiceToken: arn, V: \(value)}\n" }
        #expect(try !plan(template("\"1.10\""), template("\"1.1\"")).isEmpty)
        #expect(try plan(template("1.0"), template("1")).isEmpty)
        #expect(try plan(template("80"), template("\"80\"")).isEmpty)
    }

    /// Each row: a short form and a long form CloudFormation reads as the same value.
    @Test("Every short-form tag equals its long form", arguments: [
        ("!GetAZs ''", "{\"Fn::GetAZs\": \"\"}"),
        ("!GetAZs", "{\"Fn::GetAZs\": \"\"}"),
        ("!GetAZs", "!GetAZs ''"),
        ("!GetAZs", "{\"Fn::GetAZs\": null}"),
        ("!Ref AWS::Region", "{\"Ref\": \"AWS::Region\"}"),
        ("!GetAtt Other.Arn", "{\"Fn::GetAtt\": [Other, Arn]}"),
        ("!GetAtt [Other, Arn]", "{\"Fn::GetAtt\": \"Other.Arn\"}"),
        ("!Sub 'x-${AWS::Region}'", "{\"Fn::Sub\": \"x-${AWS::Region}\"}"),
        ("!Join ['-', [a, b]]", "{\"Fn::Join\": [\"-\", [\"a\", \"b\"]]}"),
        ("!Select [0, !GetAZs '']", "{\"Fn::Select\": [\"0\", {\"Fn::GetAZs\": \"\"}]}"),
        ("!Split [',', 'a,b']", "{\"Fn::Split\": [\",\", \"a,b\"]}"),
        ("!Base64 hello", "{\"Fn::Base64\": \"hello\"}"),
        ("!Base64 123", "{\"Fn::Base64\": 123}"),
        ("!Cidr [10.0.0.0/16, 4, 8]", "{\"Fn::Cidr\": [\"10.0.0.0/16\", \"4\", \"8\"]}"),
        ("!ImportValue shared-vpc", "{\"Fn::ImportValue\": \"shared-vpc\"}"),
        ("!FindInMap [M, a, b]", "{\"Fn::FindInMap\": [\"M\", \"a\", \"b\"]}"),
        ("!If [Yes, a, b]", "{\"Fn::If\": [\"Yes\", \"a\", \"b\"]}"),
        ("!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
         "{\"Fn::Transform\": {\"Name\": \"AWS::Include\", \"Parameters\": {\"Location\": \"s3://b/k\"}}}"),
    ])
    func shortAndLongForms(short: String, long: String) throws {
        let template = { (value: String) in
            """
            Mappings:
              M: {a: {b: c}}
            Conditions:
              Yes: !Equals [!Ref AWS::Region, us-east-1]
            Resources:
              Other:
                Type: AWS::SNS::Topic
              T:
                Type: Custom::Thing
                Properties:
                  ServiceToken: arn
                  Value: \(value)
            """
        }
        let changeSet = try plan(template(short), template(long))
        #expect(changeSet.isEmpty, "\(short) and \(long) must read as one value")
        let left = try TemplateParser.parse(template(short), fileName: "a.yaml")
        let right = try TemplateParser.parse(template(long), fileName: "b.yaml")
        #expect(left.contentDigest == right.contentDigest)
    }

    /// The shape of commit a636c59a4d of aws-cloudformation-templates ("YAML formatting"):
    /// quoted empty arguments became bare tags, quotes and flow style changed, nothing else.
    @Test("A reformat that drops quotes and an empty argument shows no change")
    func reformat() throws {
        let old = """
            Resources:
              Group:
                Type: AWS::AutoScaling::AutoScalingGroup
                Properties:
                  AvailabilityZones: !GetAZs ''
                  LaunchConfigurationName: !Ref 'Config'
                  MinSize: '1'
                  MaxSize: '4'
                  Tags: [{Key: 'Name', Value: !Sub '${AWS::StackName}-web', PropagateAtLaunch: 'true'}]
              Config:
                Type: AWS::AutoScaling::LaunchConfiguration
                Properties:
                  ImageId: 'ami-12345678'
                  InstanceType: 't3.micro'
            """
        let new = """
            Resources:
              Group:
                Type: AWS::AutoScaling::AutoScalingGroup
                Properties:
                  AvailabilityZones: !GetAZs
                  LaunchConfigurationName: !Ref Config
                  MinSize: "1"
                  MaxSize: 4
                  Tags:
                    - Key: Name
                      Value: !Sub ${AWS::StackName}-web
                      PropagateAtLaunch: true
              Config:
                Type: AWS::AutoScaling::LaunchConfiguration
                Properties:
                  ImageId: ami-12345678
                  InstanceType: t3.micro
            """
        #expect(try plan(old, new).isEmpty)
    }
}

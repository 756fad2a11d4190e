import Testing
import TollgateCore
import Foundation

@Suite("Template parser")
struct TemplateParserTests {
    /// Each short-form tag and the long JSON form it must equal.
    static let shortForms: [(yaml: String, json: String)] = [
        ("!Ref Name", #"{"Ref": "Name"}"#),
        ("!GetAtt Res.Arn", #"{"Fn::GetAtt": ["Res", "Arn"]}"#),
        ("!GetAtt [Res, Arn]", #"{"Fn::GetAtt": ["Res", "Arn"]}"#),
        ("!Sub 'a-${Name}'", #"{"Fn::Sub": "a-${Name}"}"#),
        ("!Sub ['a-${X}', {X: !Ref Name}]", #"{"Fn::Sub": ["a-${X}", {"X": {"Ref": "Name"}}]}"#),
        ("!Join [',', [a, b]]", #"{"Fn::Join": [",", ["a", "b"]]}"#),
        ("!Select [0, !GetAZs '']", #"{"Fn::Select": [0, {"Fn::GetAZs": ""}]}"#),
        ("!Split [',', 'a,b']", #"{"Fn::Split": [",", "a,b"]}"#),
        ("!If [Cond, 1, 2]", #"{"Fn::If": ["Cond", 1, 2]}"#),
        ("!Equals [a, b]", #"{"Fn::Equals": ["a", "b"]}"#),
        ("!And [!Condition Cond, !Condition Cond]", #"{"Fn::And": [{"Condition": "Cond"}, {"Condition": "Cond"}]}"#),
        ("!Or [!Condition Cond, !Not [!Condition Cond]]", #"{"Fn::Or": [{"Condition": "Cond"}, {"Fn::Not": [{"Condition": "Cond"}]}]}"#),
        ("!FindInMap [Map, a, b]", #"{"Fn::FindInMap": ["Map", "a", "b"]}"#),
        ("!Base64 text", #"{"Fn::Base64": "text"}"#),
        ("!Base64 {Fn::Sub: 'x-${Name}'}", #"{"Fn::Base64": {"Fn::Sub": "x-${Name}"}}"#),
        ("!Cidr [10.0.0.0/16, 4, 8]", #"{"Fn::Cidr": ["10.0.0.0/16", 4, 8]}"#),
        ("!ImportValue shared-vpc", #"{"Fn::ImportValue": "shared-vpc"}"#),
        ("!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
         #"{"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}"#),
    ]

    private static func yamlTemplate(value: String) -> String {
        """
        Parameters:
          Name: {Type: String, Default: x}
        Conditions:
          Cond: !Equals [a, a]
        Mappings:
          Map: {a: {b: c}}
        Resources:
          Res:
            Type: AWS::SNS::Topic
          Other:
            Type: AWS::SSM::Parameter
            Properties:
              Value: \(value)
        """
    }

    private static func jsonTemplate(value: String) -> String {
        """
        {"Parameters": {"Name": {"Type": "String", "Default": "x"}},
         "Conditions": {"Cond": {"Fn::Equals": ["a", "a"]}},
         "Mappings": {"Map": {"a": {"b": "c"}}},
         "Resources": {"Res": {"Type": "AWS::SNS::Topic"},
                       "Other": {"Type": "AWS::SSM::Parameter", "Properties": {"Value": \(value)}}}}
        """
    }

    @Test("A short-form tag and its JSON form are the same value", arguments: shortForms)
    func shortFormEqualsLongForm(yaml: String, json: String) throws {
        let fromYAML = try TemplateParser.parse(Self.yamlTemplate(value: yaml), fileName: "t.yaml")
        let fromJSON = try TemplateParser.parse(Self.jsonTemplate(value: json), fileName: "t.json")
        let left = try #require(fromYAML.resource(withID: "Other")?.properties["Value"])
        let right = try #require(fromJSON.resource(withID: "Other")?.properties["Value"])
        #expect(left == right)
        if case .function = left {} else { Issue.record("\(yaml) did not parse as an intrinsic function") }
    }

    @Test("Sections and resource attributes are read")
    func sections() throws {
        let template = try TemplateParser.parse(
            """
            AWSTemplateFormatVersion: "2010-09-09"
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Size: {Type: Number, Default: 3, MinValue: 1, MaxValue: 9, NoEcho: true}
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Condition: Always
                DependsOn: Topic
                Metadata: {owner: team}
                CreationPolicy: {ResourceSignal: {Count: 1}}
                UpdatePolicy: {AutoScalingReplacingUpdate: {WillReplace: true}}
                DeletionPolicy: Retain
                UpdateReplacePolicy: Snapshot
              Topic:
                Type: AWS::SNS::Topic
            Conditions:
              Always: !Equals [a, a]
            Outputs:
              Url: {Value: !Ref Queue, Export: {Name: queue-url}}
            """, fileName: "t.yaml")
        let queue = try #require(template.resource(withID: "Queue"))
        #expect(queue.dependsOn == ["Topic"])
        #expect(queue.condition == "Always")
        #expect(queue.deletionPolicy == "Retain")
        #expect(queue.updateReplacePolicy == "Snapshot")
        #expect(queue.metadata != nil && queue.creationPolicy != nil && queue.updatePolicy != nil)
        #expect(queue.location.line == 6)
        let size = try #require(template.parameter(named: "Size"))
        #expect(size.noEcho && size.minValue == 1 && size.maxValue == 9 && size.defaultValue == "3")
        #expect(template.transform == .string("AWS::Serverless-2016-10-31"))
        #expect(template.outputs.first?.exportName == .string("queue-url"))
    }

    @Test("Anchors and aliases are expanded")
    func anchors() throws {
        let template = try TemplateParser.parse(
            """
            Resources:
              A:
                Type: AWS::SQS::Queue
                Properties: &shared
                  VisibilityTimeout: 30
              B:
                Type: AWS::SQS::Queue
                Properties: *shared
            """, fileName: "t.yaml")
        #expect(template.resource(withID: "A")?.properties == template.resource(withID: "B")?.properties)
    }

    /// Bad input, and the place and name each error must mention.
    static let badInput: [(text: String, mentions: [String])] = [
        ("Resources:\n  A: [unclosed\n", ["t.yaml:", "invalid YAML"]),
        ("{\"Resources\": {\"A\": }", ["t.yaml:2:1", "invalid JSON"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: !Bogus y\n", ["t.yaml:5:", "!Bogus"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n  A:\n    Type: AWS::SNS::Topic\n", ["t.yaml:", "'A'", "twice"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: !Ref Missing\n", ["t.yaml:5:", "'A'", "Missing"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: !GetAtt Nope.Arn\n", ["t.yaml:5:", "Nope"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: !Sub '${Gone}'\n", ["t.yaml:5:", "Gone"]),
        ("Resources:\n  A:\n    Properties: {}\n", ["t.yaml:2:3", "'A'", "no Type"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    DependsOn: B\n  B:\n    Type: AWS::SNS::Topic\n    DependsOn: A\n",
         ["t.yaml:2:3", "A -> B -> A"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: {X: !Ref B}\n  B:\n    Type: AWS::SNS::Topic\n    Properties: {Y: !GetAtt A.Arn}\n",
         ["t.yaml:", "loop"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    DependsOn: Ghost\n", ["t.yaml:4:", "Ghost"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Condition: IsProd\n", ["t.yaml:4:", "'A'", "IsProd"]),
        ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: {X: !If [Nope, 1, 2]}\n", ["t.yaml:4:", "Nope"]),
    ]

    @Test("Bad input gives one clear error naming file, line and logical id", arguments: badInput)
    func badInputErrors(text: String, mentions: [String]) {
        do {
            _ = try TemplateParser.parse(text, fileName: "t.yaml")
            Issue.record("no error for: \(text)")
        } catch {
            let message = "\(error)"
            for mention in mentions {
                #expect(message.contains(mention), "\(message) should mention \(mention)")
            }
        }
    }

    @Test("A template over 1 MB is refused")
    func tooLarge() {
        let text = "Description: " + String(repeating: "x", count: TemplateParser.maximumTemplateBytes)
        #expect(throws: TemplateError.self) { try TemplateParser.parse(text, fileName: "big.yaml") }
    }

    @Test("More than 500 resources is a warning, not an error")
    func quota() throws {
        var text = "Resources:\n"
        for index in 0...TemplateParser.resourceQuota {
            text += "  Topic\(index):\n    Type: AWS::SNS::Topic\n"
        }
        let template = try TemplateParser.parse(text, fileName: "many.yaml")
        #expect(template.warnings.count == 1)
        #expect(template.warnings.first?.contains("500") == true)
    }

    @Test("JSON and YAML of the same template have the same digest")
    func digestIgnoresFormat() throws {
        let folder = try Fixtures.changeSetFolder("json-vs-yaml")
        let json = try TemplateParser.parse(try Fixtures.text(folder.appendingPathComponent("old.json")), fileName: "old.json")
        let yaml = try TemplateParser.parse(try Fixtures.text(folder.appendingPathComponent("new.yaml")), fileName: "new.yaml")
        #expect(json.contentDigest == yaml.contentDigest)
        #expect(json.contentDigest.count == 64)
    }
}

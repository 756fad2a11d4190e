import Foundation
import Testing
import TollgateCore

/// AWS SAM, language extensions and included snippets: planned at the level the author wrote.
@Suite("Transforms")
struct TransformTests {
    private func snapshot(_ text: String, parameters: [String: String] = [:]) throws -> StackSnapshot {
        try StackSnapshot(
            template: try TemplateParser.parse(text, fileName: "template.yaml"),
            configuration: TemplateConfiguration(parameters: parameters, fileName: "config.json"))
    }

    private func plan(_ old: String, _ new: String, oldParameters: [String: String] = [:], newParameters: [String: String] = [:]) throws -> ChangeSet {
        try ChangePlanner().plan(
            stackName: "orders", commit: "c0ffee1", base: try snapshot(old, parameters: oldParameters),
            target: try snapshot(new, parameters: newParameters))
    }

    static func sam(memory: Int, functionName: String = "orders") -> String {
        """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Runtime: python3.12
            MemorySize: \(memory)
            Environment:
              Variables: {TABLE: orders}
        Resources:
          Handler:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: \(functionName)
              Handler: app.handler
              CodeUri: s3://bucket/code.zip
              Environment:
                Variables: {STAGE: prod}
        """
    }

    @Test("Globals are merged into each SAM resource as SAM documents it")
    func globalsMerged() throws {
        let template = try TemplateParser.parse(Self.sam(memory: 128), fileName: "t.yaml")
        let properties = try #require(template.resource(withID: "Handler")?.properties)
        #expect(properties["MemorySize"] == .number("128"))
        #expect(properties["Runtime"] == .string("python3.12"))
        let variables = properties["Environment"]?.mapValue?["Variables"]?.mapValue
        #expect(variables?["TABLE"] == .string("orders") && variables?["STAGE"] == .string("prod"))
    }

    @Test("A Globals change of memory modifies the function in place")
    func globalsMemoryChange() throws {
        let changeSet = try plan(Self.sam(memory: 128), Self.sam(memory: 512))
        let change = try #require(changeSet.resourceChanges.first)
        #expect(change.logicalResourceId == "Handler" && change.action == .modify && change.replacement == .false)
        #expect(change.details.map(\.target.name) == ["MemorySize"])
        #expect(changeSet.transforms.first?.mayChangeAnything == false)
        #expect(changeSet.transforms.first?.note.contains("expands") == true)
        #expect(!changeSet.isDestructive)
    }

    @Test("Renaming a SAM function replaces it, as Lambda's FunctionName is create-only")
    func functionRenamed() throws {
        let changeSet = try plan(Self.sam(memory: 128), Self.sam(memory: 128, functionName: "orders-v2"))
        #expect(changeSet.resourceChanges.first?.replacement == .true)
    }

    @Test("Globals without the SAM transform are refused with the line")
    func globalsWithoutTransform() {
        let text = "Globals:\n  Function: {Runtime: python3.12}\nResources:\n  T: {Type: AWS::SNS::Topic}\n"
        let error = #expect(throws: TemplateError.self) { try TemplateParser.parse(text, fileName: "t.yaml") }
        #expect(error.map { "\($0)" }?.hasPrefix("t.yaml:1:") == true)
    }

    static func loop(_ names: String) -> String {
        """
        Transform: AWS::LanguageExtensions
        Parameters:
          Names: {Type: CommaDelimitedList, Default: "\(names)"}
        Resources:
          Fn::ForEach::Topics:
            - Name
            - !Ref Names
            - Topic${Name}:
                Type: AWS::SNS::Topic
                Properties:
                  TopicName: !Sub orders-${Name}
        Outputs:
          Fn::ForEach::Arns:
            - Name
            - !Ref Names
            - Arn${Name}:
                Value: !Ref
                  Fn::Sub: Topic${Name}
        """
    }

    @Test("Fn::ForEach is expanded offline; an element more adds a resource")
    func forEachGainsElement() throws {
        let changeSet = try plan(Self.loop("a,b"), Self.loop("a,b,c"))
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["Topicc"])
        #expect(changeSet.resourceChanges.first?.action == .add)
        #expect(try plan(Self.loop("a,b"), Self.loop("a,b")).isEmpty)
    }

    @Test("Fn::ForEach elements come from the configuration, not only the Default")
    func forEachFromConfiguration() throws {
        let changeSet = try plan(Self.loop("a"), Self.loop("a"), oldParameters: ["Names": "a"], newParameters: ["Names": "a,z"])
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["Topicz"])
    }

    @Test("Fn::Length counts a known list")
    func length() throws {
        let text = { (names: String) in
            """
            Transform: AWS::LanguageExtensions
            Parameters:
              Names: {Type: CommaDelimitedList, Default: "\(names)"}
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Properties: {DelaySeconds: !Length [a, b]}
              Other:
                Type: AWS::SQS::Queue
                Properties: {DelaySeconds: !Length {Ref: Names}}
            """
        }
        let changeSet = try plan(text("a,b"), text("a,b,c"))
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["Other"])
        #expect(changeSet.resourceChanges.first?.details.first?.target.afterValue == "3")
    }

    @Test("AWS::Include is a transform whose content Tollgate cannot see, so destructive")
    func include() throws {
        let plain = "Resources:\n  T: {Type: AWS::SNS::Topic}\n"
        let text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Fn::Transform:\n        - Name: AWS::Include\n          Parameters: {Location: s3://bucket/snippet.yaml}\n"
        let changeSet = try plan(plain, text)
        #expect(changeSet.transforms.map(\.name) == ["AWS::Include"])
        #expect(changeSet.isDestructive)
    }

    @Test("The replacement table names a schema and user guide disagreement and predicts the worse")
    func disagreement() throws {
        let text = { (domain: String) in "Resources:\n  Ip:\n    Type: AWS::EC2::EIP\n    Properties: {Domain: \(domain)}\n" }
        let changeSet = try plan(text("standard"), text("vpc"))
        let change = try #require(changeSet.resourceChanges.first)
        #expect(change.replacement == .true)
        #expect(change.note?.contains("user guide") == true && change.note?.contains("AWS::EC2::EIP.Domain") == true)
    }
}

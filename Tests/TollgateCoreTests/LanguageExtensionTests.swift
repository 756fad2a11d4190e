import Foundation
import Testing
import TollgateCore

/// `Fn::ToJsonString` and conditions made by `Fn::ForEach`, evaluated offline as
/// `AWS::LanguageExtensions` evaluates them.
@Suite("Language extensions")
struct LanguageExtensionTests {
    private func snapshot(_ text: String, parameters: [String: String] = [:], missing: MissingParameterValues = .refuse) throws -> StackSnapshot {
        try StackSnapshot(
            template: try TemplateParser.parse(text, fileName: "template.yaml"),
            configuration: TemplateConfiguration(parameters: parameters, fileName: "config.json"), missingParameters: missing)
    }

    private func plan(_ old: StackSnapshot, _ new: StackSnapshot) throws -> ChangeSet {
        try ChangePlanner().plan(stackName: "orders", commit: "c0ffee1", base: old, target: new)
    }

    static func json(_ value: String, parameters: String = "Name: {Type: String, Default: resolvedValue}") -> String {
        """
        Transform: AWS::LanguageExtensions
        Parameters:
          \(parameters)
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              RedrivePolicy: !ToJsonString \(value)
        """
    }

    /// The value `Fn::ToJsonString` gives, read from the change that adds it.
    private func evaluated(_ value: String) throws -> String? {
        let empty = try snapshot(Self.json("{}"))
        let changeSet = try plan(empty, try snapshot(Self.json(value)))
        return changeSet.resourceChanges.first?.details.first?.target.afterValue
    }

    @Test("Fn::ToJsonString gives the user guide's text: written key order, no spaces, resolved references", arguments: [
        // The user guide's two examples (the array one with one object per element).
        ("{key1: value1, key2: !Ref Name}", #"{"key1":"value1","key2":"resolvedValue"}"#),
        ("[{key1: value1}, {key2: !Ref Name}]", #"[{"key1":"value1"},{"key2":"resolvedValue"}]"#),
        // Key order is the template's, not sorted.
        ("{zeta: 1, alpha: 2}", #"{"zeta":1,"alpha":2}"#),
        // Numbers as written when JSON can write them; booleans and null as JSON; quoted numbers stay strings.
        ("{port: 8080, ratio: 0.5, big: 1e3, on: true, none: null, quoted: '42'}",
         #"{"port":8080,"ratio":0.5,"big":1e3,"on":true,"none":null,"quoted":"42"}"#),
        // A YAML-only numeral is not JSON, so it is written as the string CloudFormation reads.
        ("{hex: 0x1F}", #"{"hex":"0x1F"}"#),
        // Escaping: quotes, backslashes and control characters; non-ASCII and slashes as they are.
        (#"{text: "say \"hi\"\\ /café\n"}"#, #"{"text":"say \"hi\"\\ /café\n"}"#),
        // AWS::NoValue drops the key; Fn::If and Fn::Sub over known values are evaluated first.
        ("{a: !Ref AWS::NoValue, b: !Sub '${Name}-x', c: !Join ['-', [a, b]]}", #"{"b":"resolvedValue-x","c":"a-b"}"#),
    ])
    func toJsonString(value: String, expected: String) throws {
        // A string's after value is shown as its text.
        #expect(try evaluated(value) == expected)
    }

    @Test("The same JSON written in another key order is a change, since the string differs")
    func keyOrderMatters() throws {
        let changeSet = try plan(try snapshot(Self.json("{a: 1, b: 2}")), try snapshot(Self.json("{b: 2, a: 1}")))
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["Queue"])
        #expect(try plan(try snapshot(Self.json("{a: 1, b: 2}")), try snapshot(Self.json("{\"a\": '1', b: 2}"))).resourceChanges.count == 1)
    }

    @Test("A parameter value change reaches the string Fn::ToJsonString makes")
    func parameterReachesString() throws {
        let text = Self.json("{key: !Ref Name}")
        let changeSet = try plan(try snapshot(text, parameters: ["Name": "a"]), try snapshot(text, parameters: ["Name": "b"]))
        let detail = try #require(changeSet.resourceChanges.first?.details.first)
        #expect(detail.causingEntity == "Name" && detail.evaluation == .static)
        #expect(detail.target.afterValue == #"{"key":"b"}"#)
    }

    @Test("A value known only at apply time inside Fn::ToJsonString makes it Dynamic")
    func unknownInside() throws {
        let parameters = "Name: {Type: String}"
        let old = try snapshot(Self.json("{key: !Ref Name}", parameters: parameters), missing: .unknown)
        let new = try snapshot(Self.json("{key: !Ref Name, more: 1}", parameters: parameters), missing: .unknown)
        #expect(try plan(old, old).isEmpty)
        let detail = try #require(try plan(old, new).resourceChanges.first?.details.first)
        #expect(detail.evaluation == .dynamic)
        #expect(detail.target.afterValue?.contains("Fn::ToJsonString") == true)
    }

    static func conditionLoop(target: String, extra: String = "") -> String {
        """
        Transform: AWS::LanguageExtensions
        Parameters:
          Envs: {Type: CommaDelimitedList, Default: "dev,prod"}
          Target: {Type: String, Default: \(target)}
        Conditions:
          Fn::ForEach::EnvConditions:
            - Env
            - !Ref Envs
            - Is${Env}: !Equals [!Ref Target, !Ref Env]
          Both: !And [{Condition: Isdev}, {Condition: Isprod}]
        Resources:
          ProdTopic:
            Type: AWS::SNS::Topic
            Condition: Isprod
          Named:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !If [Isdev, dev-topic, !Ref AWS::NoValue]
          Fn::ForEach::Queues:
            - Env
            - !Ref Envs
            - Queue${Env}:
                Type: AWS::SQS::Queue
                Condition: !Sub Is${Env}
        Outputs:
          ProdArn:
            Condition: Isprod
            Value: !Ref ProdTopic
        \(extra)
        """
    }

    @Test("Conditions made by Fn::ForEach are referenced by Condition, Fn::If, Condition in loops and other conditions")
    func forEachConditions() throws {
        let prod = try snapshot(Self.conditionLoop(target: "prod"))
        #expect(try plan(prod, prod).isEmpty)
        let changeSet = try plan(prod, try snapshot(Self.conditionLoop(target: "dev")))
        let actions = Dictionary(uniqueKeysWithValues: changeSet.resourceChanges.map { ($0.logicalResourceId, $0.action) })
        #expect(actions == ["ProdTopic": .remove, "Queueprod": .remove, "Queuedev": .add, "Named": .modify])
        #expect(changeSet.templateChanges.contains { $0.section == "Outputs" && $0.name == "ProdArn" && $0.action == .remove })
    }

    @Test("A Condition naming what no loop makes is refused with the line", arguments: [
        ("    Condition: Isprod\n", "    Condition: Istest\n"),
        ("Condition: !Sub Is${Env}", "Condition: !Sub Was${Env}"),
    ])
    func undeclaredLoopCondition(original: String, broken: String) throws {
        let text = Self.conditionLoop(target: "prod").replacingOccurrences(of: original, with: broken)
        #expect(text != Self.conditionLoop(target: "prod"))
        let error = #expect(throws: TemplateError.self) { try plan(try snapshot(text), try snapshot(text)) }
        #expect(error.map { "\($0)" }?.contains("template.yaml:") == true)
        #expect(error.map { "\($0)" }?.contains("not declared") == true)
    }
}

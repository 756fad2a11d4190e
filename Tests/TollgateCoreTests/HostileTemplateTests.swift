import Testing
import TollgateCore
import TollgateTestSupport

/// Inputs written to exhaust memory, time or stack: each is refused with an error that names the
/// file, the place and the limit, instead of being expanded.
@Suite("Hostile templates")
struct HostileTemplateTests {

    private func templateError(_ text: String, file: String = "Stacks/x/template.yaml") -> TemplateError? {
        #expect(throws: TemplateError.self) { try TemplateParser.parse(text, fileName: file) }
    }

    @Test("A billion-laughs template is refused at the alias that passes the expansion limit")
    func billionLaughs() throws {
        #expect(HostileInput.aliasBomb.utf8.count < 600)
        let error = try #require(templateError(HostileInput.aliasBomb))
        guard case .limitExceeded(let location, _) = error else {
            Issue.record("expected a limit error, got \(error)")
            return
        }
        #expect(location.fileName == "Stacks/x/template.yaml")
        #expect((4...10).contains(location.line))
        #expect(error.description.hasPrefix("Stacks/x/template.yaml:\(location.line):\(location.column): "))
        #expect(error.description.contains("expand to more than 1048576 bytes"))
    }

    @Test("An alias bomb used as a mapping key is refused before anything hashes it")
    func bombAsKey() throws {
        let text = HostileInput.aliasBomb + "Outputs:\n  ? *i\n  : {Value: x}\n"
        let error = try #require(templateError(text))
        #expect(error.description.contains("expand to more than"))
    }

    @Test("The same bomb in JSON-free YAML of every reader: configuration, policy and settings")
    func everyReader() throws {
        let bomb = "Parameters:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + (1...8).map { "  p\($0): &a\($0) [" + Array(repeating: $0 == 1 ? "*a" : "*a\($0 - 1)", count: 10).joined(separator: ", ") + "]\n" }
                .joined()
        let configuration = #expect(throws: ConfigurationError.self) {
            try TemplateConfiguration.parse(bomb, fileName: "Stacks/x/config.json")
        }
        #expect(configuration?.description.hasPrefix("Stacks/x/config.json:") == true)
        #expect(configuration?.description.contains("expand to more than") == true)

        let settings = #expect(throws: LayoutError.self) { try RepositorySettings.parse(bomb, file: "tollgate.yaml") }
        #expect(settings?.description.hasPrefix("tollgate.yaml:") == true)
        #expect(settings?.description.contains("expand to more than") == true)

        let policy = #expect(throws: PolicyError.self) { try ReviewerDirectory.parse(bomb) }
        #expect(policy?.file == "Policies/reviewers.yaml")
        #expect(policy?.line != nil)
        #expect(policy?.message.contains("expand to more than") == true)
    }

    @Test("More aliases than the limit are refused even when each is tiny")
    func aliasCount() throws {
        let text = "Metadata:\n  x: &x 1\n  list: [" + Array(repeating: "*x", count: YAMLLimits.maximumAliases + 1).joined(separator: ", ") + "]\n"
        let error = try #require(templateError(text))
        #expect(error.description.contains("more than \(YAMLLimits.maximumAliases) YAML aliases"))
        // At the limit itself the template is read.
        let atLimit = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Metadata:\n      x: &x 1\n      list: ["
            + Array(repeating: "*x", count: YAMLLimits.maximumAliases).joined(separator: ", ") + "]\n"
        #expect(try TemplateParser.parse(atLimit, fileName: "t.yaml").resources.count == 1)
    }

    @Test("100,000 nested brackets and deeply nested mappings are refused, not recursed into")
    func deepNesting() throws {
        let brackets = "{\"Resources\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let json = try #require(templateError(brackets, file: "deep.json"))
        #expect(json.description.hasPrefix("deep.json:1:"))
        #expect(json.description.contains("nested more than \(YAMLLimits.maximumDepth) levels"))

        var yaml = "Resources:\n"
        for level in 1...300 { yaml += String(repeating: " ", count: level) + "k\(level):\n" }
        yaml += String(repeating: " ", count: 301) + "leaf\n"
        let mapping = try #require(templateError(yaml))
        #expect(mapping.description.contains("nested more than \(YAMLLimits.maximumDepth) levels"))
    }

    @Test("An alias cannot nest a structure past the depth limit")
    func depthThroughAliases() throws {
        let deep = "&d " + String(repeating: "[", count: 100) + "x" + String(repeating: "]", count: 100)
        let text = "Metadata:\n  a: \(deep)\n  b: " + String(repeating: "[", count: 60) + "*d" + String(repeating: "]", count: 60) + "\n"
        let error = try #require(templateError(text))
        #expect(error.description.contains("nested more than"))
    }

    @Test("An alias to the node that contains it is an error, not a loop")
    func selfReference() throws {
        let error = try #require(templateError("Metadata:\n  a: &loop [1, [2, *loop]]\n"))
        #expect(error.description.hasPrefix("Stacks/x/template.yaml:2:"))
        #expect(error.description.contains("'*loop' refers to a node that contains it"))
    }

    @Test("Anchors and aliases within the limits still read as their values")
    func ordinaryAliases() throws {
        let text = """
            Resources:
              A:
                Type: AWS::SNS::Topic
                Properties: &props {TopicName: shared}
              B:
                Type: AWS::SNS::Topic
                Properties: *props

            """
        let template = try TemplateParser.parse(text, fileName: "t.yaml")
        #expect(template.resources.count == 2)
        #expect(template.resources[1].properties == template.resources[0].properties)
        #expect(template.resources[1].properties["TopicName"] == .string("shared"))
    }

    @Test("Templates over 1 MB are refused from their size, before parsing")
    func oversizedTemplate() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "#"), count: TemplateParser.maximumTemplateBytes + 1)
        let error = #expect(throws: TemplateError.self) { try TemplateParser.parse(bytes, fileName: "big.yaml") }
        #expect(error == .tooLarge(fileName: "big.yaml", bytes: TemplateParser.maximumTemplateBytes + 1, limit: TemplateParser.maximumTemplateBytes))
    }

    // MARK: Parameter values

    private static let oneParameter = "Parameters:\n  P: {Type: String}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Ref P}\n"

    @Test("A parameter value over CloudFormation's 4,096 bytes is refused, naming file and parameter")
    func parameterValueLimit() throws {
        let template = try TemplateParser.parse(Self.oneParameter, fileName: "t.yaml")
        let fits = try TemplateConfiguration.parse(
            #"{"Parameters": {"P": "\#(String(repeating: "v", count: 4_096))"}}"#, fileName: "Stacks/x/config.json")
        #expect(try fits.resolveParameters(for: template).values["P"]?.utf8.count == 4_096)

        let tooLong = try TemplateConfiguration.parse(
            #"{"Parameters": {"P": "\#(String(repeating: "v", count: 4_097))"}}"#, fileName: "Stacks/x/config.json")
        let error = #expect(throws: ConfigurationError.self) { try tooLong.resolveParameters(for: template) }
        guard case .valueTooLong(let location, let name, let bytes, let limit) = error else {
            Issue.record("expected valueTooLong, got \(String(describing: error))")
            return
        }
        #expect(location.fileName == "Stacks/x/config.json" && location.line == 1)
        #expect(name == "P" && bytes == 4_097 && limit == 4_096)
        #expect(error?.description.contains(String(repeating: "v", count: 100)) == false, "the value itself is not repeated")
    }

    // MARK: Evaluation

    private func snapshot(_ text: String, parameters: [String: String] = [:]) throws -> StackSnapshot {
        StackSnapshot(template: try TemplateParser.parse(text, fileName: "t.yaml"), parameters: ResolvedParameters(values: parameters))
    }

    private func planError(base: StackSnapshot, target: StackSnapshot) -> ChangePlanError? {
        #expect(throws: ChangePlanError.self) {
            try ChangePlanner().plan(stackName: "x", commit: "c", base: base, target: target)
        }
    }

    @Test("Fn::Join over 60,000 references to a 200 KB value is refused before the string is built")
    func joinAmplification() throws {
        let references = Array(repeating: "!Ref P", count: 60_000).joined(separator: ", ")
        let text = "Parameters:\n  P: {Type: String}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n"
            + "    Properties:\n      TopicName: !Join ['', [\(references)]]\n"
        let base = try snapshot(text, parameters: ["P": "short"])
        let target = try snapshot(text, parameters: ["P": String(repeating: "x", count: 200_000)])
        let error = try #require(planError(base: base, target: target))
        #expect(error.description.hasPrefix("t.yaml:4:"))
        #expect(error.description.contains("evaluating resource 'T' takes the values built from the template past 16777216 bytes"))
    }

    @Test("One Fn::Join result over 1 MB is refused although the template's budget has room")
    func joinValueLimit() throws {
        let references = Array(repeating: "!Ref P", count: 300).joined(separator: ", ")
        let text = "Parameters:\n  P: {Type: String}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n"
            + "    Properties:\n      TopicName: !Join ['', [\(references)]]\n"
        let error = try #require(planError(
            base: try snapshot(text, parameters: ["P": "a"]), target: try snapshot(text, parameters: ["P": String(repeating: "x", count: 4_000)])))
        #expect(error.description.hasPrefix("t.yaml:4:"))
        #expect(error.description.contains("evaluating resource 'T' builds a value of 1200000 bytes"))
        #expect(error.description.contains("over the limit of 1048576 bytes"))
    }

    @Test("A list of 60,000 references to a 4 KB parameter is refused before its change detail is shown")
    func referenceList() throws {
        let references = Array(repeating: "!Ref P", count: 60_000).joined(separator: ", ")
        let text = "Parameters:\n  P: {Type: String}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n"
            + "    Properties:\n      Subscription: [\(references)]\n"
        let error = try #require(planError(
            base: try snapshot(text, parameters: ["P": "a"]), target: try snapshot(text, parameters: ["P": String(repeating: "x", count: 4_096)])))
        #expect(error.description.contains("evaluating resource 'T' takes the values built from the template past"))
    }

    @Test("Mapping entries repeated by Fn::FindInMap count too")
    func findInMapAmplification() throws {
        let lookups = Array(repeating: "!FindInMap [M, k, v]", count: 2_000).joined(separator: ", ")
        let text = "Parameters:\n  P: {Type: String}\nMappings:\n  M: {k: {v: '\(String(repeating: "m", count: 100_000))'}}\n"
            + "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref P\n      Subscription: [\(lookups)]\n"
        let error = try #require(planError(
            base: try snapshot(text, parameters: ["P": "a"]), target: try snapshot(text, parameters: ["P": "b"])))
        #expect(error.description.contains("evaluating resource 'T'"))
    }

    @Test("Fn::Sub cannot multiply a value past the limit either")
    func subAmplification() throws {
        let pattern = String(repeating: "${V}", count: 600)
        let text = "Parameters:\n  P: {Type: String}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n"
            + "    Properties:\n      TopicName: !Sub ['\(pattern)', {V: !Ref P}]\n"
        let error = try #require(planError(
            base: try snapshot(text, parameters: ["P": "a"]), target: try snapshot(text, parameters: ["P": String(repeating: "x", count: 4_000)])))
        #expect(error.description.contains("evaluating resource 'T' builds a value of"))
    }

    @Test("Many values each under the limit are refused once together they pass the template's budget")
    func totalBudget() throws {
        let references = Array(repeating: "!Ref P", count: 250).joined(separator: ", ")
        var text = "Parameters:\n  P: {Type: String}\nResources:\n"
        for index in 0..<20 {
            text += "  T\(index):\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Join ['', [\(references)]]\n"
        }
        let error = try #require(planError(
            base: try snapshot(text, parameters: ["P": "a"]), target: try snapshot(text, parameters: ["P": String(repeating: "x", count: 4_096)])))
        #expect(error.description.contains("past 16777216 bytes"))
    }

    @Test("A list parameter referenced many times counts its items")
    func listParameterAmplification() throws {
        let references = Array(repeating: "!Ref L", count: 20_000).joined(separator: ", ")
        let text = "Parameters:\n  L: {Type: CommaDelimitedList}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n"
            + "    Properties:\n      Subscription: [\(references)]\n"
        let items = Array(repeating: "a", count: 2_000).joined(separator: ",")
        let error = try #require(planError(
            base: try snapshot(text, parameters: ["L": "b"]), target: try snapshot(text, parameters: ["L": items])))
        #expect(error.description.contains("evaluating resource 'T'"))
    }

    @Test("Conditions that name each other twice at every level are evaluated once each")
    func conditionFanOut() throws {
        var text = "Parameters:\n  P: {Type: String}\nConditions:\n  C40: !Equals [!Ref P, on]\n"
        for level in 0..<40 {
            text += "  C\(level): !And [!Condition C\(level + 1), !Condition C\(level + 1)]\n"
        }
        text += "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !If [C0, a, b]\n"
        let changeSet = try ChangePlanner().plan(
            stackName: "x", commit: "c", base: try snapshot(text, parameters: ["P": "off"]), target: try snapshot(text, parameters: ["P": "on"]))
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["T"])
    }
}

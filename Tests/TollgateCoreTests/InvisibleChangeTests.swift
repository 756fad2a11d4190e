import Foundation
import Testing
import TollgateCore

/// Every part of a template that changes what CloudFormation does is in the change set and
/// its digest: nothing can ride unseen on the next innocent change.
@Suite("No invisible change")
struct InvisibleChangeTests {
    static let plain = """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
        """

    private func plan(_ old: String, _ new: String, oldTags: [String: String] = [:], newTags: [String: String] = [:]) throws -> ChangeSet {
        func snapshot(_ text: String, _ tags: [String: String]) throws -> StackSnapshot {
            try StackSnapshot(
                template: try TemplateParser.parse(text, fileName: "template.yaml"),
                configuration: TemplateConfiguration(tags: tags, fileName: "config.json"))
        }
        return try ChangePlanner().plan(
            stackName: "orders", commit: "c0ffee1", base: try snapshot(old, oldTags), target: try snapshot(new, newTags))
    }

    @Test("Adding a macro is a change, destructive, and names the macro")
    func macroAdded() throws {
        let changeSet = try plan(Self.plain, "Transform: [SomeMacro]\n" + Self.plain)
        #expect(!changeSet.isEmpty)
        #expect(changeSet.templateChanges.map(\.section) == ["Transform"])
        #expect(changeSet.templateChanges.first?.action == .add)
        #expect(changeSet.transforms.map(\.name) == ["SomeMacro"])
        #expect(changeSet.opaqueTransforms == ["SomeMacro"])
        #expect(changeSet.isDestructive)
    }

    @Test("A change set of a template that runs a macro is destructive even for an added output")
    func macroMakesEveryChangeDestructive() throws {
        let old = "Transform: SomeMacro\n" + Self.plain
        let changeSet = try plan(old, old + "\nOutputs:\n  Arn: {Value: !Ref Topic}\n")
        #expect(changeSet.resourceChanges.isEmpty)
        #expect(changeSet.isDestructive)
        let subject = ReviewSubject(
            changeSetID: "cs", target: .stack("orders"), digest: changeSet.digest,
            opaqueTransforms: changeSet.opaqueTransforms)
        #expect(subject.isDestructive)
    }

    @Test("The transform list survives the stored JSON, and old JSON without it still decodes")
    func transformsRoundTrip() throws {
        let changeSet = try plan(Self.plain, "Transform: SomeMacro\n" + Self.plain)
        let decoded = try JSONDecoder().decode(ChangeSet.self, from: try JSONEncoder().encode(changeSet))
        #expect(decoded.opaqueTransforms == ["SomeMacro"])
        var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(changeSet)) as? [String: Any])
        object["Transforms"] = nil
        let old = try JSONDecoder().decode(ChangeSet.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(old.transforms.isEmpty)
    }

    @Test("Rules, read metadata, outputs, mappings, conditions and tags are changes", arguments: [
        ("Rules", "Rules:\n  R:\n    Assertions:\n      - Assert: !Equals [a, a]\n"),
        ("Metadata", "Metadata:\n  Custom::Settings: {Mode: strict}\n"),
        ("Outputs", "Outputs:\n  Arn: {Value: !Ref Topic}\n"),
        ("Mappings", "Mappings:\n  M: {a: {b: c}}\n"),
        ("Conditions", "Conditions:\n  C: !Equals [a, b]\n"),
    ])
    func sectionChanges(section: String, text: String) throws {
        let changeSet = try plan(Self.plain, Self.plain + "\n" + text)
        #expect(changeSet.templateChanges.map(\.section) == [section])
        #expect(!changeSet.isDestructive)
    }

    @Test("Console-only metadata stays cosmetic, but enters the template digest")
    func interfaceMetadataCosmetic() throws {
        let withInterface = "Metadata:\n  AWS::CloudFormation::Interface: {ParameterGroups: []}\n" + Self.plain
        #expect(try plan(Self.plain, withInterface).isEmpty)
        let before = try TemplateParser.parse(Self.plain, fileName: "a.yaml").contentDigest
        let after = try TemplateParser.parse(withInterface, fileName: "a.yaml").contentDigest
        #expect(before != after)
    }

    @Test("Resource metadata that cfn-init reads is a Metadata change of the resource")
    func cfnInitMetadata() throws {
        let old = """
            Resources:
              Host:
                Type: AWS::EC2::Instance
                Metadata:
                  AWS::CloudFormation::Init: {config: {packages: {yum: {httpd: []}}}}
                Properties: {ImageId: ami-12345678}
            """
        let changeSet = try plan(old, old.replacingOccurrences(of: "httpd", with: "nginx"))
        let change = try #require(changeSet.resourceChanges.first)
        #expect(change.scope == [.metadata])
        #expect(change.replacement == .false)
    }

    @Test("Stack tags are changes")
    func stackTags() throws {
        let changeSet = try plan(Self.plain, Self.plain, oldTags: ["team": "a"], newTags: ["team": "b"])
        #expect(changeSet.templateChanges.map(\.section) == ["Tags"])
    }

    @Test("Templates without the new sections keep their digests")
    func digestStable() throws {
        let first = try plan(Self.plain, Self.plain + "\nOutputs:\n  Arn: {Value: !Ref Topic}\n")
        let again = try plan(Self.plain, Self.plain + "\nOutputs:\n  Arn: {Value: !Ref Topic}\n")
        #expect(first.digest == again.digest)
        let ruled = try plan(Self.plain, Self.plain + "\nOutputs:\n  Arn: {Value: !Ref Topic}\nRules:\n  R: {Assertions: []}\n")
        #expect(ruled.digest != first.digest)
    }
}

@Suite("Configuration keys")
struct ConfigurationKeyTests {
    @Test("An unknown key names the file, its line and the key")
    func unknownKey() {
        let text = "{\n  \"Parameters\": {},\n  \"Tagz\": {}\n}\n"
        let error = #expect(throws: ConfigurationError.self) {
            try TemplateConfiguration.parse(text, fileName: "Stacks/orders/config.json")
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.hasPrefix("Stacks/orders/config.json:3:3:"))
        #expect(message.contains("'Tagz'"))
    }

    @Test("A StackPolicy is refused and the message says where stack policies live")
    func stackPolicyRefused() {
        let text = "{\"Parameters\": {},\n \"StackPolicy\": {\"Statement\": []}}"
        let error = #expect(throws: ConfigurationError.self) {
            try TemplateConfiguration.parse(text, fileName: "Stacks/orders/config.json")
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.hasPrefix("Stacks/orders/config.json:2:2:"))
        #expect(message.contains("Policies/stack-policies/"))
    }
}

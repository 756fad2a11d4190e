import Testing
import TollgateCore

/// A stack kept as `{name}.yaml` and `{name}.json`: `prefer` says which is the stack.
@Suite("Twin templates")
struct TwinTemplateTests {
    static let twinLayout = """
        prefer: yaml
        stacks:
          - template: "cfn/{name}.yaml"
          - template: "cfn/{name}.json"
        """

    @Test("prefer: yaml picks the YAML twin")
    func preferYAML() throws {
        let settings = try RepositorySettings.parse(Self.twinLayout, file: "tollgate.yaml")
        #expect(settings.layout.prefer == "yaml")
        #expect(settings.layout.template(among: ["cfn/orders.json", "cfn/orders.yaml"]) == "cfn/orders.yaml")
        #expect(settings.layout.template(among: ["cfn/orders.json"]) == "cfn/orders.json")
    }

    @Test("Without prefer, twins stay an error that says how to settle them")
    func twinsWithoutPrefer() throws {
        let settings = try RepositorySettings.parse("stacks:\n  - template: \"cfn/{name}.yaml\"\n  - template: \"cfn/{name}.json\"\n", file: "tollgate.yaml")
        #expect(settings.layout.template(among: ["cfn/orders.json", "cfn/orders.yaml"]) == nil)
        let message = LayoutError.duplicateStack(name: "orders", firstPath: "cfn/orders.yaml", secondPath: "cfn/orders.json", commit: nil).description
        #expect(message.contains("prefer: yaml"))
    }

    @Test("prefer names a template ending, with the line when it does not")
    func invalidPrefer() {
        #expect {
            _ = try RepositorySettings.parse("prefer: toml\n", file: "tollgate.yaml")
        } throws: { error in
            "\(error)".hasPrefix("tollgate.yaml:1:") && "\(error)".contains("prefer")
        }
    }
}

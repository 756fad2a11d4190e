import Testing
import TollgateCore

@Suite("Template configuration")
struct ConfigurationTests {
    static let template = """
        Parameters:
          Env: {Type: String, AllowedValues: [prod, dev]}
          Port: {Type: Number, Default: "80", MinValue: 1, MaxValue: 65535}
          Name: {Type: String, Default: svc, AllowedPattern: "[a-z]+", MinLength: 2, MaxLength: 8}
          Secret: {Type: String, Default: hunter2, NoEcho: true, MinLength: 6}
          Vpc: {Type: "AWS::EC2::VPC::Id", Default: vpc-0123abcd}
          Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: "subnet-0123abcd,subnet-4567ef01"}
        Resources:
          Topic:
            Type: AWS::SNS::Topic
        """

    private func resolve(_ configuration: String) throws -> ResolvedParameters {
        let template = try TemplateParser.parse(Self.template, fileName: "template.yaml")
        return try TemplateConfiguration.parse(configuration, fileName: "config.json").resolveParameters(for: template)
    }

    @Test("TemplateConfiguration object with parameters and tags")
    func objectForm() throws {
        let configuration = try TemplateConfiguration.parse(
            #"{"Parameters": {"Env": "prod"}, "Tags": {"team": "payments"}}"#, fileName: "config.json")
        #expect(configuration.parameters == ["Env": "prod"])
        #expect(configuration.tags == ["team": "payments"])
        #expect(configuration.warnings.isEmpty)
    }

    @Test("The CLI's ParameterKey list is accepted too")
    func listForm() throws {
        let configuration = try TemplateConfiguration.parse(
            #"[{"ParameterKey": "Env", "ParameterValue": "dev"}, {"ParameterKey": "Port", "ParameterValue": "8080"}]"#,
            fileName: "params.json")
        #expect(configuration.parameters == ["Env": "dev", "Port": "8080"])
    }

    @Test("Unquoted numbers and booleans become strings with one warning")
    func unquotedNumbers() throws {
        let configuration = try TemplateConfiguration.parse(
            #"{"Parameters": {"Env": "dev", "Port": 8080, "Flag": true}}"#, fileName: "config.json")
        #expect(configuration.parameters["Port"] == "8080")
        #expect(configuration.parameters["Flag"] == "true")
        #expect(configuration.warnings.count == 1)
        #expect(configuration.warnings.first?.contains("CodePipeline") == true)
        #expect(configuration.warnings.first?.contains("Port") == true)
    }

    @Test("Defaults fill in and values resolve")
    func defaults() throws {
        let resolved = try resolve(#"{"Parameters": {"Env": "prod"}}"#)
        #expect(resolved.values["Port"] == "80")
        #expect(resolved.values["Env"] == "prod")
        #expect(resolved.displayValue(of: "Secret") == "****")
        #expect(resolved.noEcho == ["Secret"])
    }

    /// A configuration and words its error must contain.
    static let invalid: [(configuration: String, mentions: [String])] = [
        (#"{"Parameters": {"Env": "prod", "Nope": "x"}}"#, ["config.json:1:32", "Nope", "not declared"]),
        (#"{"Parameters": {}}"#, ["config.json", "Env", "template.yaml:2:3", "no value"]),
        (#"{"Parameters": {"Env": "staging"}}"#, ["config.json:1:17", "Env", "AllowedValues"]),
        (#"{"Parameters": {"Env": "prod", "Name": "ABC"}}"#, ["Name", "AllowedPattern"]),
        (#"{"Parameters": {"Env": "prod", "Name": "a"}}"#, ["Name", "MinLength"]),
        (#"{"Parameters": {"Env": "prod", "Name": "abcdefghij"}}"#, ["Name", "MaxLength"]),
        (#"{"Parameters": {"Env": "prod", "Port": "70000"}}"#, ["Port", "MaxValue"]),
        (#"{"Parameters": {"Env": "prod", "Port": "http"}}"#, ["Port", "not a number"]),
        (#"{"Parameters": {"Env": "prod", "Vpc": "vpc-xyz"}}"#, ["Vpc", "AWS::EC2::VPC::Id"]),
        (#"{"Parameters": {"Env": "prod", "Subnets": "subnet-0123abcd,sg-0123abcd"}}"#, ["Subnets", "AWS::EC2::Subnet::Id"]),
        (#"{"Parameters": {"Env": "prod", "Secret": "short"}}"#, ["Secret", "****", "MinLength"]),
        (#"{"Parameters": {"Env": "prod",}"#, ["config.json:2:1", "invalid JSON"]),
    ]

    @Test("Invalid values name the file and the parameter", arguments: invalid)
    func invalidValues(configuration: String, mentions: [String]) {
        do {
            _ = try resolve(configuration)
            Issue.record("no error for \(configuration)")
        } catch {
            let message = "\(error)"
            for mention in mentions {
                #expect(message.contains(mention), "\(message) should mention \(mention)")
            }
            #expect(!message.contains("short'"), "NoEcho values must never be shown")
        }
    }
}

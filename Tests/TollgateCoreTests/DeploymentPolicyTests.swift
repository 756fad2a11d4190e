import Testing
import TollgateCore

/// `Policies/deployments.yaml`: the first matching entry decides a stack's provider; every mistake
/// names file, line and field.
@Suite("Deployment policy")
struct DeploymentPolicyTests {
    static let sample = """
        deployments:
          - stacks: ["payments-*"]
            provider: cloudformation
            region: eu-west-1
            role-arn: arn:aws:iam::210987654321:role/tollgate-deployer
            stack-name: "prod-{name}"
            capabilities: [CAPABILITY_NAMED_IAM]
            artifact-bucket: my-templates
            endpoint-url: http://127.0.0.1:5000
          - stacks: ["legacy/*"]
            provider: command
            command: ["Policies/deploy/legacy.sh", "--strict"]
            timeout: 30m
          - stacks: ["*"]
            provider: record

        """

    @Test("the first entry that matches wins; nothing matching means record")
    func matching() throws {
        let policy = try DeploymentPolicy.parse(Self.sample)
        guard case .cloudFormation(let cfn) = policy.deployment(for: "payments-eu").target else {
            Issue.record("payments-eu should deploy through CloudFormation")
            return
        }
        #expect(cfn.region == "eu-west-1")
        #expect(cfn.stackName(for: "payments-eu") == "prod-payments-eu")
        #expect(cfn.capabilities == ["CAPABILITY_NAMED_IAM"])
        guard case .command(let command) = policy.deployment(for: "legacy/billing").target else {
            Issue.record("legacy/billing should deploy through its command")
            return
        }
        #expect(command.arguments == ["Policies/deploy/legacy.sh", "--strict"])
        #expect(command.timeoutSeconds == 1800)
        #expect(policy.deployment(for: "web").target == .record)
        #expect(DeploymentPolicy.recordOnly.deployment(for: "anything").target == .record)
    }

    @Test("each mistake is refused with its line and field", arguments: [
        ("deployments:\n  - stacks: [a]\n    provider: record\n    colour: red\n", 4, "colour", "not a known field"),
        ("deployments:\n  - stacks: [a]\n    provider: ftp\n", 3, "provider", "not a provider"),
        ("deployments:\n  - stacks: [a]\n    provider: record\n    region: eu-west-1\n", 4, "region", "does not apply to provider record"),
        ("deployments:\n  - stacks: [a]\n    provider: command\n    command: [deploy.sh]\n", 4, "command", "absolute path or a script under Policies/"),
        ("deployments:\n  - stacks: [a]\n    provider: command\n    command: [Policies/../../bin/sh]\n", 4, "command", "'..'"),
        ("deployments:\n  - stacks: [a]\n    provider: command\n    command: [/bin/true]\n    timeout: 3d\n", 5, "timeout", "not a timeout"),
        ("deployments:\n  - stacks: [a]\n    provider: cloudformation\n    region: Europe\n", 4, "region", "not an AWS region"),
        ("deployments:\n  - stacks: [a]\n    provider: cloudformation\n    region: eu-west-1\n    role-arn: arn:aws:iam::1:role/x\n", 5, "role-arn", "not an IAM role ARN"),
        ("deployments:\n  - stacks: [a]\n    provider: cloudformation\n    region: eu-west-1\n    stack-name: \"9-{name}\"\n", 5, "stack-name", "CloudFormation stack name"),
        ("deployments:\n  - stacks: [a]\n    provider: cloudformation\n    region: eu-west-1\n    capabilities: [CAPABILITY_ALL]\n", 5, "capabilities", "not a capability"),
        ("deployments:\n  - stacks: [a]\n    provider: cloudformation\n    region: eu-west-1\n    endpoint-url: \"file:///etc/passwd\"\n", 5, "endpoint-url", "not an http or https URL"),
        ("deployments:\n  - stacks: [\"a\\u202Eb\"]\n    provider: record\n", 2, "stacks", "not a stack name pattern"),
        ("deployments:\n  - stacks: [a]\n", 2, "provider", "is required"),
    ])
    func mistakes(text: String, line: Int, field: String, message: String) throws {
        do {
            _ = try DeploymentPolicy.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.file == DeploymentPolicy.path)
            #expect(error.line == line, "\(error)")
            #expect(error.field.contains(field), "\(error)")
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test("a malformed deployments.yaml makes the whole policy unusable, naming the file")
    func inPolicySet() {
        let problems = PolicySet.problems(in: [DeploymentPolicy.path: "deployments: 3\n"])
        #expect(problems.contains { $0.file == DeploymentPolicy.path })
    }
}

import Foundation

/// `Policies/deployments.yaml`: where and how each stack is deployed.
///
/// The provider, its command, the account role, region and CloudFormation stack name decide what
/// a change can touch, so they are policy: read from the revision in force, never from the commit
/// under review. The first entry whose `stacks` patterns match a stack wins; a stack no entry
/// matches is deployed with the `record` provider.
public struct DeploymentPolicy: Sendable, Hashable {
    /// Where the file lives in a repository.
    public static let path = "Policies/deployments.yaml"

    /// The entries in the order written.
    public let entries: [Deployment]

    /// A policy with no entries: every stack uses the `record` provider.
    public static let recordOnly = DeploymentPolicy(entries: [])

    /// Creates a policy from entries already read.
    public init(entries: [Deployment]) {
        self.entries = entries
    }

    /// The deployment of `stack`: the first entry that matches, else `record`.
    public func deployment(for stack: String) -> Deployment {
        entries.first { entry in entry.stackPatterns.contains { Glob($0).matches(stack) } }
            ?? Deployment(stackPatterns: ["*"], target: .record)
    }

    /// Parses the file's text.
    ///
    /// - Throws: ``PolicyError`` naming file, line and field: unknown keys, a provider's field on
    ///   another provider, a command outside `Policies/` or not absolute, a malformed region,
    ///   role ARN, stack name, capability, timeout or endpoint.
    public static func parse(_ text: String, file: String = path) throws(PolicyError) -> DeploymentPolicy {
        let root = try PolicyYAMLNode.root(of: text, file: file)
        let fields = try root.mapping(allowed: ["deployments"], required: ["deployments"])
        guard let list = fields["deployments"] else { throw root.error("must have deployments") }
        var entries: [Deployment] = []
        for item in try list.sequence() {
            entries.append(try entry(item))
        }
        return DeploymentPolicy(entries: entries)
    }

    private static let commandFields = ["command", "timeout"]
    private static let cloudFormationFields = ["region", "role-arn", "stack-name", "capabilities", "artifact-bucket", "endpoint-url"]

    private static func entry(_ item: PolicyYAMLNode) throws(PolicyError) -> Deployment {
        let fields = try item.mapping(allowed: ["stacks", "provider"] + commandFields + cloudFormationFields, required: ["stacks", "provider"])
        guard let stacksNode = fields["stacks"], let providerNode = fields["provider"] else {
            throw item.error("must have stacks and provider")
        }
        var patterns: [String] = []
        for node in try stacksNode.scalarOrSequence() {
            let pattern = try node.nonEmptyString()
            guard pattern.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.*?/".contains($0)) }) else {
                throw node.error("'\(pattern)' is not a stack name pattern; use letters, digits, '-', '_', '.', '/', '*' and '?'")
            }
            patterns.append(pattern)
        }
        guard !patterns.isEmpty else { throw stacksNode.error("must list at least one stack name pattern") }
        let provider = try providerNode.nonEmptyString()
        func refuse(_ names: [String]) throws(PolicyError) {
            for name in names.sorted() {
                if let node = fields[name] { throw node.error("does not apply to provider \(provider)") }
            }
        }
        switch provider {
        case "record":
            try refuse(commandFields + cloudFormationFields)
            return Deployment(stackPatterns: patterns, target: .record)
        case "command":
            try refuse(cloudFormationFields)
            guard let commandNode = fields["command"] else { throw item.child(item.node, key: "command").error("is required by provider command") }
            return Deployment(stackPatterns: patterns, target: .command(CommandDeployment(
                arguments: try command(commandNode),
                timeoutSeconds: try fields["timeout"].map { node throws(PolicyError) in try duration(node) } ?? CommandDeployment.defaultTimeoutSeconds)))
        case "cloudformation":
            try refuse(commandFields)
            guard let regionNode = fields["region"] else { throw item.child(item.node, key: "region").error("is required by provider cloudformation") }
            return Deployment(stackPatterns: patterns, target: .cloudFormation(CloudFormationDeployment(
                region: try region(regionNode),
                roleARN: try fields["role-arn"].map { node throws(PolicyError) in try roleARN(node) },
                stackNameTemplate: try fields["stack-name"].map { node throws(PolicyError) in try stackNameTemplate(node) } ?? "{name}",
                capabilities: try fields["capabilities"].map { node throws(PolicyError) in try capabilities(node) },
                artifactBucket: try fields["artifact-bucket"].map { node throws(PolicyError) in try bucket(node) },
                endpointURL: try fields["endpoint-url"].map { node throws(PolicyError) in try endpoint(node) })))
        default:
            throw providerNode.error("'\(provider)' is not a provider; write record, command or cloudformation")
        }
    }

    /// A program by absolute path, or a script in the repository under `Policies/` (so that the
    /// deployer is reviewed as policy and a change cannot rewrite its own deployer).
    private static func command(_ node: PolicyYAMLNode) throws(PolicyError) -> [String] {
        var arguments: [String] = []
        for item in try node.scalarOrSequence() {
            arguments.append(try item.string())
        }
        guard let program = arguments.first, !program.isEmpty else { throw node.error("must name a program") }
        let components = program.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.contains(where: { $0 == ".." || $0 == "." }) else {
            throw node.error("'\(program)' may not contain '.' or '..' components")
        }
        guard program.hasPrefix("/") || program.hasPrefix(PolicySet.folder) else {
            throw node.error("'\(program)' must be an absolute path or a script under Policies/, so that the deployer is policy")
        }
        guard arguments.allSatisfy({ !$0.contains("\0") }) else { throw node.error("must not contain NUL characters") }
        return arguments
    }

    /// `90s`, `30m`, `2h`, or a number of seconds; at most a day.
    private static func duration(_ node: PolicyYAMLNode) throws(PolicyError) -> Int {
        let text = try node.nonEmptyString()
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        let (digits, unit) = text.last.flatMap { units[$0] } != nil ? (text.dropLast(), units[text.last!]!) : (Substring(text), 1)
        guard let value = Int(digits), value > 0, value * unit <= 86_400 else {
            throw node.error("'\(text)' is not a timeout; write a positive number of seconds, or 90s, 30m, 2h (at most 24h)")
        }
        return value * unit
    }

    private static func region(_ node: PolicyYAMLNode) throws(PolicyError) -> String {
        let text = try node.nonEmptyString()
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.dropLast().allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }),
              let last = parts.last, !last.isEmpty, last.allSatisfy({ $0.isASCII && $0.isNumber })
        else { throw node.error("'\(text)' is not an AWS region such as eu-west-1") }
        return text
    }

    private static func roleARN(_ node: PolicyYAMLNode) throws(PolicyError) -> String {
        let text = try node.nonEmptyString()
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "iam", parts[3].isEmpty,
              parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }), parts[5].hasPrefix("role/"), parts[5].count > 5,
              text.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else { throw node.error("'\(text)' is not an IAM role ARN such as arn:aws:iam::210987654321:role/deployer") }
        return text
    }

    private static func stackNameTemplate(_ node: PolicyYAMLNode) throws(PolicyError) -> String {
        let text = try node.nonEmptyString()
        let sample = CloudFormationDeployment.stackName(template: text, stack: "a")
        guard CloudFormationDeployment.isValidStackName(sample) else {
            throw node.error("'\(text)' does not make a CloudFormation stack name (a letter, then letters, digits and '-'; {name} stands for the stack)")
        }
        return text
    }

    private static let knownCapabilities: Set<String> = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]

    private static func capabilities(_ node: PolicyYAMLNode) throws(PolicyError) -> [String] {
        var result: [String] = []
        for item in try node.scalarOrSequence() {
            let text = try item.nonEmptyString()
            guard knownCapabilities.contains(text) else {
                throw item.error("'\(text)' is not a capability; write one of \(knownCapabilities.sorted().joined(separator: ", "))")
            }
            result.append(text)
        }
        return result
    }

    private static func bucket(_ node: PolicyYAMLNode) throws(PolicyError) -> String {
        let text = try node.nonEmptyString()
        guard (3...63).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }) else {
            throw node.error("'\(text)' is not an S3 bucket name")
        }
        return text
    }

    private static func endpoint(_ node: PolicyYAMLNode) throws(PolicyError) -> String {
        let text = try node.nonEmptyString()
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
              text.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else { throw node.error("'\(text)' is not an http or https URL") }
        return text
    }
}

/// One entry of deployments.yaml.
public struct Deployment: Sendable, Hashable {
    /// Stack name patterns (`*` and `?` wildcards) the entry applies to.
    public let stackPatterns: [String]
    /// Where the stacks go.
    public let target: DeploymentTarget

    /// Creates an entry.
    public init(stackPatterns: [String], target: DeploymentTarget) {
        self.stackPatterns = stackPatterns
        self.target = target
    }
}

/// The provider an apply goes through.
public enum DeploymentTarget: Sendable, Hashable {
    /// The recorded state is the target; nothing outside Tollgate is touched.
    case record
    /// A command from the policy in force is run with the change set.
    case command(CommandDeployment)
    /// The AWS CloudFormation API.
    case cloudFormation(CloudFormationDeployment)

    /// The provider's name as deployments.yaml writes it.
    public var providerName: String {
        switch self {
        case .record: "record"
        case .command: "command"
        case .cloudFormation: "cloudformation"
        }
    }
}

/// `provider: command`.
public struct CommandDeployment: Sendable, Hashable {
    /// Half an hour, when the entry gives no timeout.
    public static let defaultTimeoutSeconds = 1800
    /// The program (absolute, or under `Policies/`) and its arguments.
    public let arguments: [String]
    /// After this many seconds the command is stopped (SIGTERM, then SIGKILL) and the apply fails.
    public let timeoutSeconds: Int

    /// Creates the entry's settings.
    public init(arguments: [String], timeoutSeconds: Int) {
        self.arguments = arguments
        self.timeoutSeconds = timeoutSeconds
    }
}

/// `provider: cloudformation`.
public struct CloudFormationDeployment: Sendable, Hashable {
    public let region: String
    /// A role to assume with STS for a cross-account deployment.
    public let roleARN: String?
    /// The CloudFormation stack name, `{name}` standing for the stack's name with `/` as `-`.
    public let stackNameTemplate: String
    /// Capabilities to acknowledge; nil means worked out from the template.
    public let capabilities: [String]?
    /// Where templates over CloudFormation's 51,200-byte body limit are uploaded.
    public let artifactBucket: String?
    /// An emulator or VPC endpoint instead of AWS's public one.
    public let endpointURL: String?

    /// Creates the entry's settings.
    public init(
        region: String, roleARN: String?, stackNameTemplate: String, capabilities: [String]?, artifactBucket: String?, endpointURL: String?
    ) {
        self.region = region
        self.roleARN = roleARN
        self.stackNameTemplate = stackNameTemplate
        self.capabilities = capabilities
        self.artifactBucket = artifactBucket
        self.endpointURL = endpointURL
    }

    /// The CloudFormation stack name of `stack`.
    public func stackName(for stack: String) -> String {
        Self.stackName(template: stackNameTemplate, stack: stack)
    }

    static func stackName(template: String, stack: String) -> String {
        template.replacingOccurrences(of: "{name}", with: stack.replacingOccurrences(of: "/", with: "-"))
    }

    /// CloudFormation's rule: a letter, then up to 127 letters, digits and hyphens.
    public static func isValidStackName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter, name.count <= 128 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

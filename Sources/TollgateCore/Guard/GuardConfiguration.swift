import Yams

/// Whether a failing rule blocks approval or is only shown.
public enum GuardSeverity: String, Sendable, Hashable, Codable {
    /// A failure makes the change set unapprovable (unless the rule only observes or is waived).
    case error
    /// A failure is shown to reviewers and blocks nothing.
    case warning
}

/// Whether a rule is enforced or only reports what it would block.
public enum GuardMode: String, Sendable, Hashable, Codable {
    /// Failures count as their severity says.
    case enforce
    /// Failures are reported as what the rule would block, and block nothing.
    case observe
}

/// `Policies/guards/config.yaml`: which rules apply to which stacks, how severely, and which
/// resource types each stack may create.
///
/// Without the file (or without its `rules` list) every rule of every rule file applies to every
/// stack with severity `error`. With a `rules` list only the rules an entry matches apply, and the
/// last entry that matches a rule and a stack decides its severity and mode.
public struct GuardConfiguration: Sendable, Hashable {
    /// The file's path in the repository.
    public static let path = "Policies/guards/config.yaml"

    /// One entry of `rules`.
    struct RuleEntry: Sendable, Hashable {
        /// Globs on the rule file's name relative to `Policies/guards/` (`s3*.guard`); empty: any file.
        var files: [Glob]
        /// Globs on rule names; empty: every rule of the files.
        var names: [Glob]
        /// Globs on stack names; empty: every stack.
        var stacks: [Glob]
        /// The severity of the rules matched.
        var severity: GuardSeverity
        /// Enforce or observe.
        var mode: GuardMode
        /// Where the entry is written, for messages.
        var line: Int?
        /// Rule names written without wildcards, which must exist.
        var exactNames: [String]
    }

    /// One entry of `stacks`: resource types a group of stacks may or may not create.
    struct TypeEntry: Sendable, Hashable {
        /// Globs on stack names.
        var stacks: [Glob]
        /// When not empty, every resource type must match one of these globs.
        var allowed: [Glob]
        /// No resource type may match one of these globs.
        var denied: [Glob]
    }

    /// The rules entries in file order; nil when the file has no `rules` list.
    var rules: [RuleEntry]?
    /// The type entries in file order.
    var types: [TypeEntry]

    /// The configuration without a file: every rule, everywhere, severity `error`.
    public static let standard = GuardConfiguration(rules: nil, types: [])

    /// How `rule` of `file` applies to `stack`: its severity and mode, or nil when it does not apply.
    func decision(file: String, rule: String, stack: String) -> (severity: GuardSeverity, mode: GuardMode)? {
        guard let rules else { return (.error, .enforce) }
        var decided: (GuardSeverity, GuardMode)?
        for entry in rules
        where (entry.files.isEmpty || entry.files.contains { $0.matches(file) })
            && (entry.names.isEmpty || entry.names.contains { $0.matches(rule) })
            && (entry.stacks.isEmpty || entry.stacks.contains { $0.matches(stack) }) {
            decided = (entry.severity, entry.mode)
        }
        return decided
    }

    /// Parses the file's text.
    ///
    /// - Throws: ``PolicyError`` naming the file, line, column and field of the first mistake,
    ///   including any unknown key.
    public static func parse(_ text: String, file: String = path) throws(PolicyError) -> GuardConfiguration {
        let root = try PolicyYAMLNode.root(of: text, file: file)
        let fields = try root.mapping(allowed: ["rules", "stacks"])
        var configuration = GuardConfiguration(rules: nil, types: [])
        if let rules = fields["rules"] {
            configuration.rules = try rules.sequence().map { item throws(PolicyError) in
                let entry = try item.mapping(allowed: ["files", "names", "stacks", "severity", "mode"])
                let names = try entry["names"].map { node throws(PolicyError) in try node.scalarOrSequence().map { item throws(PolicyError) in try item.nonEmptyString() } } ?? []
                var severity = GuardSeverity.error
                if let node = entry["severity"] {
                    guard let value = GuardSeverity(rawValue: try node.string()) else { throw node.error("must be error or warning") }
                    severity = value
                }
                var mode = GuardMode.enforce
                if let node = entry["mode"] {
                    guard let value = GuardMode(rawValue: try node.string()) else { throw node.error("must be enforce or observe") }
                    mode = value
                }
                return RuleEntry(
                    files: try globs(entry["files"]), names: names.map(Glob.init), stacks: try globs(entry["stacks"]),
                    severity: severity, mode: mode, line: item.node.mark?.line,
                    exactNames: names.filter { !$0.contains("*") && !$0.contains("?") })
            }
        }
        if let stacks = fields["stacks"] {
            configuration.types = try stacks.sequence().map { item throws(PolicyError) in
                let entry = try item.mapping(allowed: ["stacks", "allowed-types", "denied-types"], required: ["stacks"])
                let allowed = try globs(entry["allowed-types"])
                let denied = try globs(entry["denied-types"])
                if allowed.isEmpty && denied.isEmpty {
                    throw item.error("needs allowed-types or denied-types")
                }
                return TypeEntry(stacks: try globs(entry["stacks"]), allowed: allowed, denied: denied)
            }
        }
        return configuration
    }

    private static func globs(_ node: PolicyYAMLNode?) throws(PolicyError) -> [Glob] {
        guard let node else { return [] }
        return try node.scalarOrSequence().map { item throws(PolicyError) in Glob(try item.nonEmptyString()) }
    }

    /// The type restrictions that `resourceType` breaks in `stack`: `allowed-types` when an entry
    /// for the stack allows a list that does not include it, `denied-types` when one denies it.
    func typeViolations(stack: String, resourceType: String) -> [(rule: String, message: String)] {
        var violations: [(rule: String, message: String)] = []
        for entry in types where entry.stacks.contains(where: { $0.matches(stack) }) {
            if !entry.allowed.isEmpty, !entry.allowed.contains(where: { $0.matches(resourceType) }) {
                violations.append((GuardPolicy.allowedTypesRule,
                    "\(resourceType) is not among the allowed-types for stack \(stack) (\(entry.allowed.map(\.pattern).joined(separator: ", ")))"))
            }
            if let denied = entry.denied.first(where: { $0.matches(resourceType) }) {
                violations.append((GuardPolicy.deniedTypesRule, "\(resourceType) matches denied-types \(denied.pattern) for stack \(stack)"))
            }
        }
        return violations
    }
}

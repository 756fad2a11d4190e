import Foundation

/// "N approvals from these people or groups", one line of a rule.
public struct ApprovalRequirement: Sendable, Hashable, CustomStringConvertible {
    /// How many different people must approve.
    public let count: Int
    /// The person ids and group names as written in approvals.yaml, shown by `explain`.
    public let from: [String]
    /// The person ids those names stand for in the policy in force.
    public let eligible: [String]

    /// Creates a requirement; ``ApprovalPolicy/parse(_:file:directory:)`` resolves `eligible` from `from`.
    public init(count: Int, from: [String], eligible: [String]) {
        self.count = count
        self.from = from
        self.eligible = eligible
    }

    /// `2 from owners`.
    public var description: String {
        "\(count) from \(from.joined(separator: " or "))"
    }
}

/// What `commit-signatures:` in approvals.yaml asks of the commits a change set covers.
public enum CommitSignatureRule: String, Sendable, Hashable, CaseIterable {
    /// A commit that is unsigned, or signed by a key nobody is listed for, counts as written by
    /// an unknown person: the change set needs one more approval than its rules say.
    case required
    /// Signatures prove authorship where present (their signers cannot approve), and nothing more.
    case optional
}

/// One rule of approvals.yaml: who approves change sets of the stacks whose names match.
///
/// Every requirement of a rule must be met by different people: "1 from dba and 1 from
/// security" needs two people even if someone is in both groups, because the point of asking
/// two teams is two pairs of eyes.
public struct ApprovalRule: Sendable, Hashable {
    /// The rule's name, shown by `explain`.
    public let name: String
    /// Wildcard patterns (`*`, `?`) over stack names.
    public let stackPatterns: [String]
    /// What every change set of these stacks needs.
    public let require: [ApprovalRequirement]
    /// What a destructive change set (replacement, removal, stack deletion) needs in addition.
    public let destructive: [ApprovalRequirement]
    /// Whether an approved change set of these stacks is applied without someone asking.
    public let automatic: Bool
    /// Extra windows for these stacks; when not empty, one of them must be open as well.
    public let windows: [ChangeWindow]
    /// The groups (`visible-to:`) whose members alone may see these stacks through the server;
    /// empty for stacks everyone may see.
    public let visibleTo: [String]

    /// Creates a rule, as ``ApprovalPolicy/parse(_:file:directory:)`` does for each entry of `rules`.
    public init(
        name: String, stackPatterns: [String], require: [ApprovalRequirement], destructive: [ApprovalRequirement], automatic: Bool,
        windows: [ChangeWindow], visibleTo: [String] = []
    ) {
        self.name = name
        self.stackPatterns = stackPatterns
        self.require = require
        self.destructive = destructive
        self.automatic = automatic
        self.windows = windows
        self.visibleTo = visibleTo
    }

    /// Whether the rule covers the stack named `stack`.
    public func applies(toStack stack: String) -> Bool {
        stackPatterns.contains { Glob($0).matches(stack) }
    }
}

/// The contents of `Policies/approvals.yaml`: who approves what, and when changes may be applied.
///
/// ```yaml
/// policy-changes:            # who approves a change to Policies/ itself
///   - count: 2
///     from: owners
/// stack-policy-override:     # needed on top when a stack policy denies a change
///   - count: 1
///     from: security
/// time-zone: Europe/Paris    # default for windows and freezes
/// windows:
///   - days: [mon, tue, wed, thu]
///     from: "09:00"
///     to: "17:00"
/// freezes:
///   - from: 2026-12-18
///     to: 2027-01-03
///     reason: year-end trading
/// rules:
///   - name: database
///     stacks: [database]
///     require:
///       - count: 1
///         from: dba
///     destructive:
///       - count: 2
///         from: owners
///     automatic: false
/// ```
public struct ApprovalPolicy: Sendable, Hashable {
    /// Rules in file order; every rule whose patterns match a stack applies to it.
    public let rules: [ApprovalRule]
    /// What a change to `Policies/` needs, under the policy already in force.
    public let policyChanges: [ApprovalRequirement]
    /// What a change set needs on top of its rules when the stack policy denies part of it;
    /// empty means such a change set cannot be approved at all.
    public let stackPolicyOverride: [ApprovalRequirement]
    /// Windows for every stack; when not empty, one of them must be open.
    public let windows: [ChangeWindow]
    /// Periods in which no stack change is applied.
    public let freezes: [Freeze]
    /// Whether commits must be signed by a listed key for their author to be known.
    public let commitSignatures: CommitSignatureRule
    /// Whether operators must sign what they do outside review (`init --force`, `cancel`) with a
    /// key the policy lists, so that the trail names a proven person rather than a claimed name.
    public let operatorsMustSign: Bool
    /// Whether one-click approvals attested by the server count, and the server keys they are signed with.
    public let sessionApprovals: SessionApprovals

    /// The path the policy is read from, relative to the repository root.
    public static let path = "Policies/approvals.yaml"

    /// Creates a policy from parts already validated.
    public init(
        rules: [ApprovalRule], policyChanges: [ApprovalRequirement], stackPolicyOverride: [ApprovalRequirement],
        windows: [ChangeWindow], freezes: [Freeze], commitSignatures: CommitSignatureRule = .optional,
        operatorsMustSign: Bool = false, sessionApprovals: SessionApprovals = .off
    ) {
        self.operatorsMustSign = operatorsMustSign
        self.sessionApprovals = sessionApprovals
        self.rules = rules
        self.policyChanges = policyChanges
        self.stackPolicyOverride = stackPolicyOverride
        self.windows = windows
        self.freezes = freezes
        self.commitSignatures = commitSignatures
    }

    /// The rules that cover `stack`.
    public func rules(forStack stack: String) -> [ApprovalRule] {
        rules.filter { $0.applies(toStack: stack) }
    }

    /// Whether `reviewer` may see stack `stack` and its change sets: every rule covering the stack
    /// that says `visible-to:` must name a group of `directory` the reviewer is in. Restrictions
    /// add up, so a second rule can narrow who sees a stack but never widen it.
    public func isVisible(stack: String, to reviewer: String, in directory: ReviewerDirectory) -> Bool {
        rules(forStack: stack).allSatisfy { rule in
            rule.visibleTo.isEmpty || rule.visibleTo.contains { directory.groups[$0]?.contains(reviewer) == true }
        }
    }

    /// Parses the text of `approvals.yaml`, resolving people and groups in `directory`.
    ///
    /// - Throws: ``PolicyError`` naming file, line, column and field for malformed YAML, unknown
    ///   keys, counts that are not positive or exceed the people available, unknown people or
    ///   groups, bad stack patterns, days, times, dates and time zones.
    public static func parse(_ text: String, file: String = path, directory: ReviewerDirectory) throws(PolicyError) -> ApprovalPolicy {
        let root = try PolicyYAMLNode.root(of: text, file: file)
        let fields = try root.mapping(
            allowed: ["policy-changes", "stack-policy-override", "time-zone", "windows", "freezes", "rules", "commit-signatures", "operators-must-sign",
                      "session-approvals", "server-keys"],
            required: ["policy-changes", "rules"]
        )
        var defaultZone: TimeZone?
        if let zoneNode = fields["time-zone"] {
            defaultZone = try timeZone(zoneNode)
        }
        guard let policyNode = fields["policy-changes"], let rulesNode = fields["rules"] else {
            throw root.error("must have policy-changes and rules")
        }
        let policyChanges = try requirements(policyNode, directory: directory, allowEmpty: false)
        let override = try fields["stack-policy-override"].map { node throws(PolicyError) in
            try requirements(node, directory: directory, allowEmpty: true)
        } ?? []
        let windows = try fields["windows"].map { node throws(PolicyError) in
            try changeWindows(node, defaultZone: defaultZone)
        } ?? []
        var freezes: [Freeze] = []
        for item in try fields["freezes"]?.sequence() ?? [] {
            freezes.append(try freeze(item, defaultZone: defaultZone))
        }
        var commitSignatures = CommitSignatureRule.optional
        if let node = fields["commit-signatures"] {
            let text = try node.nonEmptyString()
            guard let rule = CommitSignatureRule(rawValue: text) else {
                throw node.error("'\(text)' is not a commit signature rule; write required or optional")
            }
            commitSignatures = rule
        }
        var rules: [ApprovalRule] = []
        for item in try rulesNode.sequence() {
            let rule = try item.mapping(
                allowed: ["name", "stacks", "require", "destructive", "automatic", "windows", "visible-to"],
                required: ["name", "stacks", "require"]
            )
            guard let nameNode = rule["name"], let stacksNode = rule["stacks"], let requireNode = rule["require"] else {
                throw item.error("must have name, stacks and require")
            }
            let name = try nameNode.identifier()
            guard !rules.contains(where: { $0.name == name }) else {
                throw nameNode.error("'\(name)' is already the name of another rule")
            }
            var patterns: [String] = []
            for patternNode in try stacksNode.scalarOrSequence() {
                let pattern = try patternNode.nonEmptyString()
                guard pattern.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.*?".contains($0)) }) else {
                    throw patternNode.error("'\(pattern)' is not a stack name pattern; use letters, digits, '-', '_', '.', '*' and '?'")
                }
                patterns.append(pattern)
            }
            guard !patterns.isEmpty else {
                throw stacksNode.error("must list at least one stack name pattern")
            }
            rules.append(ApprovalRule(
                name: name,
                stackPatterns: patterns,
                require: try requirements(requireNode, directory: directory, allowEmpty: false),
                destructive: try rule["destructive"].map { node throws(PolicyError) in
                    try requirements(node, directory: directory, allowEmpty: true)
                } ?? [],
                automatic: try rule["automatic"]?.bool() ?? false,
                windows: try rule["windows"].map { node throws(PolicyError) in
                    try changeWindows(node, defaultZone: defaultZone)
                } ?? [],
                visibleTo: try rule["visible-to"].map { node throws(PolicyError) in
                    try visibleTo(node, directory: directory)
                } ?? []
            ))
        }
        return ApprovalPolicy(
            rules: rules, policyChanges: policyChanges, stackPolicyOverride: override, windows: windows, freezes: freezes,
            commitSignatures: commitSignatures, operatorsMustSign: try fields["operators-must-sign"]?.bool() ?? false,
            sessionApprovals: try SessionApprovals.parse(fields, directory: directory))
    }

    private static func requirements(_ node: PolicyYAMLNode, directory: ReviewerDirectory, allowEmpty: Bool) throws(PolicyError) -> [ApprovalRequirement] {
        var result: [ApprovalRequirement] = []
        for item in try node.sequence() {
            let fields = try item.mapping(allowed: ["count", "from"], required: ["count", "from"])
            guard let countNode = fields["count"], let fromNode = fields["from"] else {
                throw item.error("must have count and from")
            }
            let count = try countNode.positiveInteger()
            var names: [String] = []
            for nameNode in try fromNode.scalarOrSequence() {
                let name = try nameNode.identifier()
                guard directory.knows(name) else {
                    throw nameNode.error("names '\(name)', which is neither a person nor a group in \(ReviewerDirectory.path)")
                }
                names.append(name)
            }
            guard !names.isEmpty else {
                throw fromNode.error("must name at least one person or group")
            }
            let eligible = directory.resolve(names)
            guard count <= eligible.count else {
                throw countNode.error("asks for \(count) approvals but \(names.joined(separator: ", ")) has only \(eligible.count) people")
            }
            result.append(ApprovalRequirement(count: count, from: names, eligible: eligible))
        }
        guard allowEmpty || !result.isEmpty else {
            throw node.error("must list at least one requirement (count and from)")
        }
        return result
    }

    /// The groups of a `visible-to:` list: group names only, since a group is what a team
    /// maintains; a person's id or an unknown name is an error.
    private static func visibleTo(_ node: PolicyYAMLNode, directory: ReviewerDirectory) throws(PolicyError) -> [String] {
        var groups: [String] = []
        for groupNode in try node.scalarOrSequence() {
            let name = try groupNode.identifier()
            guard directory.groups[name] != nil else {
                throw groupNode.error("names '\(name)', which is not a group in \(ReviewerDirectory.path); visible-to lists groups")
            }
            if !groups.contains(name) { groups.append(name) }
        }
        guard !groups.isEmpty else {
            throw node.error("must name at least one group; leave visible-to out for a stack everyone may see")
        }
        return groups
    }

    private static func changeWindows(_ node: PolicyYAMLNode, defaultZone: TimeZone?) throws(PolicyError) -> [ChangeWindow] {
        var result: [ChangeWindow] = []
        for item in try node.sequence() {
            let fields = try item.mapping(allowed: ["days", "from", "to", "time-zone"], required: ["days", "from", "to"])
            guard let daysNode = fields["days"], let fromNode = fields["from"], let toNode = fields["to"] else {
                throw item.error("must have days, from and to")
            }
            var days: Set<Weekday> = []
            for dayNode in try daysNode.scalarOrSequence() {
                let text = try dayNode.string().lowercased()
                guard let day = Weekday(rawValue: text) else {
                    throw dayNode.error("'\(text)' is not a day; use mon, tue, wed, thu, fri, sat or sun")
                }
                days.insert(day)
            }
            guard !days.isEmpty else {
                throw daysNode.error("must list at least one day")
            }
            let start = try minutes(fromNode, allowEndOfDay: false)
            let end = try minutes(toNode, allowEndOfDay: true)
            guard start != end else {
                throw toNode.error("equals from; a window must have a length")
            }
            let zone = try fields["time-zone"].map { node throws(PolicyError) in try timeZone(node) } ?? defaultZone
            guard let zone else {
                throw item.error("needs a time-zone, here or at the top of the file")
            }
            result.append(ChangeWindow(days: days, startMinute: start, endMinute: end, timeZone: zone))
        }
        return result
    }

    private static func freeze(_ item: PolicyYAMLNode, defaultZone: TimeZone?) throws(PolicyError) -> Freeze {
        let fields = try item.mapping(allowed: ["from", "to", "time-zone", "reason"], required: ["from", "to"])
        guard let fromNode = fields["from"], let toNode = fields["to"] else {
            throw item.error("must have from and to")
        }
        let first = try day(fromNode)
        let last = try day(toNode)
        guard first <= last else {
            throw toNode.error("is before from")
        }
        let zone = try fields["time-zone"].map { node throws(PolicyError) in try timeZone(node) } ?? defaultZone
        guard let zone else {
            throw item.error("needs a time-zone, here or at the top of the file")
        }
        return Freeze(first: first, last: last, timeZone: zone, reason: try fields["reason"]?.string() ?? "")
    }

    private static func day(_ node: PolicyYAMLNode) throws(PolicyError) -> CalendarDay {
        let text = try node.string()
        guard let day = CalendarDay(text) else {
            throw node.error("'\(text)' is not a date; write YYYY-MM-DD")
        }
        return day
    }

    private static func minutes(_ node: PolicyYAMLNode, allowEndOfDay: Bool) throws(PolicyError) -> Int {
        let text = try node.string()
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...59).contains(minutes),
              (0...23).contains(hours) || (allowEndOfDay && hours == 24 && minutes == 0)
        else {
            throw node.error("'\(text)' is not a time; write HH:MM in quotes, such as \"09:00\"")
        }
        return hours * 60 + minutes
    }

    private static func timeZone(_ node: PolicyYAMLNode) throws(PolicyError) -> TimeZone {
        let text = try node.nonEmptyString()
        guard let zone = TimeZone(identifier: text) else {
            throw node.error("'\(text)' is not a time zone; use an IANA name such as Europe/Paris or UTC")
        }
        return zone
    }
}

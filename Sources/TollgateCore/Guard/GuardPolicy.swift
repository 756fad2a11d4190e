public import Foundation

/// The guard part of one revision of `Policies/`: the rule files of `Policies/guards/`, where
/// they apply (`config.yaml`) and the accepted exceptions (`waivers.yaml`).
///
/// Like the rest of the policy it is read from the revision in force, never from the change under
/// review; a proposed revision's mistakes are ``problems(in:)`` that block its own approval.
public struct GuardPolicy: Sendable {
    /// The folder of the guard files, relative to the repository root.
    public static let folder = "Policies/guards/"
    /// The rule name under which `allowed-types` failures are reported and waived.
    public static let allowedTypesRule = "allowed-types"
    /// The rule name under which `denied-types` failures are reported and waived.
    public static let deniedTypesRule = "denied-types"

    /// The parsed rule files by their name relative to ``folder``, sorted.
    public let ruleFiles: [(name: String, file: GuardRuleFile)]
    /// Where the rules apply.
    public let configuration: GuardConfiguration
    /// The waivers, expired ones included (they no longer apply, but stay listed).
    public let waivers: [GuardWaiver]
    /// The file texts the policy was read from, which decide its identity.
    private let sources: [String: String]

    /// The policy of a revision without guard files: nothing to check.
    public static let empty = GuardPolicy(ruleFiles: [], configuration: .standard, waivers: [], sources: [:])

    /// Whether the revision has no rule file and no type restriction.
    public var isEmpty: Bool { ruleFiles.isEmpty && configuration.types.isEmpty }

    /// Every rule name the rule files define.
    public var ruleNames: Set<String> {
        Set(ruleFiles.flatMap(\.file.ruleNames))
    }

    private init(ruleFiles: [(name: String, file: GuardRuleFile)], configuration: GuardConfiguration, waivers: [GuardWaiver], sources: [String: String]) {
        self.ruleFiles = ruleFiles
        self.configuration = configuration
        self.waivers = waivers
        self.sources = sources
    }

    /// Whether `path` (a repository path) is one of the guard files this type reads.
    static func isGuardFile(_ path: String) -> Bool {
        path.hasPrefix(folder)
    }

    /// Reads the guard files among `files` (repository path to text).
    ///
    /// - Returns: the policy, or every problem found (at most one per file, plus one per rule
    ///   name used twice and per waiver naming a rule that does not exist).
    static func read(_ files: [String: String]) -> (policy: GuardPolicy?, problems: [PolicyError]) {
        var problems: [PolicyError] = []
        var ruleFiles: [(name: String, file: GuardRuleFile)] = []
        var configuration = GuardConfiguration.standard
        var waivers: [GuardWaiver] = []
        var sources: [String: String] = [:]
        for path in files.keys.sorted() where isGuardFile(path) {
            let text = files[path] ?? ""
            let name = String(path.dropFirst(folder.count))
            if path == GuardConfiguration.path {
                sources[path] = text
                do { configuration = try GuardConfiguration.parse(text, file: path) } catch { problems.append(error) }
            } else if path == GuardWaiver.path {
                sources[path] = text
                do { waivers = try GuardWaiver.parse(text, file: path) } catch { problems.append(error) }
            } else if name.hasSuffix(".guard") {
                sources[path] = text
                do {
                    let file = try GuardRuleParser.parse(text, fileName: path)
                    if let cycle = file.referenceCycle() {
                        problems.append(PolicyError(
                            file: path, line: cycle.rule.location.line, column: cycle.rule.location.column, field: "rule \(cycle.rule.name)",
                            message: "refers to itself (\(cycle.chain.joined(separator: " -> "))), so it can never be decided"))
                    } else {
                        ruleFiles.append((name, file))
                    }
                } catch {
                    problems.append(policyError(error, file: path))
                }
            } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") {
                problems.append(PolicyError(file: path, line: nil, column: nil, field: "", message: "is not a known guard file; expected *.guard, config.yaml or waivers.yaml"))
            }
        }
        var definedIn: [String: String] = [:]
        for (name, file) in ruleFiles {
            for rule in file.rules where rule.name != "default" {
                if let first = definedIn[rule.name], first != name {
                    problems.append(PolicyError(
                        file: folder + name, line: rule.location.line, column: rule.location.column, field: "rule \(rule.name)",
                        message: "is already defined in \(folder + first); a rule name may be used once across Policies/guards/"))
                } else {
                    definedIn[rule.name] = name
                }
            }
        }
        let known = Set(definedIn.keys).union(ruleFiles.contains { $0.file.rules.contains { $0.name == "default" } } ? ["default"] : [])
        for entry in configuration.rules ?? [] {
            for name in entry.exactNames where !known.contains(name) {
                problems.append(PolicyError(
                    file: GuardConfiguration.path, line: entry.line, column: nil, field: "rule \(name)",
                    message: "is named in rules but no rule file of \(folder) defines it"))
            }
        }
        for waiver in waivers where !known.contains(waiver.rule) && waiver.rule != allowedTypesRule && waiver.rule != deniedTypesRule {
            problems.append(PolicyError(
                file: GuardWaiver.path, line: waiver.line, column: nil, field: "rule \(waiver.rule)",
                message: "is waived but no rule file of \(folder) defines it (nor is it allowed-types or denied-types)"))
        }
        guard problems.isEmpty else { return (nil, problems) }
        return (GuardPolicy(ruleFiles: ruleFiles, configuration: configuration, waivers: waivers, sources: sources), [])
    }

    /// The waivers written in a proposed revision, for the review of that revision (a waiver that
    /// has already expired makes it unapprovable); empty when the file is missing or malformed,
    /// which ``PolicySet/problems(in:)`` reports.
    public static func proposedWaivers(in files: [String: String]) -> [GuardWaiver] {
        guard let text = files[GuardWaiver.path] else { return [] }
        return (try? GuardWaiver.parse(text)) ?? []
    }

    private static func policyError(_ error: GuardError, file: String) -> PolicyError {
        switch error {
        case .syntax(let location, let problem):
            return PolicyError(file: file, line: location.line, column: location.column, field: "", message: "does not parse: \(problem)")
        case .unknownFunction(let location, let name, let problem):
            return PolicyError(file: file, line: location.line, column: location.column, field: "function \(name)", message: problem)
        case .data(let location, let problem):
            return PolicyError(file: file, line: location.line, column: location.column, field: "", message: problem)
        case .evaluation(_, let rule, let problem):
            return PolicyError(file: file, line: nil, column: nil, field: "rule \(rule)", message: problem)
        }
    }

    /// Checks the template of `stack` (its text and the name to give it in messages) against the
    /// rules and type restrictions that apply to the stack, at `now` (for `now()` and for the
    /// waivers' expiry).
    ///
    /// Never throws: a template that cannot be read, or a rule that cannot be evaluated on it,
    /// is reported as a failure of that rule, so a hostile template can never slip through.
    public func check(stack: String, template: String, fileName: String, at now: Date) -> GuardReport {
        let document: GuardDocument
        do {
            document = try GuardDocumentReader.read(template, fileName: fileName)
        } catch {
            return GuardReport(stack: stack, template: fileName, outcomes: [], findings: [
                GuardFinding(
                    rule: "template", file: fileName, severity: .error, mode: .enforce, resource: nil, path: "", line: nil,
                    message: "the template cannot be read for the guard rules: \(error)", customMessage: nil, waiver: nil),
            ])
        }
        return check(stack: stack, document: document, fileName: fileName, at: now)
    }

    /// Checks a document already read; see ``check(stack:template:fileName:at:)``.
    public func check(stack: String, document: GuardDocument, fileName: String, at now: Date) -> GuardReport {
        var outcomes: [GuardRuleOutcome] = []
        var findings: [GuardFinding] = []
        let evaluator = GuardEvaluator(now: Int64(now.timeIntervalSince1970))
        for (name, file) in ruleFiles {
            let applying = file.ruleNames.compactMap { rule in
                configuration.decision(file: name, rule: rule, stack: stack).map { (rule, $0.severity, $0.mode) }
            }
            guard !applying.isEmpty else { continue }
            let path = Self.folder + name
            let results: [GuardRuleResult]
            do {
                results = try evaluator.evaluate(file, against: document)
            } catch {
                for (rule, severity, mode) in applying {
                    outcomes.append(GuardRuleOutcome(rule: rule, file: path, status: .fail, severity: severity, mode: mode))
                    findings.append(GuardFinding(
                        rule: rule, file: path, severity: severity, mode: mode, resource: nil, path: "", line: nil,
                        message: "could not be evaluated on this template: \(error)", customMessage: nil, waiver: nil))
                }
                continue
            }
            for (rule, severity, mode) in applying {
                let own = results.filter { $0.name == rule }
                let status: GuardStatus = own.contains { $0.status == .fail } ? .fail : own.contains { $0.status == .pass } ? .pass : .skip
                outcomes.append(GuardRuleOutcome(rule: rule, file: path, status: status, severity: severity, mode: mode))
                var seen = Set<GuardFinding>()
                for failure in own.flatMap(\.failures) {
                    let finding = GuardFinding(
                        rule: rule, file: path, severity: severity, mode: mode, resource: failure.resource, path: failure.path,
                        line: failure.line, message: failure.message, customMessage: failure.customMessage,
                        waiver: waiver(stack: stack, resource: failure.resource, rule: rule, at: now))
                    if seen.insert(finding).inserted { findings.append(finding) }
                }
            }
        }
        findings += typeFindings(stack: stack, document: document, fileName: fileName, at: now)
        return GuardReport(stack: stack, template: fileName, outcomes: outcomes, findings: findings)
    }

    private func typeFindings(stack: String, document: GuardDocument, fileName: String, at now: Date) -> [GuardFinding] {
        guard !configuration.types.isEmpty, case .map(let root) = document.root, case .map(let resources)? = root["Resources"] else { return [] }
        var findings: [GuardFinding] = []
        for logicalID in resources.keys {
            guard case .map(let resource)? = resources[logicalID], case .string(let type)? = resource["Type"] else { continue }
            let path = "/Resources/\(logicalID)/Type"
            for violation in configuration.typeViolations(stack: stack, resourceType: type) {
                findings.append(GuardFinding(
                    rule: violation.rule, file: GuardConfiguration.path, severity: .error, mode: .enforce, resource: logicalID,
                    path: path, line: document.lines[path], message: violation.message, customMessage: nil,
                    waiver: waiver(stack: stack, resource: logicalID, rule: violation.rule, at: now)))
            }
        }
        return findings
    }

    /// The waiver in force at `now` for a failure, if any; expired waivers no longer apply.
    private func waiver(stack: String, resource: String?, rule: String, at now: Date) -> GuardWaiver? {
        waivers.first { $0.covers(stack: stack, resource: resource, rule: rule) && $0.isInForce(at: now) }
    }
}

extension GuardPolicy: Hashable {
    /// Two guard policies are the same when they were read from the same files.
    public static func == (lhs: GuardPolicy, rhs: GuardPolicy) -> Bool {
        lhs.sources == rhs.sources
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sources)
    }
}

/// The outcome of one rule on one stack's template.
public struct GuardRuleOutcome: Sendable, Hashable, Codable {
    /// The rule's name.
    public var rule: String
    /// The rule file, as a repository path.
    public var file: String
    /// PASS, FAIL or SKIP.
    public var status: GuardStatus
    /// The severity the configuration gives the rule for this stack.
    public var severity: GuardSeverity
    /// Enforced or observed.
    public var mode: GuardMode
}

/// One failure of a rule (or a type restriction) on one stack's template.
public struct GuardFinding: Sendable, Hashable, Codable {
    /// The rule's name, or `allowed-types`, `denied-types`.
    public var rule: String
    /// The rule file (or `config.yaml`), as a repository path.
    public var file: String
    /// Error or warning.
    public var severity: GuardSeverity
    /// Enforced or observed.
    public var mode: GuardMode
    /// The resource's logical id, when the failing value is inside `Resources`.
    public var resource: String?
    /// The property path of the failing value, such as `/Resources/Logs/Properties/BucketName`.
    public var path: String
    /// The line of the failing value in the template, when known.
    public var line: Int?
    /// What was checked and what was found.
    public var message: String
    /// The rule author's `<< message >>`.
    public var customMessage: String?
    /// The waiver in force that accepts this failure, if one does.
    public var waiver: GuardWaiver?

    /// Whether the failure stops the change set from being approved now.
    public var blocks: Bool { wouldBlock && mode == .enforce }

    /// Whether the failure would block if its rule were enforced: an unwaived error.
    public var wouldBlock: Bool { severity == .error && waiver == nil }

    /// One line for people: rule, resource, path, line, message, and how it counts.
    public var summary: String {
        var text = "guard rule \(rule) (\(file))"
        if let resource { text += " fails on \(resource)" } else { text += " fails" }
        if !path.isEmpty { text += " at \(path)" }
        if let line { text += " (template line \(line))" }
        text += ": \(customMessage.map { "\($0.trimmingCharacters(in: .whitespacesAndNewlines)); " } ?? "")\(message)"
        return text
    }

    /// How the failure counts, for people: blocks, would block, warning, or waived by whom.
    public var standing: String {
        if let waiver {
            return "waived until \(waiver.expires.formatted(.iso8601)), requested by \(waiver.requestedBy): \(waiver.reason)"
        }
        switch (severity, mode) {
        case (.warning, _): return "warning"
        case (.error, .observe): return "observed: would block"
        case (.error, .enforce): return "blocks approval"
        }
    }
}

/// The guard rules' verdict on one stack's template.
public struct GuardReport: Sendable, Hashable, Codable {
    /// The stack.
    public var stack: String
    /// The template's name in messages (`commit:path`).
    public var template: String
    /// Each rule that applies to the stack, with its status.
    public var outcomes: [GuardRuleOutcome]
    /// Every failure, waived ones included.
    public var findings: [GuardFinding]

    /// Whether an enforced, unwaived error fails.
    public var blocks: Bool { findings.contains(where: \.blocks) }
}

extension GuardRuleFile {
    /// The first named rule that reaches itself through references to other rules (`rule A { B }`,
    /// `rule B { A }`), with the chain of names; such a rule could never be decided, so a policy
    /// that holds one is refused before it is in force rather than failing at every review.
    func referenceCycle() -> (rule: GuardRule, chain: [String])? {
        var references: [String: Set<String>] = [:]
        for rule in rules {
            var names = Set<String>()
            Self.collect(rule.conditions ?? [], into: &names)
            Self.collect(rule.block.conjunctions, into: &names)
            references[rule.name, default: []].formUnion(names)
        }
        for rule in rules {
            var chain = [rule.name]
            var visited = Set<String>()
            if Self.reaches(rule.name, from: rule.name, references: references, chain: &chain, visited: &visited) {
                return (rule, chain)
            }
        }
        return nil
    }

    private static func reaches(_ target: String, from current: String, references: [String: Set<String>], chain: inout [String], visited: inout Set<String>) -> Bool {
        for next in (references[current] ?? []).sorted() {
            if next == target {
                chain.append(next)
                return true
            }
            guard visited.insert(next).inserted else { continue }
            chain.append(next)
            if reaches(target, from: next, references: references, chain: &chain, visited: &visited) { return true }
            chain.removeLast()
        }
        return false
    }

    private static func collect(_ conjunctions: [[GuardClause]], into names: inout Set<String>, depth: Int = 0) {
        guard depth < GuardRuleParser.maximumNesting * 2 else { return }
        for clause in conjunctions.joined() {
            switch clause {
            case .access: break
            case .rule(let reference): names.insert(reference.name)
            case .ruleCall(let call): names.insert(call.reference.name)
            case .block(_, let block, _, _): collect(block.conjunctions, into: &names, depth: depth + 1)
            case .when(let conditions, let block):
                collect(conditions, into: &names, depth: depth + 1)
                collect(block.conjunctions, into: &names, depth: depth + 1)
            case .typeBlock(let typeBlock):
                collect(typeBlock.conditions ?? [], into: &names, depth: depth + 1)
                collect(typeBlock.block.conjunctions, into: &names, depth: depth + 1)
            }
        }
    }
}

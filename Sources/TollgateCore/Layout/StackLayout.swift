/// Where a repository keeps its stacks: a list of discovery rules, each a template pattern and an
/// optional configuration pattern.
public struct StackLayout: Sendable, Hashable {
    /// One way of finding stacks.
    public struct Rule: Sendable, Hashable {
        /// Where a stack's template lies.
        public let template: StackPattern
        /// Where its TemplateConfiguration (parameters and tags) lies, if it may have one.
        public let config: StackPattern?

        /// A rule from its two patterns.
        public init(template: StackPattern, config: StackPattern?) {
            self.template = template
            self.config = config
        }
    }

    /// The role a file plays for a stack.
    public enum FileRole: String, Sendable, Hashable {
        case template, config
    }

    /// A file that a rule claims for a stack.
    public struct Match: Sendable, Hashable {
        public let stack: String
        public let role: FileRole
        public let rule: Rule
    }

    /// The rules, in the order they were written.
    public let rules: [Rule]
    /// The file ending (`yaml`, `yml` or `json`) that wins when a stack has twin templates, such
    /// as `orders.yaml` and `orders.json`; without it, twins are an error.
    public let prefer: String?

    /// The folder of policies; nothing in it is ever a stack file.
    public static let policiesFolder = "Policies/"
    /// The settings file; it is never a stack file.
    public static let settingsFile = "tollgate.yaml"

    /// `Stacks/<name>/template.yaml` (or `.yml`, or `.json`) with `Stacks/<name>/config.json`.
    public static let standard: StackLayout = {
        let rules = ["yaml", "yml", "json"].compactMap { (ending: String) -> Rule? in
            guard let template = try? StackPattern("Stacks/{name}/template.\(ending)"),
                  let config = try? StackPattern("Stacks/{name}/config.json") else { return nil }
            return Rule(template: template, config: config)
        }
        return StackLayout(rules: rules)
    }()

    /// A layout of the given rules, and the ending that wins between twin templates.
    public init(rules: [Rule], prefer: String? = nil) {
        self.rules = rules
        self.prefer = prefer
    }

    /// The endings `prefer` may name.
    public static let preferableEndings = ["yaml", "yml", "json"]

    /// The template that stands for a stack among the paths that claim it: the only one, or the
    /// one with the preferred ending when the others are its twins; nil when the claim is ambiguous.
    public func template(among paths: [String]) -> String? {
        guard paths.count > 1 else { return paths.first }
        guard let prefer else { return nil }
        let preferred = paths.filter { $0.hasSuffix("." + prefer) }
        return preferred.count == 1 ? preferred.first : nil
    }

    /// The folders a history scan must look inside: every rule's folder, the policies and the
    /// settings file.
    public var watchedPaths: [String] {
        var paths = Set([Self.policiesFolder, Self.settingsFile])
        for rule in rules {
            paths.insert(rule.template.enclosingFolder)
            if let config = rule.config { paths.insert(config.enclosingFolder) }
        }
        return paths.sorted()
    }

    /// Every stack file that `path` is, by any rule. Policies and the settings file are never stack
    /// files, and `Policies/` is a name no stack can take, whatever a pattern would make of a path.
    public func matches(for path: String) -> [Match] {
        guard !Self.isReserved(path) else { return [] }
        var found: [Match] = []
        for rule in rules {
            if let name = rule.template.name(in: path), !Self.isReservedName(name) {
                found.append(Match(stack: name, role: .template, rule: rule))
            }
            if let config = rule.config, let name = config.name(in: path), !Self.isReservedName(name) {
                found.append(Match(stack: name, role: .config, rule: rule))
            }
        }
        return found
    }

    /// Whether `name` is one under which the store keeps the policies rather than a stack.
    public static func isReservedName(_ name: String) -> Bool {
        name.hasPrefix(policiesFolder)
    }

    /// The paths where stack `name`'s template may lie, one per rule.
    public func templatePaths(for name: String) -> [String] {
        var seen = Set<String>()
        return rules.map { $0.template.path(for: name) }.filter { !Self.isReserved($0) && seen.insert($0).inserted }
    }

    /// The configuration path that goes with the template at `templatePath` of stack `name`.
    public func configPath(for name: String, templatePath: String) -> String? {
        rules.first { $0.template.path(for: name) == templatePath }?.config?.path(for: name)
    }

    /// Whether `path` belongs to the policies or is the settings file.
    public static func isReserved(_ path: String) -> Bool {
        path == settingsFile || path.hasPrefix(policiesFolder)
    }
}

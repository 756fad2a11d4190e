import Yams

/// What a repository's `tollgate.yaml` says: the branch to follow and where its stacks lie.
///
/// ```yaml
/// branch: main
/// prefer: yaml          # optional: Stacks/x/template.yaml wins over its twin template.json
/// stacks:
///   - template: "Stacks/{name}/template.yaml"
///     config: "Stacks/{name}/config.json"
/// ```
public struct RepositorySettings: Sendable, Equatable {
    /// The branch to follow.
    public var branch: String
    /// Where the stacks lie.
    public var layout: StackLayout

    /// The settings of a repository without a `tollgate.yaml`: `main` and the standard layout.
    public static let standard = RepositorySettings(branch: "main", layout: .standard)

    /// Settings from their parts.
    public init(branch: String, layout: StackLayout) {
        self.branch = branch
        self.layout = layout
    }

    /// Parses the text of a settings file; `file` names it in errors. Absent fields keep their
    /// standard values, and unknown fields are errors so that a typo is never silently ignored.
    ///
    /// - Throws: ``LayoutError`` naming the file, line, column and field at fault.
    public static func parse(_ text: String, file: String) throws(LayoutError) -> RepositorySettings {
        do {
            try YAMLLimits.check(text)
        } catch {
            throw .malformedSettings(file: file, line: error.line, column: error.column, problem: error.description)
        }
        let root: Node?
        do {
            // `.utf8` rather than the default, which reads the process environment on every parse.
            root = try Yams.compose(yaml: text, .default, .default, .utf8)
        } catch let error as YamlError {
            let (line, column, problem) = error.location
            throw .malformedSettings(file: file, line: line, column: column, problem: problem)
        } catch {
            throw .malformedSettings(file: file, line: 1, column: 1, problem: "\(error)")
        }
        var settings = RepositorySettings.standard
        var prefer: String?
        guard let root else { return settings }
        let reader = SettingsReader(file: file)
        let fields = try reader.mapping(root, field: "the settings")
        for (key, value) in fields {
            switch key {
            case "branch":
                let branch = try reader.string(value, field: "branch")
                guard !branch.isEmpty, !branch.contains(" ") else {
                    throw reader.invalid(value, field: "branch", "must be a branch name")
                }
                settings.branch = branch
            case "stacks":
                let entries = try reader.sequence(value, field: "stacks")
                guard !entries.isEmpty else { throw reader.invalid(value, field: "stacks", "must list at least one entry") }
                var rules: [StackLayout.Rule] = []
                for (index, entry) in entries.enumerated() {
                    rules.append(try rule(entry, field: "stacks[\(index)]", reader: reader))
                }
                settings.layout = StackLayout(rules: rules)
            case "prefer":
                let ending = try reader.string(value, field: "prefer")
                guard StackLayout.preferableEndings.contains(ending) else {
                    throw reader.invalid(
                        value, field: "prefer", "must be one of \(StackLayout.preferableEndings.joined(separator: ", "))")
                }
                prefer = ending
            default:
                throw reader.invalid(value, field: key, "is not a known setting (known: branch, stacks, prefer)")
            }
        }
        if let prefer { settings.layout = StackLayout(rules: settings.layout.rules, prefer: prefer) }
        return settings
    }

    private static func rule(_ node: Node, field: String, reader: SettingsReader) throws(LayoutError) -> StackLayout.Rule {
        var template: StackPattern?
        var config: StackPattern?
        for (key, value) in try reader.mapping(node, field: field) {
            let text = try reader.string(value, field: "\(field).\(key)")
            let pattern: StackPattern
            do {
                pattern = try StackPattern(text)
            } catch {
                if case .invalidPattern(_, let reason) = error {
                    throw reader.invalid(value, field: "\(field).\(key)", "'\(text)' cannot be used: \(reason)")
                }
                throw error
            }
            switch key {
            case "template": template = pattern
            case "config": config = pattern
            default: throw reader.invalid(value, field: "\(field).\(key)", "is not a known field (known: template, config)")
            }
        }
        guard let template else { throw reader.invalid(node, field: "\(field).template", "is required") }
        return StackLayout.Rule(template: template, config: config)
    }
}

/// Reads typed values out of composed YAML nodes, naming file, line, column and field on failure.
private struct SettingsReader {
    let file: String

    func invalid(_ node: Node, field: String, _ problem: String) -> LayoutError {
        let mark = node.mark
        return .invalidSetting(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, field: field, problem: problem)
    }

    func mapping(_ node: Node, field: String) throws(LayoutError) -> [(String, Node)] {
        guard case .mapping(let mapping) = node else { throw invalid(node, field: field, "must be a mapping") }
        var pairs: [(String, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else { throw invalid(key, field: field, "has a key that is not a string") }
            pairs.append((name, value))
        }
        return pairs
    }

    func sequence(_ node: Node, field: String) throws(LayoutError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw invalid(node, field: field, "must be a list") }
        return Array(sequence)
    }

    func string(_ node: Node, field: String) throws(LayoutError) -> String {
        guard case .scalar(let scalar) = node else { throw invalid(node, field: field, "must be a string") }
        return scalar.string
    }
}

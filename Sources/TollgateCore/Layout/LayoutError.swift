/// A problem with how a repository lays out its stacks: its settings file or its files.
public enum LayoutError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A stack pattern that cannot be used.
    case invalidPattern(String, reason: String)
    /// The settings file is not valid YAML.
    case malformedSettings(file: String, line: Int, column: Int, problem: String)
    /// A field of the settings file has a value Tollgate cannot use.
    case invalidSetting(file: String, line: Int, column: Int, field: String, problem: String)
    /// Two files claim the same stack name.
    case duplicateStack(name: String, firstPath: String, secondPath: String, commit: String?)

    public var description: String {
        switch self {
        case .invalidPattern(let pattern, let reason):
            return "The stack pattern '\(pattern)' cannot be used: \(reason)."
        case .malformedSettings(let file, let line, let column, let problem):
            return "\(file):\(line):\(column): not valid YAML: \(problem)."
        case .invalidSetting(let file, let line, let column, let field, let problem):
            return "\(file):\(line):\(column): \(field) \(problem)."
        case .duplicateStack(let name, let first, let second, let commit):
            let at = commit.map { " in commit \($0)" } ?? ""
            return "Both '\(first)' and '\(second)'\(at) claim the stack '\(name)'; remove or rename one of them, "
                + "or set 'prefer: yaml' (or json) in tollgate.yaml if they are twins."
        }
    }
}

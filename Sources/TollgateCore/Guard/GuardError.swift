/// Why Guard rules or their data could not be read or evaluated; each case names the file and,
/// where known, the line and column.
public enum GuardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A rule file does not parse.
    case syntax(location: SourceLocation, problem: String)
    /// A rule file calls a function that Guard does not have, or with the wrong number of arguments.
    case unknownFunction(location: SourceLocation, name: String, problem: String)
    /// A data file (template or test input) is not valid YAML or JSON, or has the wrong shape.
    case data(location: SourceLocation, problem: String)
    /// Evaluating a rule failed: an unknown variable or rule, an operation on the wrong type, or
    /// a rule that goes deeper or works longer than the evaluator allows.
    case evaluation(fileName: String, rule: String, problem: String)

    /// One sentence: what is wrong, where, and how to fix it when that is known.
    public var description: String {
        switch self {
        case .syntax(let location, let problem):
            return "\(location): the Guard rule does not parse: \(problem)."
        case .unknownFunction(let location, let name, let problem):
            return "\(location): '\(name)' \(problem)."
        case .data(let location, let problem):
            return "\(location): \(problem)."
        case .evaluation(let fileName, let rule, let problem):
            return "\(fileName): rule \(rule) could not be evaluated: \(problem)."
        }
    }
}

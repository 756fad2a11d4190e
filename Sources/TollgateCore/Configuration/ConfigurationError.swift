/// Why a stack configuration file cannot be used with its template; each case names the
/// configuration file and the parameter, and says how to fix it.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not valid JSON.
    case syntax(location: SourceLocation, problem: String)
    /// The JSON does not have the TemplateConfiguration shape.
    case malformed(location: SourceLocation, problem: String)
    /// The configuration sets a parameter the template does not declare.
    case unknownParameter(location: SourceLocation, name: String, templateFileName: String)
    /// A top-level key that is neither `Parameters` nor `Tags`.
    case unknownKey(location: SourceLocation, key: String)
    /// A `StackPolicy` in the configuration, where the stack's authors could change it unreviewed.
    case stackPolicyInConfiguration(location: SourceLocation)
    /// A parameter has neither a value nor a default.
    case missingParameter(fileName: String, name: String, declaredAt: SourceLocation)
    /// A value breaks one of the parameter's constraints (AllowedValues, pattern, length, range, type);
    /// the location is the value's in the configuration, or the declaration's for a default.
    case invalidValue(location: SourceLocation, name: String, value: String, problem: String)
    /// A value (or default) is longer than CloudFormation accepts for a parameter.
    case valueTooLong(location: SourceLocation, name: String, bytes: Int, limit: Int)

    /// One sentence: what is wrong, where, and how to fix it.
    public var description: String {
        switch self {
        case .syntax(let location, let problem):
            return "\(location): invalid JSON: \(problem)."
        case .malformed(let location, let problem):
            return "\(location): \(problem)."
        case .unknownParameter(let location, let name, let templateFileName):
            return "\(location): parameter '\(name)' is not declared in \(templateFileName); remove it or declare it."
        case .unknownKey(let location, let key):
            return "\(location): '\(key)' is not a configuration key; use only Parameters and Tags."
        case .stackPolicyInConfiguration(let location):
            return "\(location): a StackPolicy is not accepted in a stack's configuration; stack policies live under "
                + "Policies/stack-policies/<stack>.json, where the repository's owners review them apart from the stack."
        case .missingParameter(let fileName, let name, let declaredAt):
            return "\(fileName): parameter '\(name)' (declared at \(declaredAt)) has no value and no Default; "
                + "add it to Parameters."
        case .invalidValue(let location, let name, let value, let problem):
            return "\(location): parameter '\(name)' value '\(value)' \(problem)."
        case .valueTooLong(let location, let name, let bytes, let limit):
            return "\(location): parameter '\(name)' has a value of \(bytes) bytes, over CloudFormation's limit of "
                + "\(limit) bytes per parameter value; shorten it."
        }
    }
}

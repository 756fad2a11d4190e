/// Why a template could not be read; each case names the file, the place and the logical id.
public enum TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template is larger than CloudFormation accepts.
    case tooLarge(fileName: String, bytes: Int, limit: Int)
    /// The text breaks one of the ``YAMLLimits`` (alias count or expansion, nesting depth, size).
    case limitExceeded(location: SourceLocation, problem: String)
    /// The text is not valid YAML or JSON.
    case syntax(location: SourceLocation, format: String, problem: String)
    /// A mapping names the same key twice, which CloudFormation refuses.
    case duplicateKey(location: SourceLocation, key: String)
    /// A `!Tag` that is not a CloudFormation intrinsic function.
    case unknownTag(location: SourceLocation, tag: String)
    /// A section or field does not have the shape CloudFormation requires.
    case malformed(location: SourceLocation, context: String, problem: String)
    /// A resource has no `Type`.
    case missingType(location: SourceLocation, logicalID: String)
    /// A `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If` or `Condition` names something the template does not declare.
    case unknownReference(location: SourceLocation, context: String, function: String, target: String)
    /// `DependsOn` names a resource that does not exist.
    case unknownDependency(location: SourceLocation, logicalID: String, target: String)
    /// Resources depend on each other in a loop, so no creation order exists.
    case circularDependency(location: SourceLocation, cycle: [String])

    /// One sentence: what is wrong, where, and how to fix it.
    public var description: String {
        switch self {
        case .tooLarge(let fileName, let bytes, let limit):
            return "\(fileName): the template is \(bytes) bytes, over CloudFormation's limit of \(limit) bytes; "
                + "split it into nested stacks or shorten it."
        case .limitExceeded(let location, let problem):
            return "\(location): \(problem)."
        case .syntax(let location, let format, let problem):
            return "\(location): invalid \(format): \(problem)."
        case .duplicateKey(let location, let key):
            return "\(location): the key '\(key)' appears twice in the same mapping; keep only one."
        case .unknownTag(let location, let tag):
            return "\(location): '\(tag)' is not a CloudFormation intrinsic function tag "
                + "(use !Ref, !GetAtt, !Sub, !Join, !If, ...)."
        case .malformed(let location, let context, let problem):
            return "\(location): \(context): \(problem)."
        case .missingType(let location, let logicalID):
            return "\(location): resource '\(logicalID)' has no Type; add one such as 'Type: AWS::S3::Bucket'."
        case .unknownReference(let location, let context, let function, let target):
            return "\(location): \(context) uses \(function) to '\(target)', which is not declared in the template."
        case .unknownDependency(let location, let logicalID, let target):
            return "\(location): resource '\(logicalID)' has DependsOn '\(target)', which is not a resource of the template."
        case .circularDependency(let location, let cycle):
            return "\(location): resources depend on each other in a loop (\(cycle.joined(separator: " -> "))); "
                + "remove one DependsOn or reference to break it."
        }
    }
}

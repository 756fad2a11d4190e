/// Why `tollgate drift` checked nothing at all (``unknownStack(_:known:)``), or why one stack's
/// check failed; a failure on one stack is reported with that stack
/// (``StackDrift/Status/error``), so that the others are still checked.
public enum DriftError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stack named has no recorded state: it was never applied, or the name is wrong.
    case unknownStack(String, known: [String])
    /// CloudFormation's drift detection was still running after the last look.
    case detectionUnfinished(providerStackName: String, looks: Int)
    /// Waiting for drift detection was cancelled.
    case cancelled(stack: String)

    /// How many applied stack names an error lists before it says how many more there are.
    static let namesListed = 10

    public var description: String {
        switch self {
        case .unknownStack(let stack, let known):
            let listed = known.prefix(Self.namesListed).joined(separator: ", ")
                + (known.count > Self.namesListed ? " and \(known.count - Self.namesListed) more" : "")
            let list = known.isEmpty ? "no stack has been applied yet" : "applied stacks: \(listed)"
            return "Stack \(stack) has no recorded state to compare (\(list)); name a stack that tollgate apply has applied."
        case .detectionUnfinished(let name, let looks):
            return "CloudFormation's drift detection of stack \(name) was still running after \(looks) looks; run tollgate drift again later."
        case .cancelled(let stack):
            return "The drift check of stack \(stack) was cancelled."
        }
    }
}

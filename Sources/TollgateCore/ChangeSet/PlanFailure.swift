import Foundation

/// Why a stack's template or configuration could not be planned at a commit: the body of a FAILED
/// change set, kept as CloudFormation keeps a change set whose creation failed, so that one broken
/// stack never stops the others and the record still says what went wrong where.
public struct PlanFailure: Sendable, Codable, Equatable {
    /// The stack that could not be planned.
    public var stack: String
    /// The commit whose files were read.
    public var commit: String
    /// The error, naming file, line and column where it knows them.
    public var reason: String
    /// Hex SHA-256 over stack, commit and reason: a failed change set is never approved, but the
    /// digest keeps every record's integrity checkable in one way.
    public var digest: String

    enum CodingKeys: String, CodingKey {
        case stack = "Stack"
        case commit = "Commit"
        case reason = "Reason"
        case digest = "Digest"
    }

    /// The failure to plan `stack` at `commit`, digested.
    public init(stack: String, commit: String, reason: String) {
        self.stack = stack
        self.commit = commit
        self.reason = reason
        // Each part is length-prefixed, so no two failures share an encoding.
        let encoded = ["tollgate-plan-failure-v1", stack, commit, reason].map { "\($0.utf8.count):\($0)" }.joined(separator: "\n")
        digest = CanonicalEncoding.sha256Hex(Data(encoded.utf8))
    }
}

public import TollgateCore

/// `plan --json` with guard results: the change set in CloudFormation's shape (PascalCase keys),
/// plus `Guards` beside them in the same casing.
public struct PlanJSON: Codable, Sendable {
    /// The change set, encoded as CloudFormation writes one.
    public var changeSet: ChangeSet
    /// The guard rules' results for it.
    public var guards: GuardReport

    /// The answer from its parts.
    public init(changeSet: ChangeSet, guards: GuardReport) {
        self.changeSet = changeSet
        self.guards = guards
    }

    enum CodingKeys: String, CodingKey {
        case guards = "Guards"
    }

    /// Reads what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        changeSet = try ChangeSet(from: decoder)
        guards = try decoder.container(keyedBy: CodingKeys.self).decode(GuardReport.self, forKey: .guards)
    }

    /// The change set's own keys, then `Guards`.
    public func encode(to encoder: any Encoder) throws {
        try changeSet.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(guards, forKey: .guards)
    }
}

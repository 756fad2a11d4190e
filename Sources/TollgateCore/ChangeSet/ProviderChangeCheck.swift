/// One resource change as the deploying service computed it (CloudFormation's own change set),
/// in CloudFormation's field names.
public struct ProviderChange: Sendable, Equatable, Codable {
    /// `Add`, `Modify`, `Remove`, or another action the service names.
    public var action: String
    public var logicalID: String
    public var resourceType: String
    /// `True`, `False` or `Conditional` for a `Modify`.
    public var replacement: String?

    enum CodingKeys: String, CodingKey {
        case action = "Action"
        case logicalID = "LogicalResourceId"
        case resourceType = "ResourceType"
        case replacement = "Replacement"
    }

    /// Creates a change as the service reported it.
    public init(action: String, logicalID: String, resourceType: String, replacement: String?) {
        self.action = action
        self.logicalID = logicalID
        self.resourceType = resourceType
        self.replacement = replacement
    }
}

/// A change the service would make that the approved change set did not show.
public struct UnapprovedChange: Sendable, Equatable, CustomStringConvertible {
    public var change: ProviderChange
    /// What the approved change set said of the resource.
    public var approved: String

    public var description: String {
        let what = change.action == "Modify" ? "replace" : change.action.lowercased()
        return "CloudFormation would \(what) \(change.logicalID) (\(change.resourceType)); the approved change set \(approved)"
    }
}

extension ChangeSet {
    /// The changes in `providerChanges` that add, remove or replace a resource where this change
    /// set (the one reviewers approved) did not say so; empty when the service does no more than
    /// was approved. In-place modifications are not compared: they cannot destroy a resource.
    /// The service's changes this change set lists itself (``providerChanges``) were approved.
    ///
    /// A template with a macro (`Transform`) is expanded by the service, which then adds resources
    /// the template does not name; those additions are accepted because the approved change set
    /// said that the transform may change anything.
    public func unapproved(_ providerChanges: [ProviderChange]) -> [UnapprovedChange] {
        let approved = Dictionary(resourceChanges.map { ($0.logicalResourceId, $0) }, uniquingKeysWith: { first, _ in first })
        let expands = !transforms.isEmpty
        var found: [UnapprovedChange] = []
        for change in providerChanges where !self.providerChanges.contains(change) {
            let shown = approved[change.logicalID]
            let said = shown.map { "shows it as \($0.action.rawValue)" + ($0.replacement.map { " with replacement \($0.rawValue)" } ?? "") }
                ?? "does not show it"
            switch change.action {
            case "Add":
                if shown?.action != .add && !(expands && shown == nil) {
                    found.append(UnapprovedChange(change: change, approved: said))
                }
            case "Remove":
                if shown?.action != .remove { found.append(UnapprovedChange(change: change, approved: said)) }
            case "Modify" where change.replacement == "True" || change.replacement == "Conditional":
                let replaced = shown?.action == .modify && (shown?.replacement == .true || shown?.replacement == .conditional)
                if !replaced && !(expands && shown == nil) { found.append(UnapprovedChange(change: change, approved: said)) }
            default:
                continue
            }
        }
        return found
    }
}

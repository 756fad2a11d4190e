/// One side of a change set: a template with the parameter values and tags it runs with.
///
/// The base side is what Tollgate recorded as applied; the target side is the commit under
/// review. Both hold already-resolved values (see ``TemplateConfiguration/resolveParameters(for:)``).
public struct StackSnapshot: Sendable {
    /// The template.
    public var template: Template
    /// Resolved parameter values, with the NoEcho names.
    public var parameters: ResolvedParameters
    /// Stack tags.
    public var tags: [String: String]

    /// A snapshot from resolved values, such as a stack's recorded state.
    ///
    /// Parameters the template declares `NoEcho` are masked even when `parameters` does not
    /// name them, so a recorded state can never leak a secret into a change set.
    public init(template: Template, parameters: ResolvedParameters, tags: [String: String] = [:]) {
        self.template = template
        var parameters = parameters
        parameters.noEcho.formUnion(template.parameters.filter(\.noEcho).map(\.name))
        self.parameters = parameters
        self.tags = tags
    }

    /// A snapshot from a template and its configuration file, checking the parameters.
    ///
    /// - Parameter missingParameters: whether a parameter with no value and no default is
    ///   refused (`plan`, `sync`) or read as unknown until apply time (`diff`).
    /// - Throws: ``ConfigurationError`` when the configuration does not fit the template.
    public init(
        template: Template, configuration: TemplateConfiguration, missingParameters: MissingParameterValues = .refuse
    ) throws {
        self.template = template
        parameters = try configuration.resolveParameters(for: template, missing: missingParameters)
        tags = configuration.tags
    }
}

/// Why no change set can be made for two otherwise valid templates.
public enum ChangePlanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Resources keep their logical id but change type, which CloudFormation refuses.
    case resourceTypeChanged([ResourceTypeChange])
    /// Evaluating a resource's properties or the template's conditions would build more than the
    /// evaluation limits allow (1 MB per value, 16 MB per template), so memory stays bounded.
    case valuesTooLarge(location: SourceLocation, owner: String, problem: String)

    /// One sentence naming the resources and the fix.
    public var description: String {
        switch self {
        case .resourceTypeChanged(let changes):
            let list = changes.map { "\($0.location) '\($0.logicalID)' (\($0.before) -> \($0.after))" }
            return "Update of resource type is not permitted: \(list.joined(separator: ", ")); "
                + "give the new resource a new logical id instead."
        case .valuesTooLarge(let location, let owner, let problem):
            return "\(location): evaluating \(owner) \(problem); build smaller values."
        }
    }
}

/// A resource whose type changes under the same logical id.
public struct ResourceTypeChange: Sendable, Equatable {
    /// The logical id.
    public var logicalID: String
    /// Where the resource is declared in the target template.
    public var location: SourceLocation
    /// The type before.
    public var before: String
    /// The type after.
    public var after: String
}

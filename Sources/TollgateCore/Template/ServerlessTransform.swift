/// What Tollgate knows of the AWS SAM transform (`AWS::Serverless-2016-10-31`): its
/// `Globals` section and how it merges into each SAM resource, as SAM documents it.
///
/// Tollgate plans SAM resources as the author wrote them, with `Globals` applied; the
/// resources CloudFormation expands them into at apply time (roles, permissions, versions)
/// are listed by the provider's own change set.
enum ServerlessTransform {
    /// The transform's name.
    static let name = "AWS::Serverless-2016-10-31"

    /// The resource type each `Globals` entry applies to.
    static let globalTypes: [String: String] = [
        "Function": "AWS::Serverless::Function", "Api": "AWS::Serverless::Api",
        "HttpApi": "AWS::Serverless::HttpApi", "SimpleTable": "AWS::Serverless::SimpleTable",
        "StateMachine": "AWS::Serverless::StateMachine", "CapacityProvider": "AWS::Serverless::CapacityProvider",
        "LayerVersion": "AWS::Serverless::LayerVersion",
    ]

    /// Whether a name may be a resource SAM generates (`<Function>Role`, `<Function>Version`,
    /// `ServerlessRestApi`, ...), which the author may refer to though the template does not
    /// declare it. SAM names generated resources after their SAM resource's logical id.
    static func mayGenerate(_ name: String, in template: Template) -> Bool {
        guard template.transformNames.contains(Self.name) else { return false }
        if name.hasPrefix("Serverless") { return true }
        return template.resources.contains { $0.type.hasPrefix("AWS::Serverless::") && name.hasPrefix($0.logicalID) }
    }

    /// Merges each `Globals` entry into the properties of the resources of its type.
    ///
    /// - Throws: ``TemplateError/malformed(location:context:problem:)`` for an entry SAM does not
    ///   know or one that is not a mapping.
    static func applyGlobals(to template: inout Template, at location: SourceLocation?) throws {
        guard let location, !template.globals.isEmpty else { return }
        var byType: [String: TemplateMap] = [:]
        for (kind, value) in template.globals.pairs {
            guard let type = globalTypes[kind] else {
                throw TemplateError.malformed(
                    location: location, context: "section 'Globals'",
                    problem: "'\(kind)' is not a resource kind SAM's Globals support "
                        + "(\(globalTypes.keys.sorted().joined(separator: ", ")))")
            }
            guard let properties = value.mapValue else {
                throw TemplateError.malformed(
                    location: location, context: "section 'Globals'", problem: "'\(kind)' must be a mapping of properties")
            }
            byType[type] = properties
        }
        for index in template.resources.indices {
            let resource = template.resources[index]
            guard let global = byType[resource.type], resource.propertiesExpression == nil,
                case .map(let merged) = merge(global: .map(global), resource: .map(resource.properties))
            else { continue }
            template.resources[index].properties = merged
        }
    }

    /// SAM's rules: the resource's scalar wins, maps merge key by key, lists are the global
    /// entries followed by the resource's.
    static func merge(global: TemplateValue, resource: TemplateValue?) -> TemplateValue {
        guard let resource else { return global }
        switch (global, resource) {
        case (.map(let globalMap), .map(let resourceMap)):
            var result = globalMap
            for (key, value) in resourceMap.pairs {
                result[key] = merge(global: globalMap[key] ?? value, resource: globalMap[key] == nil ? nil : value)
            }
            return .map(result)
        case (.list(let globalItems), .list(let resourceItems)):
            return .list(globalItems + resourceItems)
        default:
            return resource
        }
    }
}

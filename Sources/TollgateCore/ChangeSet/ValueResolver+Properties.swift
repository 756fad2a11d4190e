extension ValueResolver {
    /// The resource as this side evaluates it: `Properties: !If [...]` replaced by the mapping
    /// the conditions choose, and a `DeletionPolicy` or `UpdateReplacePolicy` written as a
    /// function replaced by its value. A policy whose value is known only at apply time stays
    /// unset, which predicts `Delete`, the most destructive outcome.
    func evaluatingAttributes(of resource: TemplateResource) throws -> TemplateResource {
        guard resource.propertiesExpression != nil || !resource.policyExpressions.isEmpty else { return resource }
        var evaluated = resource
        if let expression = resource.propertiesExpression {
            evaluated.properties = chosenMap(expression) ?? TemplateMap()
        }
        if let expression = resource.policyExpressions[.deletionPolicy] {
            evaluated.deletionPolicy = try resolve(expression)?.scalarText
        }
        if let expression = resource.policyExpressions[.updateReplacePolicy] {
            evaluated.updateReplacePolicy = try resolve(expression)?.scalarText
        }
        return evaluated
    }

    private func chosenMap(_ value: TemplateValue) -> TemplateMap? {
        switch value {
        case .map(let map):
            return map
        case .function(.if, let argument):
            guard let items = argument.listValue, items.count == 3, let name = items[0].stringValue else { return nil }
            return chosenMap((conditions[name] ?? false) ? items[1] : items[2])
        default:
            return nil
        }
    }
}

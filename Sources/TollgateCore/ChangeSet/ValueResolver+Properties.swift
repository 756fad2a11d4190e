extension ValueResolver {
    /// The resource as this side evaluates it: `Properties: !If [...]` replaced by the mapping
    /// the conditions choose (or, for a condition known only at apply time, by one mapping whose
    /// properties that differ between the branches are each an `Fn::If` on it), and a `DeletionPolicy` or `UpdateReplacePolicy` written as a
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
            if unknownConditions.contains(name) {
                return Self.merged(condition: name, chosenMap(items[1]) ?? TemplateMap(), chosenMap(items[2]) ?? TemplateMap())
            }
            return chosenMap((conditions[name] ?? false) ? items[1] : items[2])
        default:
            return nil
        }
    }

    /// `!If [C, {A: 1}, {A: 2, B: 3}]` read property by property: `{A: !If [C, 1, 2], B: !If [C,
    /// !Ref AWS::NoValue, 3]}`, so that each property compares, and is shown, on its own.
    private static func merged(condition: String, _ whenTrue: TemplateMap, _ whenFalse: TemplateMap) -> TemplateMap {
        let noValue = TemplateValue.function(.ref, .string("AWS::NoValue"))
        var result = TemplateMap()
        for key in whenTrue.keys + whenFalse.keys.filter({ whenTrue[$0] == nil }) {
            let left = whenTrue[key] ?? noValue
            let right = whenFalse[key] ?? noValue
            result[key] = left == right ? left : .function(.if, .list([.string(condition), left, right]))
        }
        return result
    }
}

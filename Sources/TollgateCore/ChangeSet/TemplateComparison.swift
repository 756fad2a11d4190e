/// Lists the changes CloudFormation's change set leaves out but a reviewer needs: transforms,
/// rules, template metadata, parameters (declarations and values), outputs, conditions,
/// mappings and stack tags.
struct TemplateComparison {
    /// Template metadata keys that only the console reads (parameter grouping, the designer's
    /// layout); changing them changes nothing CloudFormation does.
    static let cosmeticMetadataKeys: Set<String> = ["AWS::CloudFormation::Interface", "AWS::CloudFormation::Designer"]

    let base: StackSnapshot
    let target: StackSnapshot
    let before: ValueResolver
    let after: ValueResolver

    func changes() -> [TemplateChange] {
        transformChanges() + globalsChanges() + ruleChanges() + metadataChanges() + parameterChanges() + outputChanges()
            + conditionChanges() + mappingChanges() + tagChanges()
    }

    /// A macro may rewrite the whole template, so adding, removing or reordering one is a change.
    private func transformChanges() -> [TemplateChange] {
        let old = base.template.transform
        let new = target.template.transform
        guard old != new else { return [] }
        let action: ChangeAction = old == nil ? .add : new == nil ? .remove : .modify
        return [
            TemplateChange(
                section: "Transform", name: "Transform", action: action,
                before: CanonicalEncoding.display(old), after: CanonicalEncoding.display(new))
        ]
    }

    /// The SAM resources show what Globals change in them; the section is listed too, since a
    /// global may reach resources SAM generates.
    private func globalsChanges() -> [TemplateChange] {
        Self.sectionChanges(
            "Globals", order: Self.names(base.template.globals.keys, target.template.globals.keys),
            old: base.template.globals.values, new: target.template.globals.values)
    }

    private func ruleChanges() -> [TemplateChange] {
        Self.sectionChanges(
            "Rules", order: Self.names(base.template.rules.keys, target.template.rules.keys),
            old: base.template.rules.values, new: target.template.rules.values)
    }

    private func metadataChanges() -> [TemplateChange] {
        let read = { (map: TemplateMap) in map.values.filter { !Self.cosmeticMetadataKeys.contains($0.key) } }
        return Self.sectionChanges(
            "Metadata", order: Self.names(base.template.metadata.keys, target.template.metadata.keys),
            old: read(base.template.metadata), new: read(target.template.metadata))
    }

    private func parameterChanges() -> [TemplateChange] {
        let old = Dictionary(base.template.parameters.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(target.template.parameters.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return Self.names(base.template.parameters.map(\.name), target.template.parameters.map(\.name)).compactMap { name in
            let oldValue = base.parameters.displayValue(of: name)
            let newValue = target.parameters.displayValue(of: name)
            let declarationChanged: Bool
            if let oldFields = old[name]?.comparableFields, let newFields = new[name]?.comparableFields {
                declarationChanged = !oldFields.elementsEqual(newFields) { $0.hasSameBytes(as: $1) }
            } else {
                declarationChanged = (old[name] == nil) != (new[name] == nil)
            }
            let valueChanged = !base.parameters.values[name].hasSameBytes(as: target.parameters.values[name])
            guard declarationChanged || valueChanged else { return nil }
            let action: ChangeAction = old[name] == nil ? .add : new[name] == nil ? .remove : .modify
            let shownAfter = action == .modify && !valueChanged ? newValue.map { "\($0) (declaration changed)" } : newValue
            return TemplateChange(section: "Parameters", name: name, action: action, before: oldValue, after: shownAfter)
        }
    }

    private func outputChanges() -> [TemplateChange] {
        let old = Dictionary(
            base.template.outputs.compactMap { Self.shown($0, before) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(
            target.template.outputs.compactMap { Self.shown($0, after) }, uniquingKeysWith: { first, _ in first })
        return Self.sectionChanges(
            "Outputs", order: Self.names(base.template.outputs.map(\.name), target.template.outputs.map(\.name)),
            old: old, new: new)
    }

    /// An output as one side shows it: absent when its condition is false, and wrapped in
    /// `Fn::If` on its condition when that is known only at apply time, so that a reviewer sees
    /// it may or may not exist.
    private static func shown(_ output: TemplateOutput, _ resolver: ValueResolver) -> (String, TemplateValue)? {
        switch resolver.existence(condition: output.condition) {
        case .absent:
            return nil
        case .exists:
            return (output.name, output.canonicalValue)
        case .unknown:
            let noValue = TemplateValue.function(.ref, .string("AWS::NoValue"))
            return (output.name, .function(.if, .list([.string(output.condition ?? ""), output.canonicalValue, noValue])))
        }
    }

    private func conditionChanges() -> [TemplateChange] {
        func shown(_ name: String, _ template: Template, _ resolver: ValueResolver) -> String? {
            guard let expression = template.conditions[name] else { return nil }
            let outcome = resolver.unknownConditions.contains(name)
                ? "unknown until apply" : String(resolver.conditions[name] ?? false)
            return "\(CanonicalEncoding.json(expression)) = \(outcome)"
        }
        return Self.names(base.template.conditions.keys, target.template.conditions.keys).compactMap { name in
            let old = shown(name, base.template, before)
            let new = shown(name, target.template, after)
            guard !old.hasSameBytes(as: new) else { return nil }
            let action: ChangeAction = old == nil ? .add : new == nil ? .remove : .modify
            return TemplateChange(section: "Conditions", name: name, action: action, before: old, after: new)
        }
    }

    private func mappingChanges() -> [TemplateChange] {
        Self.sectionChanges(
            "Mappings", order: Self.names(base.template.mappings.keys, target.template.mappings.keys),
            old: base.template.mappings.values, new: target.template.mappings.values)
    }

    private func tagChanges() -> [TemplateChange] {
        Self.names(base.tags.keys.sorted(), target.tags.keys.sorted()).compactMap { key in
            let old = base.tags[key]
            let new = target.tags[key]
            guard !old.hasSameBytes(as: new) else { return nil }
            let action: ChangeAction = old == nil ? .add : new == nil ? .remove : .modify
            return TemplateChange(section: "Tags", name: key, action: action, before: old, after: new)
        }
    }

    /// Names from both sides, old order first, each once.
    private static func names(_ old: [String], _ new: [String]) -> [String] {
        var seen: Set<String> = []
        return (old + new).filter { seen.insert($0).inserted }
    }

    private static func sectionChanges(
        _ section: String, order: [String], old: [String: TemplateValue], new: [String: TemplateValue]
    ) -> [TemplateChange] {
        order.compactMap { name in
            let oldValue = old[name]
            let newValue = new[name]
            guard oldValue != newValue else { return nil }
            let action: ChangeAction = oldValue == nil ? .add : newValue == nil ? .remove : .modify
            return TemplateChange(
                section: section, name: name, action: action,
                before: oldValue.map(CanonicalEncoding.json), after: newValue.map(CanonicalEncoding.json))
        }
    }
}

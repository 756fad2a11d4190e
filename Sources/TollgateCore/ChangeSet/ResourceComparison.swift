/// A resource that a property refers to: `Ref X` (no attribute) or `Fn::GetAtt X.Attr`.
struct ResourceReference: Hashable {
    var resource: String
    var attribute: String?

    /// `X` for a `Ref`, `X.Attr` for an attribute, as CloudFormation names a `CausingEntity`.
    var causingEntity: String { attribute.map { "\(resource).\($0)" } ?? resource }
}

/// Compares one resource's two declarations and says what changes and why.
struct ResourceComparison {
    let table: ReplacementTable
    let before: ValueResolver
    let after: ValueResolver
    let noEcho: Set<String>
    let stackTagsChanged: Bool
    /// Whether both sides evaluate alike (same parameter values, conditions and mappings),
    /// so that equal template text is known to mean equal values without evaluating it.
    private let sidesEvaluateAlike: Bool
    /// The resources each target property refers to, by logical id and property name.
    private let targetReferences: [String: [(property: String, references: [ResourceReference])]]
    /// The logical ids each target resource refers to, sorted, for the dependency order.
    private let dependencies: [String: [String]]

    init(
        table: ReplacementTable, before: ValueResolver, after: ValueResolver, noEcho: Set<String>,
        stackTagsChanged: Bool, targetResources: [TemplateResource]
    ) {
        self.table = table
        self.before = before
        self.after = after
        self.noEcho = noEcho
        self.stackTagsChanged = stackTagsChanged
        sidesEvaluateAlike = before.evaluatesLike(after)
        let ids = Set(targetResources.map(\.logicalID))
        var references: [String: [(property: String, references: [ResourceReference])]] = [:]
        var dependencies: [String: [String]] = [:]
        for resource in targetResources {
            let found = resource.properties.pairs.compactMap { key, value -> (property: String, references: [ResourceReference])? in
                var found: [ResourceReference] = []
                Self.collectReferences(value, resources: ids, conditions: after.conditions, into: &found)
                return found.isEmpty ? nil : (key, found)
            }
            references[resource.logicalID] = found
            dependencies[resource.logicalID] = Array(Set(found.flatMap { $0.references.map(\.resource) })).sorted()
        }
        targetReferences = references
        self.dependencies = dependencies
    }

    /// The logical ids a target resource's properties refer to, sorted.
    func references(of logicalID: String) -> [String] {
        dependencies[logicalID] ?? []
    }

    /// The Modify change between two declarations of one resource, or nil when nothing changes.
    ///
    /// `changes` holds the changes of the resources this one refers to, which the planner
    /// has already computed because it visits resources in dependency order.
    func modification(
        from old: TemplateResource, to new: TemplateResource, changes: [String: ResourceChange]
    ) throws -> ResourceChange? {
        var details = try propertyDetails(from: old, to: new)
        details += try attributeDetails(from: old, to: new)
        details += referenceDetails(of: new, changes: changes, existing: details)
        guard !details.isEmpty else { return nil }

        var change = ResourceChange(action: .modify, logicalResourceId: new.logicalID, resourceType: new.type)
        change.details = details
        change.scope = Array(Set(details.map(\.target.attribute))).sorted()
        change.replacement = details.map { detail -> Replacement in
            switch (detail.target.requiresRecreation ?? .never, detail.evaluation) {
            case (.always, .static): return .true
            case (.always, .dynamic), (.conditionally, _): return .conditional
            case (.never, _): return .false
            }
        }.max() ?? .false
        if change.replacement != .false {
            change.policyAction = .replacement(updateReplacePolicy: new.updateReplacePolicy ?? old.updateReplacePolicy)
        }
        var notes: [String] = []
        if table.entry(for: new.type) == nil, change.scope.contains(.properties) || change.scope.contains(.tags) {
            notes.append("\(new.type) is not in the replacement table (resource schemas of cfn-lint "
                + "\(ReplacementTable.generatedFromCfnLint)), so replacement is predicted as Conditional.")
        }
        for name in Set(details.compactMap(\.target.name)).sorted() {
            if let disagreement = table.disagreement(type: new.type, property: name) { notes.append(disagreement.note) }
        }
        if !notes.isEmpty { change.note = notes.joined(separator: " ") }
        return change
    }

    private func propertyDetails(from old: TemplateResource, to new: TemplateResource) throws -> [ResourceChangeDetail] {
        var keys = new.properties.keys
        keys += old.properties.keys.filter { new.properties[$0] == nil }
        var details: [ResourceChangeDetail] = []
        for key in keys {
            let rawOld = old.properties[key]
            let rawNew = new.properties[key]
            if sidesEvaluateAlike, Self.same(key, rawOld, rawNew) { continue }
            let valueOld = try rawOld.flatMap(before.resolve)
            let valueNew = try rawNew.flatMap(after.resolve)
            if Self.same(key, valueOld, valueNew) { continue }
            let isTags = key == "Tags"
            let recreation = table.requiresRecreation(type: new.type, property: key, before: valueOld, after: valueNew)
            let parameters = after.referencedParameters(in: rawNew ?? .null)
                .union(before.referencedParameters(in: rawOld ?? .null))
            let showRaw = !parameters.isDisjoint(with: noEcho)
            let evaluation: ChangeEvaluation = parameters.isDisjoint(with: before.unknownParameters)
                && parameters.isDisjoint(with: after.unknownParameters) ? .static : .dynamic
            let target = ResourceTargetDefinition(
                attribute: isTags && recreation == .never ? .tags : .properties,
                name: isTags && recreation == .never ? nil : key,
                requiresRecreation: recreation,
                beforeValue: CanonicalEncoding.display(showRaw ? rawOld : valueOld),
                afterValue: CanonicalEncoding.display(showRaw ? rawNew : valueNew))
            details += causes(
                target: target, rawOld: rawOld, rawNew: rawNew, parameters: parameters, isTags: isTags, evaluation: evaluation)
        }
        return details
    }

    /// One detail per cause: a direct edit of the text, or each parameter whose value changed.
    private func causes(
        target: ResourceTargetDefinition, rawOld: TemplateValue?, rawNew: TemplateValue?, parameters: Set<String>,
        isTags: Bool, evaluation: ChangeEvaluation = .static
    ) -> [ResourceChangeDetail] {
        if !Self.same(isTags ? "Tags" : "", rawOld, rawNew) {
            return [ResourceChangeDetail(target: target, evaluation: evaluation, changeSource: .directModification)]
        }
        let changed = parameters.filter { !before.parameters[$0].hasSameBytes(as: after.parameters[$0]) }.sorted()
        guard !changed.isEmpty else {
            return [ResourceChangeDetail(target: target, evaluation: evaluation, changeSource: .parameterReference)]
        }
        return changed.map {
            ResourceChangeDetail(target: target, evaluation: evaluation, changeSource: .parameterReference, causingEntity: $0)
        }
    }

    /// Changes to resource attributes other than properties, and stack tags reaching the resource.
    private func attributeDetails(from old: TemplateResource, to new: TemplateResource) throws -> [ResourceChangeDetail] {
        var details: [ResourceChangeDetail] = []
        let pairs: [(ChangeScope, TemplateValue?, TemplateValue?)] = [
            (.metadata, old.metadata, new.metadata),
            (.creationPolicy, old.creationPolicy, new.creationPolicy),
            (.updatePolicy, old.updatePolicy, new.updatePolicy),
            (.deletionPolicy, old.deletionPolicy.map(TemplateValue.string), new.deletionPolicy.map(TemplateValue.string)),
            (.updateReplacePolicy, old.updateReplacePolicy.map(TemplateValue.string),
             new.updateReplacePolicy.map(TemplateValue.string)),
        ]
        for (scope, rawOld, rawNew) in pairs {
            if sidesEvaluateAlike, rawOld == rawNew { continue }
            let valueOld = try rawOld.flatMap(before.resolve)
            let valueNew = try rawNew.flatMap(after.resolve)
            if valueOld == valueNew { continue }
            let target = ResourceTargetDefinition(
                attribute: scope, requiresRecreation: .never,
                beforeValue: CanonicalEncoding.display(valueOld), afterValue: CanonicalEncoding.display(valueNew))
            let parameters = after.referencedParameters(in: rawNew ?? .null)
            details += causes(target: target, rawOld: rawOld, rawNew: rawNew, parameters: parameters, isTags: false)
        }
        if stackTagsChanged, table.isTaggable(new.type) {
            details.append(
                ResourceChangeDetail(
                    target: ResourceTargetDefinition(attribute: .tags, requiresRecreation: .never),
                    evaluation: .static, changeSource: .directModification))
        }
        return details
    }

    /// Dynamic details for references to resources that are replaced (any reference) or
    /// modified (attribute reads), whose values CloudFormation only learns during the update.
    private func referenceDetails(
        of new: TemplateResource, changes: [String: ResourceChange], existing: [ResourceChangeDetail]
    ) -> [ResourceChangeDetail] {
        var details: [ResourceChangeDetail] = []
        var seen: Set<String> = []
        for (property, references) in targetReferences[new.logicalID] ?? [] {
            for reference in references {
                guard let cause = changes[reference.resource], cause.action == .modify else { continue }
                let replaced = cause.replacement == .true || cause.replacement == .conditional
                guard replaced || reference.attribute != nil else { continue }
                let key = "\(property)\u{0}\(reference.causingEntity)"
                guard seen.insert(key).inserted else { continue }
                let recreation = table.recreationIfChanged(type: new.type, property: property)
                let isTags = property == "Tags" && recreation == .never
                details.append(
                    ResourceChangeDetail(
                        target: ResourceTargetDefinition(
                            attribute: isTags ? .tags : .properties, name: isTags ? nil : property,
                            requiresRecreation: recreation),
                        evaluation: .dynamic,
                        changeSource: reference.attribute == nil ? .resourceReference : .resourceAttribute,
                        causingEntity: reference.causingEntity))
            }
        }
        return details
    }

    /// Equality as CloudFormation sees it; a `Tags` list compares as a set keyed by `Key`.
    static func same(_ key: String, _ left: TemplateValue?, _ right: TemplateValue?) -> Bool {
        guard key == "Tags" else { return left == right }
        return left.map(tagSet) == right.map(tagSet)
    }

    private static func tagSet(_ value: TemplateValue) -> TemplateValue {
        guard let items = value.listValue else { return value }
        var byKey = TemplateMap()
        for item in items {
            guard let map = item.mapValue, let key = map["Key"]?.scalarText else { return value }
            byKey[key] = map["Value"] ?? .null
        }
        return .map(byKey)
    }

    /// The resource references in a value, following only the branch of each `Fn::If` that
    /// the conditions choose, since the other branch is never sent to CloudFormation.
    static func collectReferences(
        _ value: TemplateValue, resources: Set<String>, conditions: [String: Bool], into found: inout [ResourceReference]
    ) {
        switch value {
        case .string, .number, .bool, .null:
            return
        case .list(let items):
            for item in items { collectReferences(item, resources: resources, conditions: conditions, into: &found) }
        case .map(let map):
            // Written order, not dictionary order, so that details and the digest are the same in every run.
            for key in map.keys {
                if let item = map[key] { collectReferences(item, resources: resources, conditions: conditions, into: &found) }
            }
        case .function(.if, let argument):
            guard let items = argument.listValue, items.count == 3, let name = items[0].stringValue,
                let chosen = conditions[name]
            else {
                collectReferences(argument, resources: resources, conditions: conditions, into: &found)
                return
            }
            collectReferences(chosen ? items[1] : items[2], resources: resources, conditions: conditions, into: &found)
        case .function(.ref, let argument):
            if let name = argument.stringValue, resources.contains(name) {
                found.append(ResourceReference(resource: name, attribute: nil))
            }
        case .function(.getAtt, let argument):
            if let items = argument.listValue, let name = items.first?.stringValue, resources.contains(name) {
                found.append(ResourceReference(resource: name, attribute: items.dropFirst().first?.scalarText ?? "*"))
            }
        case .function(.sub, let argument):
            let variables = Set(argument.listValue?.dropFirst().first?.mapValue?.keys ?? [])
            let text = argument.stringValue ?? argument.listValue?.first?.stringValue ?? ""
            for name in SubstitutionPattern.names(in: text)
            where resources.contains(name.target) && !variables.contains(name.variable) {
                found.append(ResourceReference(resource: name.target, attribute: name.attribute))
            }
            if let values = argument.listValue?.dropFirst().first {
                collectReferences(values, resources: resources, conditions: conditions, into: &found)
            }
        case .function(_, let argument):
            collectReferences(argument, resources: resources, conditions: conditions, into: &found)
        }
    }
}

extension ReplacementTable {
    /// Whether a property whose new value is unknown until deployment may recreate the
    /// resource: `Always` for a top-level create-only property, `Conditionally` when only a
    /// nested part is create-only or the type is unknown, `Never` otherwise.
    func recreationIfChanged(type: String, property: String) -> RequiresRecreation {
        guard let entry = entry(for: type) else { return .conditionally }
        var result = disagreement(type: type, property: property).map { max($0.schema, $0.userGuide) } ?? .never
        for path in entry.createOnlyProperties {
            if path == property { return .always }
            if path.hasPrefix(property + "/") { result = .conditionally }
        }
        return result
    }
}

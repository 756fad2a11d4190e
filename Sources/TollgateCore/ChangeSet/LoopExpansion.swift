/// Expands `Fn::ForEach` loops (`AWS::LanguageExtensions`) offline, as CloudFormation does
/// before it plans: each element of the collection is bound to the identifier, which replaces
/// `${Identifier}` and `&{Identifier}` in keys and `Fn::Sub` strings and `Ref Identifier`
/// anywhere in the fragment. Collections may use parameters and mappings, so a template's loops
/// are expanded with the parameter values of the side being planned.
struct LoopExpansion {
    /// Evaluates collections: parameters, `Fn::FindInMap`, `Fn::Split`-free literal lists.
    let resolver: ValueResolver

    /// The template with every loop's entries in its section and property-level loops expanded;
    /// a template without loops is returned as it is.
    ///
    /// - Throws: ``TemplateError/malformed(location:context:problem:)`` naming the loop when its
    ///   shape is wrong or its collection is not known offline.
    func expand(_ template: Template) throws -> Template {
        guard template.transformNames.contains(TemplateLoop.transform) else { return template }
        var expanded = template
        expanded.loops = []
        for loop in template.loops {
            for (key, value) in try entries(of: loop.key, value: loop.value, location: loop.location, bindings: [:]) {
                switch loop.section {
                case .resources:
                    expanded.resources.append(try TemplateResource(logicalID: key, declaration: value, location: loop.location))
                case .outputs:
                    expanded.outputs.append(try TemplateOutput(name: key, declaration: value, location: loop.location))
                case .conditions:
                    expanded.conditions[key] = value
                }
            }
        }
        for index in expanded.resources.indices {
            let resource = expanded.resources[index]
            if case .map(let properties) = try expandNested(.map(resource.properties), location: resource.location) {
                expanded.resources[index].properties = properties
            }
        }
        try Self.checkConditionNames(in: expanded)
        return expanded
    }

    /// Conditions made by loops are known only now; a resource or output naming one that no loop
    /// made is refused as CloudFormation refuses it.
    private static func checkConditionNames(in template: Template) throws {
        let named = template.resources.map { ($0.condition, $0.location, "resource '\($0.logicalID)'") }
            + template.outputs.map { ($0.condition, $0.location, "output '\($0.name)'") }
        for case (let condition?, let location, let context) in named where template.conditions[condition] == nil {
            throw TemplateError.unknownReference(location: location, context: context, function: "Condition", target: condition)
        }
    }

    /// The key and value pairs one loop yields, nested loops in its fragment included.
    private func entries(
        of key: String, value: TemplateValue, location: SourceLocation, bindings: [String: String]
    ) throws -> [(String, TemplateValue)] {
        func malformed(_ problem: String) -> TemplateError {
            .malformed(location: location, context: "'\(key)'", problem: problem)
        }
        guard let parts = value.listValue, parts.count == 3, let fragment = parts[2].mapValue else {
            throw malformed("Fn::ForEach takes [Identifier, Collection, {OutputKey: Fragment}]")
        }
        let identifiers = parts[0].stringValue.map { [$0] } ?? parts[0].listValue?.compactMap(\.stringValue) ?? []
        guard !identifiers.isEmpty else { throw malformed("the identifier must be a name or a list of names") }
        guard let collection = try resolver.resolve(substitute(parts[1], bindings))?.listValue else {
            throw malformed("the collection is not a list known before deployment")
        }
        var result: [(String, TemplateValue)] = []
        for element in collection {
            var scope = bindings
            if identifiers.count == 1 {
                guard let text = element.scalarText else { throw malformed("each element of the collection must be a string") }
                scope[identifiers[0]] = text
            } else {
                guard let items = element.listValue, items.count == identifiers.count else {
                    throw malformed("each element must be a list of \(identifiers.count) values, one per identifier")
                }
                for (identifier, item) in zip(identifiers, items) {
                    guard let text = item.scalarText else { throw malformed("each value must be a string") }
                    scope[identifier] = text
                }
            }
            for (outputKey, fragmentValue) in fragment.pairs {
                if outputKey.hasPrefix(TemplateLoop.keyPrefix) {
                    result += try entries(of: outputKey, value: fragmentValue, location: location, bindings: scope)
                } else {
                    result.append((Self.replacing(in: outputKey, scope), substitute(fragmentValue, scope)))
                }
            }
        }
        return result
    }

    /// Property-level loops: a map key `Fn::ForEach::Name` becomes the keys it yields.
    private func expandNested(_ value: TemplateValue, location: SourceLocation) throws -> TemplateValue {
        switch value {
        case .map(let map):
            var result = TemplateMap()
            for (key, item) in map.pairs {
                if key.hasPrefix(TemplateLoop.keyPrefix) {
                    for (expandedKey, expandedValue) in try entries(of: key, value: item, location: location, bindings: [:]) {
                        result[expandedKey] = try expandNested(expandedValue, location: location)
                    }
                } else {
                    result[key] = try expandNested(item, location: location)
                }
            }
            return .map(result)
        case .list(let items):
            return .list(try items.map { try expandNested($0, location: location) })
        case .function(let function, let argument):
            return .function(function, try expandNested(argument, location: location))
        case .string, .number, .bool, .null:
            return value
        }
    }

    /// The value with the loop's identifiers bound.
    private func substitute(_ value: TemplateValue, _ bindings: [String: String]) -> TemplateValue {
        guard !bindings.isEmpty else { return value }
        switch value {
        case .string, .number, .bool, .null:
            return value
        case .list(let items):
            return .list(items.map { substitute($0, bindings) })
        case .map(let map):
            return .map(TemplateMap(map.pairs.map { key, item in
                // Nested loop keys keep their name; their fragments are bound when they expand.
                (key.hasPrefix(TemplateLoop.keyPrefix) ? key : Self.replacing(in: key, bindings), substitute(item, bindings))
            }))
        case .function(.ref, let argument):
            if let name = argument.stringValue, let bound = bindings[name] { return .string(bound) }
            return .function(.ref, substitute(argument, bindings))
        case .function(.sub, let argument):
            if let text = argument.stringValue {
                let replaced = Self.replacing(in: text, bindings)
                // A Sub left with nothing to substitute is the plain string, as `!GetAtt [!Sub ..., ...]` needs.
                return SubstitutionPattern.names(in: replaced).isEmpty && !replaced.contains("${") ? .string(replaced)
                    : .function(.sub, .string(replaced))
            }
            if var items = argument.listValue, let text = items.first?.stringValue {
                items[0] = .string(Self.replacing(in: text, bindings))
                return .function(.sub, .list(items.enumerated().map { $0.offset == 0 ? $0.element : substitute($0.element, bindings) }))
            }
            return .function(.sub, substitute(argument, bindings))
        case .function(.getAtt, let argument):
            if let parts = argument.listValue?.map({ substitute($0, bindings) }), parts.count == 2,
                let resource = parts[0].stringValue, let attribute = parts[1].stringValue
            {
                return .function(.getAtt, .list([.string(resource), .string(attribute)]))
            }
            return .function(.getAtt, substitute(argument, bindings))
        case .function(let function, let argument):
            return .function(function, substitute(argument, bindings))
        }
    }

    /// `${Identifier}` becomes the element, `&{Identifier}` the element without its
    /// non-alphanumeric characters (for logical ids made from addresses or names with dashes).
    static func replacing(in text: String, _ bindings: [String: String]) -> String {
        guard text.contains("{") else { return text }
        var result = text
        for (identifier, element) in bindings {
            result = result.replacingAll("${\(identifier)}", with: element)
            let alphanumeric = String(element.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
            result = result.replacingAll("&{\(identifier)}", with: alphanumeric)
        }
        return result
    }
}

extension String {
    /// Every occurrence of a literal replaced, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(ofLiteral: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    /// The first range of a literal, compared by Unicode scalars.
    func range(ofLiteral target: String) -> Range<Substring.Index>? {
        let scalars = unicodeScalars
        let needle = Array(target.unicodeScalars)
        var index = scalars.startIndex
        while index < scalars.endIndex {
            var probe = index
            var matched = 0
            while matched < needle.count, probe < scalars.endIndex, scalars[probe] == needle[matched] {
                probe = scalars.index(after: probe)
                matched += 1
            }
            if matched == needle.count { return index..<probe }
            index = scalars.index(after: index)
        }
        return nil
    }
}

/// Builds a ``Template`` from the composed root node, section by section, keeping the
/// position of every logical id for later messages.
struct TemplateBuilder {
    var reader: NodeReader
    /// `Fn::ForEach` loops found in Resources, Outputs and Conditions, expanded when planning.
    var loops: [TemplateLoop] = []

    private static let sections: Set<String> = [
        "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
        "Conditions", "Transform", "Resources", "Outputs", "Globals",
    ]
    private static let resourceAttributes: Set<String> = [
        "Type", "Properties", "Metadata", "DependsOn", "Condition", "CreationPolicy", "UpdatePolicy",
        "DeletionPolicy", "UpdateReplacePolicy", "Version",
    ]

    mutating func build(_ root: YAMLNode) throws -> Template {
        var template = Template(fileName: reader.fileName)
        var globalsLocation: SourceLocation?
        let sections = try entries(of: root, context: "template")
        for (keyNode, valueNode) in sections {
            let name = try reader.key(keyNode)
            guard Self.sections.contains(name) else {
                throw TemplateError.malformed(
                    location: reader.location(keyNode), context: "template",
                    problem: "'\(name)' is not a template section")
            }
            reader.context = "section '\(name)'"
            reader.ownerResource = nil
            switch name {
            case "AWSTemplateFormatVersion": template.formatVersion = try reader.value(valueNode).scalarText
            case "Description": template.description = try reader.value(valueNode).scalarText
            case "Transform": template.transform = try reader.value(valueNode)
            case "Metadata": template.metadata = try namedValues(valueNode, kind: "metadata key")
            case "Rules": template.rules = try namedValues(valueNode, kind: "rule")
            case "Parameters": template.parameters = try parameters(valueNode)
            case "Conditions": template.conditions = try namedValues(valueNode, kind: "condition")
            case "Mappings": template.mappings = try namedValues(valueNode, kind: "mapping")
            case "Resources": template.resources = try resources(valueNode)
            case "Outputs": template.outputs = try outputs(valueNode)
            case "Globals":
                template.globals = try namedValues(valueNode, kind: "Globals entry")
                globalsLocation = reader.location(keyNode)
            default: _ = try reader.value(valueNode)
            }
        }
        if let globalsLocation, !template.transformNames.contains(ServerlessTransform.name) {
            throw TemplateError.malformed(
                location: globalsLocation, context: "template",
                problem: "'Globals' is a section of AWS SAM templates; add 'Transform: \(ServerlessTransform.name)'")
        }
        try ServerlessTransform.applyGlobals(to: &template, at: globalsLocation)
        template.loops = loops
        if let loop = loops.first, !template.transformNames.contains(TemplateLoop.transform) {
            throw TemplateError.malformed(
                location: loop.location, context: "template",
                problem: "Fn::ForEach needs 'Transform: \(TemplateLoop.transform)'")
        }
        return template
    }

    /// The entries of a node that must be a mapping.
    private func entries(of node: YAMLNode, context: String) throws -> [(key: YAMLNode, value: YAMLNode)] {
        guard case .mapping(let pairs) = node.content else {
            throw TemplateError.malformed(location: reader.location(node), context: context, problem: "expected a mapping")
        }
        return pairs
    }

    private mutating func namedValues(_ node: YAMLNode, kind: String) throws -> TemplateMap {
        var result = TemplateMap()
        for (keyNode, valueNode) in try entries(of: node, context: "\(kind)s") {
            let name = try reader.key(keyNode)
            if kind == "condition", try readLoop(name, keyNode, valueNode, section: .conditions) { continue }
            reader.context = "\(kind) '\(name)'"
            result[name] = try reader.value(valueNode)
        }
        return result
    }

    private mutating func parameters(_ node: YAMLNode) throws -> [TemplateParameter] {
        var result: [TemplateParameter] = []
        for (keyNode, valueNode) in try entries(of: node, context: "Parameters") {
            let name = try reader.key(keyNode)
            let location = reader.location(keyNode)
            reader.context = "parameter '\(name)'"
            guard case .map(let fields) = try reader.value(valueNode) else {
                throw TemplateError.malformed(location: location, context: reader.context, problem: "expected a mapping")
            }
            guard let type = fields["Type"]?.scalarText else {
                throw TemplateError.malformed(location: location, context: reader.context, problem: "the parameter has no Type")
            }
            var parameter = TemplateParameter(name: name, type: type, location: location)
            if let value = fields["Default"] {
                parameter.defaultValue = value.listValue.map { $0.compactMap(\.scalarText).joined(separator: ",") }
                    ?? value.scalarText
            }
            parameter.noEcho = fields["NoEcho"]?.scalarText?.lowercased() == "true"
            parameter.allowedValues = fields["AllowedValues"]?.listValue?.compactMap(\.scalarText) ?? []
            parameter.allowedPattern = fields["AllowedPattern"]?.scalarText
            parameter.minLength = try integer(fields["MinLength"], field: "MinLength", at: location)
            parameter.maxLength = try integer(fields["MaxLength"], field: "MaxLength", at: location)
            parameter.minValue = try number(fields["MinValue"], field: "MinValue", at: location)
            parameter.maxValue = try number(fields["MaxValue"], field: "MaxValue", at: location)
            parameter.description = fields["Description"]?.scalarText
            result.append(parameter)
        }
        return result
    }

    private func integer(_ value: TemplateValue?, field: String, at location: SourceLocation) throws -> Int? {
        guard let value else { return nil }
        guard let text = value.scalarText, let number = Int(text) else {
            throw TemplateError.malformed(location: location, context: reader.context, problem: "\(field) must be an integer")
        }
        return number
    }

    private func number(_ value: TemplateValue?, field: String, at location: SourceLocation) throws -> Double? {
        guard let value else { return nil }
        guard let text = value.scalarText, let number = Double(text) else {
            throw TemplateError.malformed(location: location, context: reader.context, problem: "\(field) must be a number")
        }
        return number
    }

    private mutating func resources(_ node: YAMLNode) throws -> [TemplateResource] {
        var result: [TemplateResource] = []
        for (keyNode, valueNode) in try entries(of: node, context: "Resources") {
            let logicalID = try reader.key(keyNode)
            if try readLoop(logicalID, keyNode, valueNode, section: .resources) { continue }
            let location = reader.location(keyNode)
            reader.context = "resource '\(logicalID)'"
            reader.ownerResource = logicalID
            var resource = TemplateResource(logicalID: logicalID, type: "", location: location)
            var hasType = false
            for (fieldNode, fieldValue) in try entries(of: valueNode, context: reader.context) {
                let field = try reader.key(fieldNode)
                guard Self.resourceAttributes.contains(field) else {
                    throw TemplateError.malformed(
                        location: reader.location(fieldNode), context: reader.context,
                        problem: "'\(field)' is not a resource attribute")
                }
                let value = try reader.value(fieldValue)
                let fieldLocation = reader.location(fieldNode)
                switch field {
                case "Type":
                    guard let type = value.stringValue, !type.isEmpty else {
                        throw TemplateError.malformed(location: fieldLocation, context: reader.context, problem: "Type must be a string")
                    }
                    resource.type = type
                    hasType = true
                case "Properties":
                    if case .null = value { continue }
                    if let properties = value.mapValue {
                        resource.properties = properties
                    } else if Self.isConditionalProperties(value) {
                        resource.propertiesExpression = value
                    } else {
                        throw TemplateError.malformed(
                            location: fieldLocation, context: reader.context,
                            problem: "Properties must be a mapping, or Fn::If choosing between mappings and AWS::NoValue")
                    }
                case "Version": resource.version = value.scalarText
                case "Metadata": resource.metadata = value
                case "CreationPolicy": resource.creationPolicy = value
                case "UpdatePolicy": resource.updatePolicy = value
                case "DeletionPolicy":
                    resource.deletionPolicy = value.scalarText
                    if case .function = value { resource.policyExpressions[.deletionPolicy] = value }
                case "UpdateReplacePolicy":
                    resource.updateReplacePolicy = value.scalarText
                    if case .function = value { resource.policyExpressions[.updateReplacePolicy] = value }
                case "Condition":
                    resource.condition = value.scalarText
                    reader.sites.append(
                        ReferenceSite(function: "Condition", target: value.scalarText ?? "", location: fieldLocation,
                                      context: reader.context, ownerResource: nil))
                default:
                    let names = value.listValue.map { $0.compactMap(\.stringValue) } ?? value.stringValue.map { [$0] }
                    guard let names else {
                        throw TemplateError.malformed(
                            location: fieldLocation, context: reader.context,
                            problem: "DependsOn must be a name or a list of names")
                    }
                    resource.dependsOn = names
                    for name in names {
                        reader.sites.append(
                            ReferenceSite(function: "DependsOn", target: name, location: fieldLocation,
                                          context: reader.context, ownerResource: logicalID))
                    }
                }
            }
            guard hasType else { throw TemplateError.missingType(location: location, logicalID: logicalID) }
            result.append(resource)
        }
        reader.ownerResource = nil
        return result
    }

    /// Reads an `Fn::ForEach::Name` entry as a loop, or returns false for any other key. Names in
    /// a loop's fragment are made from its identifiers, so they are checked after expansion.
    private mutating func readLoop(_ key: String, _ keyNode: YAMLNode, _ valueNode: YAMLNode, section: TemplateLoop.Section) throws -> Bool {
        guard key.hasPrefix(TemplateLoop.keyPrefix) else { return false }
        reader.context = "\(section.rawValue) '\(key)'"
        let records = reader.recordsReferences
        reader.recordsReferences = false
        defer { reader.recordsReferences = records }
        loops.append(TemplateLoop(section: section, key: key, value: try reader.value(valueNode), location: reader.location(keyNode)))
        return true
    }

    /// Whether a value is `Fn::If` whose branches are mappings, `AWS::NoValue` or such `Fn::If`s,
    /// or an `Fn::Transform` (`AWS::Include`): the shapes other than a mapping that
    /// CloudFormation accepts for `Properties`.
    static func isConditionalProperties(_ value: TemplateValue) -> Bool {
        switch value {
        case .map, .function(.transform, _): return true
        case .function(.ref, let name): return name.stringValue == "AWS::NoValue"
        case .function(.if, let argument):
            guard let items = argument.listValue, items.count == 3, items[0].stringValue != nil else { return false }
            return isConditionalProperties(items[1]) && isConditionalProperties(items[2])
        default: return false
        }
    }

    private mutating func outputs(_ node: YAMLNode) throws -> [TemplateOutput] {
        var result: [TemplateOutput] = []
        for (keyNode, valueNode) in try entries(of: node, context: "Outputs") {
            let name = try reader.key(keyNode)
            if try readLoop(name, keyNode, valueNode, section: .outputs) { continue }
            let location = reader.location(keyNode)
            reader.context = "output '\(name)'"
            guard case .map(let fields) = try reader.value(valueNode), let value = fields["Value"] else {
                throw TemplateError.malformed(location: location, context: reader.context, problem: "the output has no Value")
            }
            var output = TemplateOutput(name: name, value: value, location: location)
            output.description = fields["Description"]?.scalarText
            output.exportName = fields["Export"]?.mapValue?["Name"]
            output.condition = fields["Condition"]?.scalarText
            result.append(output)
        }
        return result
    }
}

/// Checks what the parser cannot check one node at a time: that every name used is
/// declared, and that resources can be created in some order.
struct TemplateValidator {
    let template: Template
    let sites: [ReferenceSite]

    func validate() throws {
        let resourceIDs = Set(template.resources.map(\.logicalID))
        let parameterNames = Set(template.parameters.map(\.name))
        var edges: [String: Set<String>] = [:]
        for site in sites {
            let known: Bool
            switch site.function {
            case "Fn::GetAtt":
                known = resourceIDs.contains(site.target)
                    || ServerlessTransform.mayGenerate(site.target, in: template)
            case "Condition", "Fn::If":
                // A loop in Conditions makes its names when expanded, which LoopExpansion checks again.
                known = template.conditions[site.target] != nil
                    || template.loops.contains { $0.mayNameCondition(site.target) }
            case "DependsOn":
                guard resourceIDs.contains(site.target) else {
                    throw TemplateError.unknownDependency(
                        location: site.location, logicalID: site.ownerResource ?? "", target: site.target)
                }
                known = true
            default:
                known = resourceIDs.contains(site.target) || parameterNames.contains(site.target)
                    || TemplateParser.pseudoParameters.contains(site.target)
            }
            guard known || ServerlessTransform.mayGenerate(site.target, in: template) else {
                throw TemplateError.unknownReference(
                    location: site.location, context: site.context, function: site.function, target: site.target)
            }
            if let owner = site.ownerResource, resourceIDs.contains(site.target) {
                edges[owner, default: []].insert(site.target)
            }
        }
        if let cycle = Self.firstCycle(in: edges, order: template.resources.map(\.logicalID)),
            let first = cycle.first, let resource = template.resource(withID: first)
        {
            throw TemplateError.circularDependency(location: resource.location, cycle: cycle)
        }
    }

    /// A dependency loop, as logical ids ending where they start, found by depth-first search.
    static func firstCycle(in edges: [String: Set<String>], order: [String]) -> [String]? {
        var state: [String: Bool] = [:]  // false: on the current path; true: finished
        var path: [String] = []

        func visit(_ node: String) -> [String]? {
            if let finished = state[node] {
                guard !finished, let start = path.firstIndex(of: node) else { return nil }
                return Array(path[start...]) + [node]
            }
            state[node] = false
            path.append(node)
            for next in (edges[node] ?? []).sorted() {
                if let cycle = visit(next) { return cycle }
            }
            path.removeLast()
            state[node] = true
            return nil
        }

        for node in order {
            if let cycle = visit(node) { return cycle }
        }
        return nil
    }
}

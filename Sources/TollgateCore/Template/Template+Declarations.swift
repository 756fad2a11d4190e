extension TemplateResource {
    /// A resource from its declaration as a value, as an `Fn::ForEach` fragment yields it.
    ///
    /// - Throws: ``TemplateError/malformed(location:context:problem:)`` naming the logical id when
    ///   the declaration has no `Type` or a field of the wrong shape.
    init(logicalID: String, declaration: TemplateValue, location: SourceLocation) throws {
        func malformed(_ problem: String) -> TemplateError {
            .malformed(location: location, context: "resource '\(logicalID)'", problem: problem)
        }
        guard let fields = declaration.mapValue else { throw malformed("expected a mapping") }
        guard let type = fields["Type"]?.stringValue, !type.isEmpty else { throw malformed("Type must be a string") }
        self.init(logicalID: logicalID, type: type, location: location)
        switch fields["Properties"] {
        case nil, .null?: break
        case .map(let properties)?: self.properties = properties
        case let expression? where TemplateBuilder.isConditionalProperties(expression): propertiesExpression = expression
        case _?: throw malformed("Properties must be a mapping")
        }
        metadata = fields["Metadata"]
        creationPolicy = fields["CreationPolicy"]
        updatePolicy = fields["UpdatePolicy"]
        condition = fields["Condition"]?.scalarText
        version = fields["Version"]?.scalarText
        if let names = fields["DependsOn"] {
            guard let list = names.listValue.map({ $0.compactMap(\.stringValue) }) ?? names.stringValue.map({ [$0] }) else {
                throw malformed("DependsOn must be a name or a list of names")
            }
            dependsOn = list
        }
        for (scope, field) in [(ChangeScope.deletionPolicy, "DeletionPolicy"), (.updateReplacePolicy, "UpdateReplacePolicy")] {
            guard let value = fields[field] else { continue }
            if case .function = value { policyExpressions[scope] = value }
            if scope == .deletionPolicy { deletionPolicy = value.scalarText } else { updateReplacePolicy = value.scalarText }
        }
    }
}

extension TemplateOutput {
    /// An output from its declaration as a value, as an `Fn::ForEach` fragment yields it.
    ///
    /// - Throws: ``TemplateError/malformed(location:context:problem:)`` when it has no `Value`.
    init(name: String, declaration: TemplateValue, location: SourceLocation) throws {
        guard let fields = declaration.mapValue, let value = fields["Value"] else {
            throw TemplateError.malformed(location: location, context: "output '\(name)'", problem: "the output has no Value")
        }
        self.init(name: name, value: value, location: location)
        description = fields["Description"]?.scalarText
        exportName = fields["Export"]?.mapValue?["Name"]
        condition = fields["Condition"]?.scalarText
    }
}

/// A stack's configuration file: CodePipeline's TemplateConfiguration
/// (`{"Parameters": {...}, "Tags": {...}}`), or the AWS CLI's
/// `[{"ParameterKey": ..., "ParameterValue": ...}]` parameter list.
///
/// CodePipeline rejects unquoted numbers and booleans as parameter values, a mistake users
/// keep making; Tollgate accepts them as their string form and reports one warning instead.
public struct TemplateConfiguration: Sendable, Equatable {
    /// Parameter values by name, as strings.
    public var parameters: [String: String]
    /// Stack tags by key.
    public var tags: [String: String]
    /// Problems that do not stop a plan, such as unquoted numbers.
    public var warnings: [String]
    /// The file name given to the parser, for messages.
    public var fileName: String
    /// Where each parameter's value is written, for messages.
    var parameterLocations: [String: SourceLocation] = [:]

    /// A configuration with the given values, such as an empty one for a stack without a file.
    public init(parameters: [String: String] = [:], tags: [String: String] = [:], fileName: String = "(no configuration)") {
        self.parameters = parameters
        self.tags = tags
        warnings = []
        self.fileName = fileName
    }

    /// Parses a configuration file's bytes, such as a blob read from git; they must be UTF-8.
    ///
    /// - Throws: ``ConfigurationError`` as ``parse(_:fileName:)`` does, and for bytes that are not UTF-8.
    public static func parse(_ data: some Collection<UInt8>, fileName: String) throws -> TemplateConfiguration {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationError.malformed(
                location: SourceLocation(fileName: fileName, line: 1, column: 1), problem: "the file is not UTF-8 text")
        }
        return try parse(text, fileName: fileName)
    }

    /// Parses a configuration file's text.
    ///
    /// - Throws: ``ConfigurationError`` when the text is not JSON or not one of the two shapes.
    public static func parse(_ text: String, fileName: String) throws -> TemplateConfiguration {
        let root: YAMLNode
        do {
            root = try TemplateParser.composeDocument(text, fileName: fileName)
        } catch let error as TemplateError {
            switch error {
            case .syntax(let location, _, let problem): throw ConfigurationError.syntax(location: location, problem: problem)
            case .limitExceeded(let location, let problem): throw ConfigurationError.malformed(location: location, problem: problem)
            case .duplicateKey(let location, let key):
                throw ConfigurationError.malformed(location: location, problem: "the key '\(key)' appears twice")
            default: throw ConfigurationError.malformed(location: SourceLocation(fileName: fileName, line: 1, column: 1), problem: error.description)
            }
        }
        var reader = NodeReader(fileName: fileName)
        reader.context = "configuration"
        let value: TemplateValue
        do {
            value = try reader.value(root)
        } catch let error as TemplateError {
            throw ConfigurationError.malformed(location: reader.location(root), problem: error.description)
        }
        let start = reader.location(root)
        var configuration = TemplateConfiguration(fileName: fileName)
        configuration.parameterLocations = Self.parameterLocations(in: root, reader: reader)
        var unquoted: [String] = []
        switch value {
        case .list(let entries):
            try configuration.readParameterList(entries, at: start, unquoted: &unquoted)
        case .map(let map):
            for (key, entry) in map.pairs {
                switch key {
                case "Parameters":
                    if let list = entry.listValue {
                        try configuration.readParameterList(list, at: start, unquoted: &unquoted)
                    } else if let parameters = entry.mapValue {
                        for (name, parameterValue) in parameters.pairs {
                            configuration.parameters[name] = try Self.text(
                                parameterValue, name: name, at: start, unquoted: &unquoted)
                        }
                    } else {
                        throw ConfigurationError.malformed(location: start, problem: "Parameters must be an object or a list")
                    }
                case "Tags":
                    guard let tags = entry.mapValue else {
                        throw ConfigurationError.malformed(location: start, problem: "Tags must be an object of key to value")
                    }
                    for (tagKey, tagValue) in tags.pairs {
                        var ignored: [String] = []
                        configuration.tags[tagKey] = try Self.text(tagValue, name: "tag \(tagKey)", at: start, unquoted: &ignored)
                    }
                case "StackPolicy":
                    throw ConfigurationError.stackPolicyInConfiguration(location: Self.keyLocation(key, in: root, reader: reader))
                default:
                    throw ConfigurationError.unknownKey(location: Self.keyLocation(key, in: root, reader: reader), key: key)
                }
            }
        default:
            throw ConfigurationError.malformed(
                location: start, problem: "expected {\"Parameters\": {...}, \"Tags\": {...}} or a ParameterKey list")
        }
        if !unquoted.isEmpty {
            configuration.warnings.append(
                "\(fileName): parameter values \(unquoted.sorted().joined(separator: ", ")) are unquoted numbers or booleans; "
                    + "Tollgate reads them as strings, but CodePipeline rejects them, so quote them."
            )
        }
        return configuration
    }

    /// Where a top-level key is written, or the file's start.
    private static func keyLocation(_ key: String, in root: YAMLNode, reader: NodeReader) -> SourceLocation {
        guard case .mapping(let sections) = root.content, let node = sections.first(where: { $0.key.string == key })?.key else {
            return reader.location(root)
        }
        return reader.location(node)
    }

    /// Where the file names each parameter: the key of the Parameters object, or the
    /// `ParameterKey` value of a list entry.
    private static func parameterLocations(in root: YAMLNode, reader: NodeReader) -> [String: SourceLocation] {
        var locations: [String: SourceLocation] = [:]
        func list(_ node: YAMLNode) {
            guard case .sequence(let entries) = node.content else { return }
            for case .mapping(let entry) in entries.map(\.content) {
                for (key, value) in entry where key.string == "ParameterKey" {
                    if let name = value.string { locations[name] = reader.location(value) }
                }
            }
        }
        switch root.content {
        case .sequence:
            list(root)
        case .mapping(let sections):
            for (key, value) in sections where key.string == "Parameters" {
                if case .mapping(let parameters) = value.content {
                    for (name, _) in parameters {
                        if let text = name.string { locations[text] = reader.location(name) }
                    }
                } else {
                    list(value)
                }
            }
        default:
            break
        }
        return locations
    }

    /// Where the parameter's value is written, or the file's start when it is not written.
    func location(of name: String) -> SourceLocation {
        parameterLocations[name] ?? SourceLocation(fileName: fileName, line: 1, column: 1)
    }

    private mutating func readParameterList(
        _ entries: [TemplateValue], at location: SourceLocation, unquoted: inout [String]
    ) throws {
        for entry in entries {
            guard let map = entry.mapValue, let name = map["ParameterKey"]?.stringValue else {
                throw ConfigurationError.malformed(location: location, problem: "each list entry needs a ParameterKey")
            }
            if map["UsePreviousValue"]?.scalarText == "true" { continue }
            guard let value = map["ParameterValue"] else {
                throw ConfigurationError.malformed(location: location, problem: "parameter '\(name)' has no ParameterValue")
            }
            parameters[name] = try Self.text(value, name: name, at: location, unquoted: &unquoted)
        }
    }

    private static func text(
        _ value: TemplateValue, name: String, at location: SourceLocation, unquoted: inout [String]
    ) throws -> String {
        switch value {
        case .string(let text): return text
        case .number(let text):
            unquoted.append(name)
            return text
        case .bool(let flag):
            unquoted.append(name)
            return flag ? "true" : "false"
        case .list(let items) where items.allSatisfy({ $0.scalarText != nil }):
            return items.compactMap(\.scalarText).joined(separator: ",")
        default:
            throw ConfigurationError.malformed(location: location, problem: "value of '\(name)' must be a string")
        }
    }
}

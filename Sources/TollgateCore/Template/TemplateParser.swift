/// Reads CloudFormation templates, YAML or JSON, into one ``Template`` model.
///
/// YAML is composed (``YAMLComposer``) into nodes that keep each value's tag and position, so
/// the short-form tags (`!Ref`, `!GetAtt`, ...) survive and every error names a line and column.
/// JSON is read by the same YAML composer (JSON is YAML's flow style), which gives JSON the
/// same positions and the same duplicate-key check that JSON parsers usually skip.
public enum TemplateParser {
    /// CloudFormation's limit for a template body stored in S3, in bytes.
    public static let maximumTemplateBytes = 1_048_576
    /// CloudFormation's default quota of resources per stack; more gets a warning.
    public static let resourceQuota = 500
    /// The pseudo parameters a `Ref` may name without declaring them.
    public static let pseudoParameters: Set<String> = [
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
        "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    ]

    /// Parses a template's text; the format (JSON or YAML) is detected from the first character.
    ///
    /// - Parameters:
    ///   - text: the whole file.
    ///   - fileName: the name used in error messages and kept in ``Template/fileName``.
    /// - Throws: ``TemplateError`` for invalid syntax, unknown tags, duplicate keys, resources
    ///   without a type, references to undeclared names and circular dependencies.
    public static func parse(_ text: String, fileName: String) throws -> Template {
        let bytes = text.utf8.count
        guard bytes <= maximumTemplateBytes else {
            throw TemplateError.tooLarge(fileName: fileName, bytes: bytes, limit: maximumTemplateBytes)
        }
        let root = try composeDocument(text, fileName: fileName)
        var builder = TemplateBuilder(reader: NodeReader(fileName: fileName))
        var template = try builder.build(root)
        template.inlineTransforms = builder.reader.inlineTransforms
        for tag in builder.reader.foreignTags {
            template.warnings.append(
                "\(fileName): '\(tag)' is not a CloudFormation function but another tool's; CloudFormation refuses "
                    + "the template unless that tool rewrites it first, and Tollgate compares the tag as written.")
        }
        try TemplateValidator(template: template, sites: builder.reader.sites).validate()
        if template.resources.count > resourceQuota {
            template.warnings.append(
                "\(fileName): \(template.resources.count) resources exceed CloudFormation's default quota of "
                    + "\(resourceQuota) per stack; request a quota increase or split the stack."
            )
        }
        return template
    }

    /// Parses a template's bytes, such as a blob read from git; they must be UTF-8.
    ///
    /// - Throws: ``TemplateError`` as ``parse(_:fileName:)`` does, and for bytes that are not UTF-8.
    public static func parse(_ data: some Collection<UInt8>, fileName: String) throws -> Template {
        guard data.count <= maximumTemplateBytes else {
            throw TemplateError.tooLarge(fileName: fileName, bytes: data.count, limit: maximumTemplateBytes)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TemplateError.malformed(
                location: SourceLocation(fileName: fileName, line: 1, column: 1), context: "template",
                problem: "the file is not UTF-8 text")
        }
        return try parse(text, fileName: fileName)
    }

    /// Whether the text is JSON: JSON documents start with `{` or `[`.
    static func looksLikeJSON(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first(where: { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }) else {
            return false
        }
        return first == "{" || first == "["
    }

    /// Composes the single document in the text, turning what stops it into ``TemplateError``
    /// values that name the file.
    static func composeDocument(_ text: String, fileName: String) throws -> YAMLNode {
        let root: YAMLNode?
        do {
            root = try YAMLComposer.compose(text)
        } catch {
            switch error {
            case .limit(let exceeded):
                throw TemplateError.limitExceeded(
                    location: SourceLocation(fileName: fileName, line: exceeded.line, column: exceeded.column), problem: exceeded.description)
            case .syntax(let line, let column, let problem):
                throw TemplateError.syntax(
                    location: SourceLocation(fileName: fileName, line: line, column: column), format: looksLikeJSON(text) ? "JSON" : "YAML",
                    problem: problem)
            case .duplicateKey(let line, let column, let key):
                throw TemplateError.duplicateKey(location: SourceLocation(fileName: fileName, line: line, column: column), key: key)
            }
        }
        guard let root else {
            throw TemplateError.malformed(
                location: SourceLocation(fileName: fileName, line: 1, column: 1), context: "template",
                problem: "the file is empty")
        }
        return root
    }
}

/// A `Ref`, `Fn::GetAtt` or `Fn::Sub` name found while reading, kept with its position so
/// that the validator can say where an undeclared name is used.
struct ReferenceSite {
    /// `Ref`, `Fn::GetAtt` or `Fn::Sub`.
    var function: String
    /// The parameter or resource named.
    var target: String
    /// Where it is written.
    var location: SourceLocation
    /// What contains it, for messages: "resource 'Bucket'", "output 'Url'".
    var context: String
    /// The logical id of the resource that contains it, for the dependency graph.
    var ownerResource: String?
}

/// Turns composed nodes into ``TemplateValue``s, recording references as it goes.
struct NodeReader {
    let fileName: String
    var sites: [ReferenceSite] = []
    /// What the values being read belong to, for messages and the dependency graph.
    var context = "template"
    var ownerResource: String?
    /// False inside an `Fn::ForEach` fragment, whose names exist only once the loop is expanded.
    var recordsReferences = true
    /// Namespaced tags of other tools (`!Rain::Embed`), each once.
    var foreignTags: [String] = []
    /// The transforms named by `Fn::Transform` anywhere in the template, each once.
    var inlineTransforms: [String] = []

    init(fileName: String) {
        self.fileName = fileName
    }

    func location(_ node: YAMLNode) -> SourceLocation {
        SourceLocation(fileName: fileName, line: node.line, column: node.column)
    }

    /// The node's explicit application tag (`!Ref`), or nil for plain and standard tags.
    private func shortTag(_ node: YAMLNode) -> String? {
        guard node.tag.hasPrefix("!"), node.tag != "!" else { return nil }
        return node.tag
    }

    /// The key of a mapping entry, which CloudFormation requires to be a plain string.
    func key(_ node: YAMLNode) throws -> String {
        guard let text = node.string else {
            throw TemplateError.malformed(location: location(node), context: context, problem: "a mapping key must be a string")
        }
        return text
    }

    mutating func value(_ node: YAMLNode) throws -> TemplateValue {
        if let tag = shortTag(node) {
            guard let function = IntrinsicFunction(shortTag: tag) else {
                if tag == "!Condition" {
                    guard let name = node.string else {
                        throw TemplateError.malformed(
                            location: location(node), context: context, problem: "!Condition takes a condition name")
                    }
                    return .map(TemplateMap([("Condition", .string(name))]))
                }
                // A namespaced tag (`!Rain::Embed`) belongs to a tool that rewrites the template
                // before CloudFormation sees it; it is kept as its long form and named in a warning.
                guard tag.contains("::") else { throw TemplateError.unknownTag(location: location(node), tag: tag) }
                if !foreignTags.contains(tag) { foreignTags.append(tag) }
                return .map(TemplateMap([(String(tag.dropFirst()), try untagged(node))]))
            }
            // A tagged scalar is a string whatever it looks like: `!GetAZs` alone is the empty
            // string, as in CloudFormation's YAML reader, not null.
            if let text = node.string {
                return try makeFunction(function, argument: .string(text), at: location(node))
            }
            return try makeFunction(function, argument: try untagged(node), at: location(node))
        }
        return try untagged(node)
    }

    /// The node read without its own tag: the argument of a short-form function, or a plain value.
    private mutating func untagged(_ node: YAMLNode) throws -> TemplateValue {
        switch node.content {
        case .scalar(let text, let isPlain):
            return plainScalar(text, tag: node.tag, isPlain: isPlain)
        case .sequence(let items):
            return .list(try items.map { try value($0) })
        case .mapping(let pairs):
            let converted = try map(pairs)
            guard case .map(let pairs) = converted, pairs.keys.count == 1, let name = pairs.keys.first,
                let function = IntrinsicFunction(rawValue: name), let argument = pairs[name]
            else { return converted }
            return try makeFunction(function, argument: argument, at: location(node))
        }
    }

    private mutating func map(_ pairs: [(key: YAMLNode, value: YAMLNode)]) throws -> TemplateValue {
        var result = TemplateMap()
        for (keyNode, valueNode) in pairs {
            let name = try key(keyNode)
            // A property-level Fn::ForEach builds names from its identifier; they are checked once expanded.
            let records = recordsReferences
            if name.hasPrefix(TemplateLoop.keyPrefix) { recordsReferences = false }
            defer { recordsReferences = records }
            result[name] = try value(valueNode)
        }
        return .map(result)
    }

    /// Classifies an untagged scalar the way CloudFormation's YAML reader does: quoted text
    /// is a string, plain `true`/`false` a boolean, plain numerals numbers, `~`/`null` null.
    /// A standard tag (`!!int`) says which.
    func plainScalar(_ text: String, tag: String, isPlain: Bool) -> TemplateValue {
        switch tag {
        case "tag:yaml.org,2002:str": return .string(text)
        case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float": return .number(text)
        case "tag:yaml.org,2002:bool": return .bool(["true", "True", "TRUE"].contains(text))
        case "tag:yaml.org,2002:null": return .null
        default: break
        }
        guard isPlain else { return .string(text) }
        switch YAMLPlainKeyword(text) {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case nil: break
        }
        let numeral = text.unicodeScalars.allSatisfy { "0123456789+-.eE".unicodeScalars.contains($0) }
        if numeral, let first = text.unicodeScalars.first, first != "e", first != "E", Double(text) != nil {
            return .number(text)
        }
        return .string(text)
    }

    /// Normalises an intrinsic's argument so that every spelling is one value, and records
    /// the names it refers to.
    mutating func makeFunction(
        _ function: IntrinsicFunction, argument: TemplateValue, at location: SourceLocation
    ) throws -> TemplateValue {
        switch function {
        case .ref:
            guard let name = argument.stringValue else {
                // In an Fn::ForEach fragment the name may be built (`!Ref {Fn::Sub: Topic${Name}}`).
                if !recordsReferences { return .function(.ref, argument) }
                throw TemplateError.malformed(location: location, context: context, problem: "Ref takes a name")
            }
            record("Ref", target: name, at: location)
            return .function(.ref, .string(name))
        case .getAtt:
            var parts: [TemplateValue]
            if let dotted = argument.stringValue {
                guard let dot = dotted.firstIndex(of: ".") else {
                    throw TemplateError.malformed(
                        location: location, context: context,
                        problem: "Fn::GetAtt '\(dotted)' needs the form Resource.Attribute")
                }
                parts = [.string(String(dotted[..<dot])), .string(String(dotted[dotted.index(after: dot)...]))]
            } else if let list = argument.listValue, list.count == 2 {
                parts = list
                if !recordsReferences, list[0].stringValue == nil { return .function(.getAtt, argument) }
            } else {
                throw TemplateError.malformed(
                    location: location, context: context, problem: "Fn::GetAtt takes [Resource, Attribute]")
            }
            guard let resource = parts[0].stringValue else {
                throw TemplateError.malformed(location: location, context: context, problem: "Fn::GetAtt needs a resource name")
            }
            parts[0] = .string(resource)
            record("Fn::GetAtt", target: resource, at: location)
            return .function(.getAtt, .list(parts))
        case .sub:
            let pattern: String
            var variables: Set<String> = []
            if let text = argument.stringValue {
                pattern = text
            } else if let list = argument.listValue, list.count == 2, let text = list[0].stringValue,
                let names = list[1].mapValue
            {
                pattern = text
                variables = Set(names.keys)
            } else {
                throw TemplateError.malformed(
                    location: location, context: context, problem: "Fn::Sub takes a string or [String, {Variables}]")
            }
            for name in SubstitutionPattern.names(in: pattern) where !variables.contains(name.variable) {
                record("Fn::Sub", target: name.target, at: location)
            }
            return .function(.sub, argument)
        case .if:
            if let name = argument.listValue?.first?.stringValue { record("Fn::If", target: name, at: location) }
            return .function(function, argument)
        case .transform:
            // `{Name, Parameters}`, or a list of them, as AWS::Include is often written.
            let declarations = argument.listValue ?? [argument]
            for name in declarations.map({ $0.mapValue?["Name"]?.scalarText ?? "" }) where !inlineTransforms.contains(name) {
                inlineTransforms.append(name)
            }
            return .function(function, argument)
        case .getAZs:
            // `Fn::GetAZs: ""`, `!GetAZs ''`, `!GetAZs` and an empty long form all mean the stack's region.
            if case .null = argument { return .function(function, .string("")) }
            return .function(function, argument)
        default:
            return .function(function, argument)
        }
    }

    private mutating func record(_ function: String, target: String, at location: SourceLocation) {
        guard recordsReferences else { return }
        sites.append(
            ReferenceSite(function: function, target: target, location: location, context: context, ownerResource: ownerResource))
    }
}

/// The `${Name}` and `${Resource.Attribute}` placeholders of an `Fn::Sub` string.
enum SubstitutionPattern {
    /// A placeholder: the variable as written, and the parameter or resource it names.
    struct Name: Equatable {
        var variable: String
        var target: String
        var attribute: String?
    }

    /// The placeholders in order; `${!Literal}` is an escape, not a placeholder.
    static func names(in pattern: String) -> [Name] {
        var names: [Name] = []
        var rest = pattern[...]
        while let start = rest.placeholderStart() {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { break }
            let inner = rest[..<end].trimmingWhitespace()
            rest = rest[rest.index(after: end)...]
            guard !inner.isEmpty, !inner.hasPrefix("!") else { continue }
            if let dot = inner.firstIndex(of: ".") {
                names.append(
                    Name(variable: String(inner), target: String(inner[..<dot]),
                         attribute: String(inner[inner.index(after: dot)...])))
            } else {
                names.append(Name(variable: String(inner), target: String(inner), attribute: nil))
            }
        }
        return names
    }
}

extension Substring {
    /// The range of the first `${`, found by scanning scalars; Foundation's `range(of:)` is
    /// far slower and this runs for every `Fn::Sub` of every plan.
    func placeholderStart() -> Range<Substring.Index>? {
        var index = startIndex
        while index < endIndex {
            if self[index] == "$" {
                let next = self.index(after: index)
                if next < endIndex, self[next] == "{" { return index..<self.index(after: next) }
            }
            index = self.index(after: index)
        }
        return nil
    }

    /// The text without leading and trailing spaces and tabs, as Fn::Sub reads `${ Name }`.
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}

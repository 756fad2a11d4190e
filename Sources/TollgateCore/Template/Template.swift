/// Where something was written in a template or configuration file, for error messages.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file name as the caller gave it to the parser.
    public var fileName: String
    /// Line number, from 1.
    public var line: Int
    /// Column number, from 1.
    public var column: Int

    /// A location in a file.
    public init(fileName: String, line: Int, column: Int) {
        self.fileName = fileName
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form editors and terminals turn into links.
    public var description: String { "\(fileName):\(line):\(column)" }
}

/// A parsed CloudFormation template: the sections a change set compares.
///
/// JSON and YAML templates parse to the same model (see ``TemplateParser``), so a template
/// converted from one format to the other compares as unchanged.
public struct Template: Sendable {
    /// The file name given to the parser, used in every later message.
    public var fileName: String
    /// `AWSTemplateFormatVersion`, if written.
    public var formatVersion: String?
    /// `Description`, if written.
    public var description: String?
    /// The `Transform` section (a name or a list of names), if written.
    public var transform: TemplateValue?
    /// `Fn::ForEach` loops of Resources, Outputs and Conditions, expanded when planning since
    /// their collections may depend on parameter values (``ChangePlanner``).
    public var loops: [TemplateLoop]
    /// The transforms `Fn::Transform` names inside the template (`AWS::Include`, macros), each once.
    public var inlineTransforms: [String]
    /// The template-level `Metadata` section by key.
    public var metadata: TemplateMap
    /// The `Globals` section of an AWS SAM template, by SAM resource kind (`Function`, `Api`, ...);
    /// already applied to the resources' properties by the parser.
    public var globals: TemplateMap
    /// The `Rules` section: assertions CloudFormation checks on parameter values before it
    /// creates or updates the stack.
    public var rules: TemplateMap
    /// Parameters in written order.
    public var parameters: [TemplateParameter]
    /// Condition expressions by name.
    public var conditions: TemplateMap
    /// Mappings by name.
    public var mappings: TemplateMap
    /// Resources in written order.
    public var resources: [TemplateResource]
    /// Outputs in written order.
    public var outputs: [TemplateOutput]
    /// Problems that do not stop a plan, such as exceeding CloudFormation's resource quota.
    public var warnings: [String]

    /// An empty template for a file name; the parser fills it in.
    public init(fileName: String) {
        self.fileName = fileName
        parameters = []
        loops = []
        inlineTransforms = []
        metadata = TemplateMap()
        globals = TemplateMap()
        rules = TemplateMap()
        conditions = TemplateMap()
        mappings = TemplateMap()
        resources = []
        outputs = []
        warnings = []
    }

    /// The parameter with a logical name, if declared.
    public func parameter(named name: String) -> TemplateParameter? {
        parameters.first { $0.name == name }
    }

    /// The resource with a logical id, if declared.
    public func resource(withID logicalID: String) -> TemplateResource? {
        resources.first { $0.logicalID == logicalID }
    }

    /// The `Transform` section's names, then those of `Fn::Transform`, each once.
    public var allTransforms: [String] {
        var seen: Set<String> = []
        return (transformNames + inlineTransforms).filter { seen.insert($0).inserted }
    }

    /// The transform names in the order CloudFormation runs them: `Transform` may be one
    /// name, a `{Name, Parameters}` mapping (`AWS::Include`), or a list of either.
    public var transformNames: [String] {
        func name(_ value: TemplateValue) -> String? { value.scalarText ?? value.mapValue?["Name"]?.scalarText }
        guard let transform else { return [] }
        if let items = transform.listValue { return items.compactMap(name) }
        return name(transform).map { [$0] } ?? []
    }
}

/// A declared template parameter and its constraints.
public struct TemplateParameter: Sendable, Equatable {
    /// Logical name.
    public var name: String
    /// `Type`, such as `String`, `Number` or `List<AWS::EC2::Subnet::Id>`.
    public var type: String
    /// `Default`, as its string form.
    public var defaultValue: String?
    /// Whether values are secret and must be masked in every output.
    public var noEcho: Bool
    /// `AllowedValues`, as strings.
    public var allowedValues: [String]
    /// `AllowedPattern`, a regular expression the whole value must match.
    public var allowedPattern: String?
    /// `MinLength`.
    public var minLength: Int?
    /// `MaxLength`.
    public var maxLength: Int?
    /// `MinValue`.
    public var minValue: Double?
    /// `MaxValue`.
    public var maxValue: Double?
    /// `Description`.
    public var description: String?
    /// Where the parameter is declared.
    public var location: SourceLocation

    /// A parameter of a type with no constraints; the parser fills in the rest.
    public init(name: String, type: String, location: SourceLocation) {
        self.name = name
        self.type = type
        noEcho = false
        allowedValues = []
        self.location = location
    }

    /// The whole declaration except its location, which two versions of a file need not share.
    var comparableFields: [String] {
        [
            type, defaultValue ?? "\u{0}", noEcho ? "1" : "0", allowedValues.joined(separator: "\u{1}"),
            allowedPattern ?? "\u{0}", minLength.map(String.init) ?? "", maxLength.map(String.init) ?? "",
            minValue.map { "\($0)" } ?? "", maxValue.map { "\($0)" } ?? "", description ?? "\u{0}",
        ]
    }
}

/// A resource declaration: everything CloudFormation compares between two templates.
public struct TemplateResource: Sendable {
    /// Logical id.
    public var logicalID: String
    /// `Type`, such as `AWS::S3::Bucket`.
    public var type: String
    /// `Properties`.
    public var properties: TemplateMap
    /// `Properties` written as `Fn::If` between mappings, chosen when planning by the
    /// conditions of each side; nil when written as a mapping.
    public var propertiesExpression: TemplateValue?
    /// `DeletionPolicy` or `UpdateReplacePolicy` written as an intrinsic function (`!If`, a
    /// `Ref` to a parameter), which `AWS::LanguageExtensions` allows; evaluated when planning.
    public var policyExpressions: [ChangeScope: TemplateValue] = [:]
    /// `Version`, which custom resources may carry (CloudFormation accepts only `1.0`).
    public var version: String?
    /// `Metadata`.
    public var metadata: TemplateValue?
    /// `DependsOn`, as a list even when written as one name.
    public var dependsOn: [String]
    /// `Condition`: the name of the condition that decides whether the resource exists.
    public var condition: String?
    /// `CreationPolicy`.
    public var creationPolicy: TemplateValue?
    /// `UpdatePolicy`.
    public var updatePolicy: TemplateValue?
    /// `DeletionPolicy` (`Delete`, `Retain`, `RetainExceptOnCreate`, `Snapshot`).
    public var deletionPolicy: String?
    /// `UpdateReplacePolicy` (`Delete`, `Retain`, `Snapshot`).
    public var updateReplacePolicy: String?
    /// Where the logical id is written.
    public var location: SourceLocation

    /// A resource of a type with nothing else set; the parser fills in the rest.
    public init(logicalID: String, type: String, location: SourceLocation) {
        self.logicalID = logicalID
        self.type = type
        properties = TemplateMap()
        dependsOn = []
        self.location = location
    }
}

/// A template output.
public struct TemplateOutput: Sendable {
    /// Logical name.
    public var name: String
    /// `Value`.
    public var value: TemplateValue
    /// `Description`.
    public var description: String?
    /// `Export.Name`, if the output is exported.
    public var exportName: TemplateValue?
    /// `Condition`.
    public var condition: String?
    /// Where the output is declared.
    public var location: SourceLocation

    /// An output with a value; the parser fills in the rest.
    public init(name: String, value: TemplateValue, location: SourceLocation) {
        self.name = name
        self.value = value
        self.location = location
    }
}

/// An `Fn::ForEach::Name` entry of `AWS::LanguageExtensions`: `[Identifier, Collection, Fragment]`.
public struct TemplateLoop: Sendable {
    /// The sections a loop may stand in at the top level.
    public enum Section: String, Sendable {
        /// `Resources`.
        case resources = "Resources"
        /// `Outputs`.
        case outputs = "Outputs"
        /// `Conditions`.
        case conditions = "Conditions"
    }

    /// The key prefix that marks a loop.
    public static let keyPrefix = "Fn::ForEach::"
    /// The transform that evaluates loops.
    public static let transform = "AWS::LanguageExtensions"

    /// The section the loop's entries join.
    public var section: Section
    /// The whole key, `Fn::ForEach::Name`.
    public var key: String
    /// The loop's value as written.
    public var value: TemplateValue
    /// Where the key is written.
    public var location: SourceLocation

    /// Whether this loop, in the Conditions section, may make a condition of this name: some
    /// output key of its fragment (or of a loop nested in it) matches it with each `${Identifier}`
    /// or `&{Identifier}` standing for any text.
    func mayNameCondition(_ name: String) -> Bool {
        guard section == .conditions else { return false }
        return Self.outputKeys(of: value).contains { Self.matches(name[...], pattern: $0[...]) }
    }

    private static func outputKeys(of value: TemplateValue) -> [String] {
        guard let parts = value.listValue, parts.count == 3, let fragment = parts[2].mapValue else { return [] }
        return fragment.pairs.flatMap { key, item in key.hasPrefix(keyPrefix) ? outputKeys(of: item) : [key] }
    }

    /// Matches with `${...}` and `&{...}` as wildcards, by Unicode scalars: the literal parts
    /// between them must appear in order, the first at the start and the last at the end. Each
    /// part is found leftmost, so the cost stays linear in the parts whatever the template holds.
    private static func matches(_ name: Substring, pattern: Substring) -> Bool {
        var literals: [[Unicode.Scalar]] = [[]]
        var rest = pattern.unicodeScalars[...]
        while let first = rest.first {
            if first == "$" || first == "&", rest.dropFirst().first == "{", let close = rest.firstIndex(of: "}") {
                literals.append([])
                rest = rest[rest.index(after: close)...]
            } else {
                literals[literals.count - 1].append(first)
                rest = rest.dropFirst()
            }
        }
        let text = Array(name.unicodeScalars)
        guard literals.count > 1 else { return text == literals[0] }
        guard let head = literals.first, let tail = literals.last, text.count >= head.count + tail.count,
            text.starts(with: head), text.reversed().starts(with: tail.reversed())
        else { return false }
        var position = head.count
        let end = text.count - tail.count
        for literal in literals.dropFirst().dropLast() where !literal.isEmpty {
            var found: Int?
            var index = position
            while index + literal.count <= end {
                if text[index..<(index + literal.count)].elementsEqual(literal) {
                    found = index
                    break
                }
                index += 1
            }
            guard let found else { return false }
            position = found + literal.count
        }
        return true
    }
}

internal import Yams

/// A YAML or JSON document as Guard evaluates it, with the line of every value for reports.
public struct GuardDocument: Sendable {
    /// The whole document.
    public var root: GuardValue
    /// The 1-based line of each value by its path (`/Resources/Bucket/Properties`).
    public var lines: [String: Int]

    /// A document from a value, without line numbers.
    public init(root: GuardValue, lines: [String: Int] = [:]) {
        self.root = root
        self.lines = lines
    }
}

/// Reads YAML or JSON into ``GuardDocument`` the way cfn-guard reads its data.
///
/// CloudFormation's short-form tags become the long form (`!Ref X` is `{"Ref": "X"}`,
/// `!GetAtt a.b` is `{"Fn::GetAtt": "a.b"}`), plain scalars are typed as YAML 1.2's core schema
/// does (`true`, `null`, `42`, `4.2`; `yes` stays text), and quoted scalars are always text.
public enum GuardDocumentReader {
    /// How deeply a document may nest before it is refused, so that hostile input cannot
    /// exhaust the stack.
    public static let maximumDepth = 200

    /// The CloudFormation functions whose short-form tag becomes a one-key map.
    static let functionTags: [String: String] = [
        "Ref": "Ref", "Condition": "Condition", "GetAtt": "Fn::GetAtt", "Base64": "Fn::Base64", "Sub": "Fn::Sub",
        "GetAZs": "Fn::GetAZs", "ImportValue": "Fn::ImportValue", "RefAll": "Fn::RefAll", "Select": "Fn::Select",
        "Split": "Fn::Split", "Join": "Fn::Join", "FindInMap": "Fn::FindInMap", "And": "Fn::And",
        "Equals": "Fn::Equals", "Contains": "Fn::Contains", "EachMemberIn": "Fn::EachMemberIn",
        "EachMemberEquals": "Fn::EachMemberEquals", "ValueOf": "Fn::ValueOf", "If": "Fn::If", "Not": "Fn::Not",
        "Or": "Fn::Or",
    ]

    /// Reads a document's text.
    ///
    /// - Throws: ``GuardError/data(location:problem:)`` naming the line and column of invalid
    ///   YAML or JSON, a non-text key, or nesting deeper than ``maximumDepth``.
    public static func read(_ text: String, fileName: String) throws(GuardError) -> GuardDocument {
        let node = try compose(text, fileName: fileName)
        guard let node else { return GuardDocument(root: .null) }
        var converter = GuardNodeConverter(fileName: fileName)
        let root = try converter.value(node, path: "", depth: 0)
        return GuardDocument(root: root, lines: converter.lines)
    }

    /// Composes the text into Yams nodes, turning Yams' errors into ``GuardError``.
    static func compose(_ text: String, fileName: String) throws(GuardError) -> Node? {
        do {
            try YAMLLimits.check(text)
        } catch {
            throw .data(location: SourceLocation(fileName: fileName, line: error.line, column: error.column), problem: error.description)
        }
        do {
            return try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            let (line, column, problem) = error.location
            throw .data(location: SourceLocation(fileName: fileName, line: line, column: column), problem: "invalid YAML or JSON: \(problem)")
        } catch {
            throw .data(location: SourceLocation(fileName: fileName, line: 1, column: 1), problem: "invalid YAML or JSON: \(error)")
        }
    }
}

/// Turns Yams nodes into Guard values, recording each value's line.
struct GuardNodeConverter {
    let fileName: String
    var lines: [String: Int] = [:]
    /// Whether to record lines (test inputs do not need them).
    var recordsLines = true

    init(fileName: String) {
        self.fileName = fileName
    }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(fileName: fileName, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    mutating func value(_ node: Node, path: String, depth: Int) throws(GuardError) -> GuardValue {
        guard depth <= GuardDocumentReader.maximumDepth else {
            throw .data(location: location(node), problem: "the document nests deeper than \(GuardDocumentReader.maximumDepth) levels")
        }
        if recordsLines, let line = node.mark?.line, lines[path] == nil { lines[path] = line }
        let tag = node.tag.rawValue
        if tag.hasPrefix("!"), tag != "!", !tag.hasPrefix("!!") {
            let name = String(tag.dropFirst())
            if let function = GuardDocumentReader.functionTags[name] {
                let inner = try untagged(node, path: path + "/" + function, depth: depth + 1)
                return .map(GuardMap([(function, inner)]))
            }
        }
        return try untagged(node, path: path, depth: depth)
    }

    private mutating func untagged(_ node: Node, path: String, depth: Int) throws(GuardError) -> GuardValue {
        switch node {
        case .scalar(let scalar):
            return Self.scalar(scalar)
        case .sequence(let sequence):
            var items: [GuardValue] = []
            items.reserveCapacity(sequence.count)
            for (index, item) in sequence.enumerated() {
                items.append(try value(item, path: path + "/\(index)", depth: depth + 1))
            }
            return .list(items)
        case .mapping(let mapping):
            var map = GuardMap()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw .data(location: location(keyNode), problem: "a mapping key must be text")
                }
                let key = keyScalar.string
                let childPath = path + "/" + key
                if recordsLines, let line = keyNode.mark?.line { lines[childPath] = line }
                map[key] = try value(valueNode, path: childPath, depth: depth + 1)
            }
            return .map(map)
        case .alias:
            throw .data(location: location(node), problem: "YAML aliases are not supported by Guard")
        }
    }

    /// Types a scalar as YAML 1.2's core schema does; quoted text stays text.
    static func scalar(_ scalar: Node.Scalar) -> GuardValue {
        let text = scalar.string
        switch scalar.tag.rawValue {
        case "tag:yaml.org,2002:int": if let number = integer(text) { return .int(number) }
        case "tag:yaml.org,2002:float": if let number = float(text) { return .float(number) }
        case "tag:yaml.org,2002:bool": return .bool(["true", "True", "TRUE"].contains(text))
        case "tag:yaml.org,2002:null": return .null
        default: break
        }
        guard scalar.style == .plain else { return .string(text) }
        switch YAMLPlainKeyword(text) {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case nil: break
        }
        if let number = integer(text) { return .int(number) }
        if let number = float(text) { return .float(number) }
        return .string(text)
    }

    /// A YAML 1.2 integer: decimal with an optional sign (no leading zeros), `0x` hex or `0o` octal.
    static func integer(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty else { return nil }
        if body.hasPrefix("0x") { return Int64(body.dropFirst(2), radix: 16).map { negative ? -$0 : $0 } }
        if body.hasPrefix("0o") { return Int64(body.dropFirst(2), radix: 8).map { negative ? -$0 : $0 } }
        guard body.allSatisfy(\.isASCII), body.allSatisfy(\.isNumber) else { return nil }
        // `012` is text in serde_yaml, which keeps account ids and the like intact.
        if body.count > 1 && body.hasPrefix("0") { return nil }
        return Int64(body).map { negative ? -$0 : $0 }
    }

    /// A YAML 1.2 float: digits with a fraction or exponent, `.inf` or `.nan`.
    static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        guard text.contains(where: \.isNumber),
            text.allSatisfy({ "0123456789+-.eE".contains($0) }),
            let first = text.first, first != "e", first != "E"
        else { return nil }
        return Double(text)
    }
}

/// A value written in a template: a scalar, a list, a map or an intrinsic function call.
///
/// The same value written in JSON (`{"Ref": "X"}`) or YAML (`!Ref X`) becomes the same
/// ``TemplateValue``, so comparing two templates compares what CloudFormation would read,
/// not how it was spelled. Scalars keep their spelling for display, but compare by their
/// string form, because CloudFormation passes `80` and `"80"` to a resource identically.
public indirect enum TemplateValue: Sendable {
    /// A quoted or plain string.
    case string(String)
    /// A number, as written (`80`, `0.5`), so that it is shown the way the author wrote it.
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// An explicit null (`~`, `null`).
    case null
    /// A sequence.
    case list([TemplateValue])
    /// A mapping; key order is kept for display but ignored by equality.
    case map(TemplateMap)
    /// An intrinsic function (`Ref`, `Fn::GetAtt`, ...) with its argument.
    case function(IntrinsicFunction, TemplateValue)

    /// The scalar's text as CloudFormation passes it on, or nil for lists, maps and functions.
    public var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): return text
        case .bool(let value): return value ? "true" : "false"
        case .null: return nil
        case .list, .map, .function: return nil
        }
    }

    /// The string, if this value is a plain string or number.
    public var stringValue: String? {
        switch self {
        case .string(let text), .number(let text): return text
        default: return nil
        }
    }

    /// The map, if this value is one.
    public var mapValue: TemplateMap? {
        if case .map(let map) = self { return map }
        return nil
    }

    /// The elements, if this value is a list.
    public var listValue: [TemplateValue]? {
        if case .list(let items) = self { return items }
        return nil
    }
}

extension TemplateValue: Equatable {
    /// Values are equal when CloudFormation would pass the same thing to a resource:
    /// scalars by their text, maps regardless of key order.
    public static func == (lhs: TemplateValue, rhs: TemplateValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case (.list(let left), .list(let right)):
            return left == right
        case (.map(let left), .map(let right)):
            return left == right
        case (.function(.toJsonString, let leftArgument), .function(.toJsonString, let rightArgument)):
            // The string it makes keeps key order and tells `1` from `"1"`, so its argument does too.
            return leftArgument.isWrittenAlike(rightArgument)
        case (.function(let leftName, let leftArgument), .function(let rightName, let rightArgument)):
            return leftName == rightName && leftArgument == rightArgument
        case (.number(let left), .number(let right)):
            return left.hasSameBytes(as: right) || TemplateValue.sameNumber(left, right)
        default:
            guard let left = lhs.scalarText, let right = rhs.scalarText else { return false }
            return left.hasSameBytes(as: right)
        }
    }

    /// Equality that also compares what `Fn::ToJsonString` writes: key order and the kind of each
    /// scalar (`1`, `"1"`, `true`), by bytes.
    func isWrittenAlike(_ other: TemplateValue) -> Bool {
        switch (self, other) {
        case (.string(let left), .string(let right)), (.number(let left), .number(let right)):
            return left.hasSameBytes(as: right)
        case (.bool(let left), .bool(let right)):
            return left == right
        case (.null, .null):
            return true
        case (.list(let left), .list(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.isWrittenAlike($1) }
        case (.map(let left), .map(let right)):
            return left.keys.count == right.keys.count
                && zip(left.pairs, right.pairs).allSatisfy { $0.key.hasSameBytes(as: $1.key) && $0.value.isWrittenAlike($1.value) }
        case (.function, .function):
            return self == other
        default:
            return false
        }
    }

    /// Numerals `1.0` and `1` are the same number to a resource provider; quoted strings are
    /// not numbers, so `"1.10"` and `"1.1"` stay different.
    private static func sameNumber(_ left: String, _ right: String) -> Bool {
        guard let leftNumber = Double(left), let rightNumber = Double(right) else { return false }
        return leftNumber == rightNumber && leftNumber.isFinite
    }
}

extension String {
    /// Equality by UTF-8 bytes. Swift's `==` treats canonically equivalent strings (NFC and
    /// NFD "café") as equal, but CloudFormation and AWS compare bytes: a bucket named in NFD is
    /// another bucket.
    public func hasSameBytes(as other: String) -> Bool {
        utf8.elementsEqual(other.utf8)
    }
}

extension Optional where Wrapped == String {
    /// Equality by UTF-8 bytes, nil equal only to nil.
    func hasSameBytes(as other: String?) -> Bool {
        switch (self, other) {
        case (nil, nil): return true
        case (let left?, let right?): return left.hasSameBytes(as: right)
        default: return false
        }
    }
}

extension Dictionary where Key == String, Value == String {
    /// Equality of keys and values by UTF-8 bytes.
    func hasSameBytes(as other: [String: String]) -> Bool {
        count == other.count && allSatisfy { key, value in
            guard let index = other.index(forKey: key) else { return false }
            return other[index].key.hasSameBytes(as: key) && other[index].value.hasSameBytes(as: value)
        }
    }
}

/// A mapping that keeps its keys' order for display and ignores it for equality.
public struct TemplateMap: Sendable, Equatable {
    /// Keys in the order they were written.
    public private(set) var keys: [String]
    /// Values by key.
    public private(set) var values: [String: TemplateValue]

    /// An empty map.
    public init() {
        keys = []
        values = [:]
    }

    /// A map from ordered pairs; a repeated key keeps its last value.
    public init(_ pairs: [(String, TemplateValue)]) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }

    /// The value for a key; setting nil removes the key.
    public subscript(key: String) -> TemplateValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The pairs in written order.
    public var pairs: [(key: String, value: TemplateValue)] {
        keys.compactMap { key in values[key].map { (key, $0) } }
    }

    /// Whether the map has no keys.
    public var isEmpty: Bool { keys.isEmpty }

    /// Maps are equal when they hold the same keys, byte for byte, with equal values, in any order.
    public static func == (lhs: TemplateMap, rhs: TemplateMap) -> Bool {
        lhs.values.count == rhs.values.count && lhs.values.allSatisfy { key, value in
            // Dictionary lookup matches canonically equivalent keys; the stored key must match by bytes too.
            guard let index = rhs.values.index(forKey: key) else { return false }
            return rhs.values[index].key.hasSameBytes(as: key) && rhs.values[index].value == value
        }
    }
}

/// The intrinsic functions CloudFormation evaluates, by their long (JSON) name.
///
/// `Condition` is not here: `!Condition X` is parsed as the map `{"Condition": "X"}`,
/// which is how JSON templates write it, so both spellings are one value.
public enum IntrinsicFunction: String, Sendable, CaseIterable, Codable {
    /// `Ref`.
    case ref = "Ref"
    /// `Fn::GetAtt`.
    case getAtt = "Fn::GetAtt"
    /// `Fn::Sub`.
    case sub = "Fn::Sub"
    /// `Fn::Join`.
    case join = "Fn::Join"
    /// `Fn::Select`.
    case select = "Fn::Select"
    /// `Fn::Split`.
    case split = "Fn::Split"
    /// `Fn::If`.
    case `if` = "Fn::If"
    /// `Fn::Equals`.
    case equals = "Fn::Equals"
    /// `Fn::And`.
    case and = "Fn::And"
    /// `Fn::Or`.
    case or = "Fn::Or"
    /// `Fn::Not`.
    case not = "Fn::Not"
    /// `Fn::FindInMap`.
    case findInMap = "Fn::FindInMap"
    /// `Fn::Base64`.
    case base64 = "Fn::Base64"
    /// `Fn::Cidr`.
    case cidr = "Fn::Cidr"
    /// `Fn::GetAZs`.
    case getAZs = "Fn::GetAZs"
    /// `Fn::ImportValue`.
    case importValue = "Fn::ImportValue"
    /// `Fn::Transform`.
    case transform = "Fn::Transform"
    /// `Fn::Length`.
    case length = "Fn::Length"
    /// `Fn::ToJsonString`.
    case toJsonString = "Fn::ToJsonString"
    /// `Fn::Contains`, in a rule's assertions.
    case contains = "Fn::Contains"
    /// `Fn::EachMemberEquals`, in a rule's assertions.
    case eachMemberEquals = "Fn::EachMemberEquals"
    /// `Fn::EachMemberIn`, in a rule's assertions.
    case eachMemberIn = "Fn::EachMemberIn"
    /// `Fn::RefAll`, in a rule's assertions.
    case refAll = "Fn::RefAll"
    /// `Fn::ValueOf`, in a rule's assertions.
    case valueOf = "Fn::ValueOf"
    /// `Fn::ValueOfAll`, in a rule's assertions.
    case valueOfAll = "Fn::ValueOfAll"

    /// The YAML short-form tag name (`Ref`, `GetAtt`, ...), without the `!`.
    public var shortTag: String {
        rawValue.hasPrefix("Fn::") ? String(rawValue.dropFirst(4)) : rawValue
    }

    /// The function for a YAML short-form tag such as `!GetAtt`, if there is one.
    public init?(shortTag: String) {
        let name = shortTag.hasPrefix("!") ? String(shortTag.dropFirst()) : shortTag
        guard let function = IntrinsicFunction.allCases.first(where: { $0.shortTag == name }) else { return nil }
        self = function
    }
}

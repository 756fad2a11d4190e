/// A value as AWS CloudFormation Guard sees it: a template's data, or a literal in a rule.
///
/// Guard keeps integers and floats apart (`1` and `1.0` do not compare), and knows regular
/// expressions, characters and ranges as literals, so this is not ``TemplateValue``.
public indirect enum GuardValue: Sendable {
    /// `null`, `~` or an empty plain scalar.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number.
    case int(Int64)
    /// A number with a fraction or an exponent.
    case float(Double)
    /// Text.
    case string(String)
    /// A regular expression literal `/.../`, as written between the slashes.
    case regex(String)
    /// A single character (only inside ranges).
    case char(Character)
    /// A range literal such as `r[1, 10)`.
    case range(GuardRange)
    /// A sequence.
    case list([GuardValue])
    /// A mapping that keeps its keys' order.
    case map(GuardMap)

    /// The name Guard uses for the value's type in messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .regex: return "regex"
        case .char: return "char"
        case .range: return "range"
        case .list: return "list"
        case .map: return "struct"
        }
    }

    /// Whether the value is a list.
    var isList: Bool {
        if case .list = self { return true }
        return false
    }

    /// Whether the value is a scalar (neither a list nor a map).
    var isScalar: Bool {
        switch self {
        case .list, .map: return false
        default: return true
        }
    }

    /// A short rendering for messages, in Guard's own literal syntax.
    public var rendered: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .float(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .regex(let value): return "/\(value)/"
        case .char(let value): return "'\(value)'"
        case .range(let range): return range.rendered
        case .list(let items): return "[" + items.map(\.rendered).joined(separator: ", ") + "]"
        case .map(let map):
            return "{" + map.keys.compactMap { key in map[key].map { "\"\(key)\": \($0.rendered)" } }
                .joined(separator: ", ") + "}"
        }
    }
}

/// A mapping that keeps its keys in written order, for Guard values.
public struct GuardMap: Sendable {
    /// Keys in the order they were written.
    public private(set) var keys: [String] = []
    private var storage: [String: GuardValue] = [:]

    /// An empty map.
    public init() {}

    /// A map from ordered pairs; a repeated key keeps its last value.
    public init(_ pairs: [(String, GuardValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The value for a key.
    public subscript(key: String) -> GuardValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The number of keys.
    public var count: Int { keys.count }

    /// Whether the map has no keys.
    public var isEmpty: Bool { keys.isEmpty }
}

/// A range literal `r[lower, upper]`, with `(` or `)` marking an excluded end.
public struct GuardRange: Sendable {
    /// One end of a range.
    public enum Bound: Sendable {
        /// A whole number.
        case int(Int64)
        /// A floating point number.
        case float(Double)
        /// A character.
        case char(Character)
    }

    /// The lower end.
    public var lower: Bound
    /// The upper end.
    public var upper: Bound
    /// Whether the lower end is included (`[`).
    public var includesLower: Bool
    /// Whether the upper end is included (`]`).
    public var includesUpper: Bool

    /// Whether a value lies in the range; values of another type never do.
    func contains(_ value: GuardValue) -> Bool {
        switch (value, lower, upper) {
        case (.int(let number), .int(let low), .int(let high)):
            return within(number, low, high)
        case (.float(let number), .float(let low), .float(let high)):
            return within(number, low, high)
        case (.char(let character), .char(let low), .char(let high)):
            return within(character, low, high)
        default:
            return false
        }
    }

    private func within<T: Comparable>(_ value: T, _ low: T, _ high: T) -> Bool {
        let aboveLower = includesLower ? value >= low : value > low
        let belowUpper = includesUpper ? value <= high : value < high
        return aboveLower && belowUpper
    }

    var rendered: String {
        func text(_ bound: Bound) -> String {
            switch bound {
            case .int(let value): return String(value)
            case .float(let value): return String(value)
            case .char(let value): return String(value)
            }
        }
        return "r\(includesLower ? "[" : "(")\(text(lower)), \(text(upper))\(includesUpper ? "]" : ")")"
    }
}

/// A value found by a query, with where it was found in the document.
struct GuardNode {
    /// The value.
    var value: GuardValue
    /// Where it sits; the root for literals.
    var chain: GuardPath

    init(value: GuardValue, chain: GuardPath = .root) {
        self.value = value
        self.chain = chain
    }

    /// Where it sits, as `/Resources/Bucket/Properties/BucketName`; empty for the root and literals.
    var path: String { chain.rendered }
}

/// A path into the document as a chain of components, so that descending a query copies no
/// strings; it is rendered only for reports.
final class GuardPath: Sendable {
    let parent: GuardPath?
    let component: String

    static let root = GuardPath(parent: nil, component: "")

    private init(parent: GuardPath?, component: String) {
        self.parent = parent
        self.component = component
    }

    func appending(_ component: String) -> GuardPath {
        GuardPath(parent: self, component: component)
    }

    var rendered: String {
        var components: [String] = []
        var current: GuardPath? = self
        while let each = current, each.parent != nil {
            components.append(each.component)
            current = each.parent
        }
        return components.reversed().map { "/" + $0 }.joined()
    }
}

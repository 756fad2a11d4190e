/// The plain (unquoted) scalars that YAML 1.2's core schema reads as null or a boolean; every
/// reader of templates and Guard documents agrees on these, whatever it does with numbers.
enum YAMLPlainKeyword: Equatable {
    case null
    case bool(Bool)

    /// The keyword `text` is, or nil for any other scalar.
    init?(_ text: String) {
        switch text {
        case "", "~", "null", "Null", "NULL": self = .null
        case "true", "True", "TRUE": self = .bool(true)
        case "false", "False", "FALSE": self = .bool(false)
        default: return nil
        }
    }
}

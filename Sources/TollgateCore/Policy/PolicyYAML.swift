import Yams
import Foundation

/// A YAML node with the file and field path it came from, so that every check in the policy
/// parsers can report `file:line:column: field message` without threading context by hand.
struct PolicyYAMLNode {
    let node: Node
    let file: String
    let field: String

    /// Composes `text` into its root node.
    ///
    /// - Throws: ``PolicyError`` for YAML syntax errors and empty files.
    static func root(of text: String, file: String) throws(PolicyError) -> PolicyYAMLNode {
        do {
            try YAMLLimits.check(text)
        } catch {
            throw PolicyError(file: file, line: error.line, column: error.column, field: "", message: error.description)
        }
        let composed: Node?
        do {
            // `.utf8` rather than the default, which reads the process environment on every parse.
            composed = try Yams.compose(yaml: text, .default, .default, .utf8)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw PolicyError(file: file, line: nil, column: nil, field: "", message: "is not valid YAML: \(error)")
        }
        guard let composed else {
            throw PolicyError(file: file, line: nil, column: nil, field: "", message: "is empty")
        }
        return PolicyYAMLNode(node: composed, file: file, field: "")
    }

    private static func syntaxError(_ error: YamlError, file: String) -> PolicyError {
        let (line, column, problem) = error.location
        return PolicyError(file: file, line: line, column: column, field: "", message: "is not valid YAML: \(problem)")
    }

    /// An error located at this node.
    func error(_ message: String) -> PolicyError {
        PolicyError(file: file, line: node.mark?.line, column: node.mark?.column, field: field, message: message)
    }

    func child(_ node: Node, key: String) -> PolicyYAMLNode {
        PolicyYAMLNode(node: node, file: file, field: field.isEmpty ? key : "\(field).\(key)")
    }

    /// Reads a mapping whose keys must all be in `allowed`, and which must have every key in
    /// `required`; duplicate keys are refused because YAML would silently keep only one.
    func mapping(allowed: [String], required: [String] = []) throws(PolicyError) -> [String: PolicyYAMLNode] {
        guard case let .mapping(mapping) = node else {
            throw error("must be a mapping of \(allowed.joined(separator: ", "))")
        }
        var result: [String: PolicyYAMLNode] = [:]
        for (keyNode, valueNode) in mapping {
            guard case let .scalar(keyScalar) = keyNode else {
                throw child(keyNode, key: "?").error("has a key that is not a plain name")
            }
            let key = keyScalar.string
            let keyed = child(keyNode, key: key)
            guard allowed.contains(key) else {
                throw keyed.error("is not a known field; expected one of \(allowed.joined(separator: ", "))")
            }
            guard result[key] == nil else {
                throw keyed.error("appears twice")
            }
            result[key] = child(valueNode, key: key)
        }
        for key in required where result[key] == nil {
            throw PolicyYAMLNode(node: node, file: file, field: field.isEmpty ? key : "\(field).\(key)").error("is required")
        }
        return result
    }

    /// Reads a sequence, naming its items `field[index]`.
    func sequence() throws(PolicyError) -> [PolicyYAMLNode] {
        guard case let .sequence(sequence) = node else {
            throw error("must be a list")
        }
        return sequence.enumerated().map { index, item in
            PolicyYAMLNode(node: item, file: file, field: "\(field)[\(index)]")
        }
    }

    /// Reads a sequence, or a single scalar as a one-item list, for fields like `from: owners`.
    func scalarOrSequence() throws(PolicyError) -> [PolicyYAMLNode] {
        if case .scalar = node {
            return [self]
        }
        return try sequence()
    }

    func string() throws(PolicyError) -> String {
        guard case let .scalar(scalar) = node else {
            throw error("must be text")
        }
        return scalar.string
    }

    func nonEmptyString() throws(PolicyError) -> String {
        let value = try string().trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else {
            throw error("must not be empty")
        }
        return value
    }

    func positiveInteger() throws(PolicyError) -> Int {
        guard case let .scalar(scalar) = node, let value = Int(scalar.string), value > 0 else {
            throw error("must be a positive whole number")
        }
        return value
    }

    func bool() throws(PolicyError) -> Bool {
        guard case let .scalar(scalar) = node, ["true", "false"].contains(scalar.string) else {
            throw error("must be true or false")
        }
        return scalar.string == "true"
    }

    /// Reads a name used as an identifier (person, group, rule): letters, digits, `.`, `_`, `-`.
    func identifier() throws(PolicyError) -> String {
        let value = try nonEmptyString()
        guard value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
            throw error("'\(value)' may only contain letters, digits, '.', '_' and '-'")
        }
        return value
    }
}

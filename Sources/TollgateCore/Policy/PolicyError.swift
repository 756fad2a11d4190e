/// A mistake in a policy file, located precisely enough to fix without searching.
///
/// A policy that cannot be read must never be read as a weaker one, so every problem, including
/// an unknown key that may be a typo, is an error that names the file, line, column and field.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file's path in the repository, such as `Policies/approvals.yaml`.
    public let file: String
    /// 1-based line, when the problem has a position in the file.
    public let line: Int?
    /// 1-based column, when the problem has a position in the file.
    public let column: Int?
    /// The field's path, such as `rules[1].require[0].count`; empty for the whole file.
    public let field: String
    /// What is wrong and, when known, what is expected.
    public let message: String

    /// Creates an error; `line` and `column` are 1-based.
    public init(file: String, line: Int?, column: Int?, field: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `file:line:column: field message`, the form editors and CI logs link to.
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column {
                location += ":\(column)"
            }
        }
        return field.isEmpty ? "\(location): \(message)" : "\(location): \(field) \(message)"
    }
}

/// How one commit changed one stack, in the vocabulary of `tollgate history`.
public enum StackChangeKind: String, Sendable, Codable, CaseIterable {
    /// The stack's template appeared.
    case added
    /// The template or the configuration changed; the template exists before and after.
    case modified
    /// The stack's template is gone.
    case deleted
}

/// One stack that one commit changed, with the stack files that changed.
public struct StackChange: Sendable, Hashable, Codable {
    /// The stack's name, from its path.
    public let name: String
    /// What happened to it.
    public let change: StackChangeKind
    /// The changed template and configuration files, sorted.
    public let files: [String]

    /// A stack change from its parts.
    public init(name: String, change: StackChangeKind, files: [String]) {
        self.name = name
        self.change = change
        self.files = files
    }
}

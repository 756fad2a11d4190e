/// How one commit changed one stack, in the vocabulary of `tollgate history`.
public enum StackChangeKind: String, Sendable, Codable, CaseIterable {
    /// The stack's template appeared.
    case added
    /// The template or the configuration changed; the template exists before and after.
    case modified
    /// The stack's template is gone.
    case deleted
}

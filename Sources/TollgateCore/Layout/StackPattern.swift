import Foundation

/// A path pattern with one `{name}` placeholder, such as `Stacks/{name}/template.yaml`.
///
/// The placeholder matches one or more characters and may span folders, so `{name}.yaml` finds
/// templates anywhere and names each stack after its path.
public struct StackPattern: Sendable, Hashable, CustomStringConvertible {
    /// The text before `{name}`.
    public let prefix: String
    /// The text after `{name}`.
    public let suffix: String

    /// The placeholder every pattern must contain exactly once.
    public static let placeholder = "{name}"

    /// Parses `text`.
    ///
    /// - Throws: ``LayoutError/invalidPattern(_:reason:)`` when `{name}` is missing or repeated, or
    ///   the path is absolute or climbs out of the repository.
    public init(_ text: String) throws(LayoutError) {
        let parts = text.components(separatedBy: Self.placeholder)
        guard parts.count == 2 else {
            throw .invalidPattern(text, reason: parts.count < 2 ? "it has no {name} placeholder" : "it has more than one {name} placeholder")
        }
        guard !text.hasPrefix("/") else { throw .invalidPattern(text, reason: "it must be relative to the repository root") }
        guard !text.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw .invalidPattern(text, reason: "it must not contain '.' or '..' folders")
        }
        prefix = parts[0]
        suffix = parts[1]
    }

    /// The stack name this pattern gives `path`, or `nil` when it does not match.
    public func name(in path: String) -> String? {
        // Byte-wise: every changed path of every commit goes through here, and character-wise
        // comparisons would cost more than the tree walk that produced the path.
        let bytes = path.utf8
        let prefixLength = prefix.utf8.count
        let suffixLength = suffix.utf8.count
        guard bytes.count > prefixLength + suffixLength,
              bytes.starts(with: prefix.utf8),
              bytes.reversed().starts(with: suffix.utf8.reversed()) else { return nil }
        let start = bytes.index(bytes.startIndex, offsetBy: prefixLength)
        let end = bytes.index(bytes.endIndex, offsetBy: -suffixLength)
        return String(path.utf8[start..<end])
    }

    /// The path this pattern gives the stack `name`.
    public func path(for name: String) -> String {
        prefix + name + suffix
    }

    /// The folder that holds every match (`Stacks/` for `Stacks/{name}/template.yaml`), or the
    /// empty string when matches may lie anywhere.
    public var enclosingFolder: String {
        guard let slash = prefix.lastIndex(of: "/") else { return "" }
        return String(prefix[...slash])
    }

    public var description: String { prefix + Self.placeholder + suffix }
}

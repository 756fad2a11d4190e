import Foundation

/// The comparable form of an e-mail address, so that an author cannot escape the rule that nobody
/// approves their own change by writing their address in a form that only looks different.
///
/// Two addresses name the same person when their identities are equal: the text is brought to
/// Unicode NFKC (full-width and compatibility forms become plain ones), characters that render
/// as nothing (zero-width spaces and joiners, bidirectional controls, soft hyphens, byte order
/// marks) are removed, the common Cyrillic and Greek letters that look exactly like Latin ones
/// are read as those, case is folded, and a `+tag` sub-address is dropped from the local part,
/// since `alice+work@example.com` reaches Alice's mailbox at most providers. Stripping more than
/// an address strictly means can only exclude a reviewer, never admit one.
public struct EmailIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The normalised address.
    public let value: String

    /// The identity of `address`.
    public init(_ address: String) {
        var scalars = String.UnicodeScalarView()
        for scalar in address.precomposedStringWithCompatibilityMapping.unicodeScalars where !Self.isInvisible(scalar) {
            scalars.append(Self.latinLookAlikes[scalar] ?? scalar)
        }
        let folded = String(scalars).folding(options: [.caseInsensitive], locale: nil)
        guard let at = folded.lastIndex(of: "@") else {
            value = folded
            return
        }
        var local = folded[..<at]
        if let plus = local.firstIndex(of: "+") { local = local[..<plus] }
        value = String(local) + folded[at...]
    }

    public var description: String { value }

    /// Characters that display as nothing or only change how neighbours display.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .control, .nonspacingMark, .enclosingMark: return true
        default: return scalar.properties.isDefaultIgnorableCodePoint || scalar.properties.isWhitespace
        }
    }

    /// Letters that NFKC keeps apart from Latin but that a reader cannot tell from it.
    private static let latinLookAlikes: [Unicode.Scalar: Unicode.Scalar] = {
        let pairs: [(UInt32, Character)] = [
            (0x0430, "a"), (0x0435, "e"), (0x043E, "o"), (0x0440, "p"), (0x0441, "c"), (0x0443, "y"),
            (0x0445, "x"), (0x0456, "i"), (0x0458, "j"), (0x0455, "s"), (0x0501, "d"), (0x04BB, "h"),
            (0x0410, "a"), (0x0415, "e"), (0x041E, "o"), (0x0420, "p"), (0x0421, "c"), (0x0425, "x"),
            (0x0412, "b"), (0x041A, "k"), (0x041C, "m"), (0x041D, "h"), (0x0422, "t"), (0x0406, "i"),
            (0x03BF, "o"), (0x03B1, "a"), (0x03BD, "v"), (0x03C1, "p"), (0x0391, "a"), (0x0392, "b"),
            (0x0395, "e"), (0x0397, "h"), (0x0399, "i"), (0x039A, "k"), (0x039C, "m"), (0x039D, "n"),
            (0x039F, "o"), (0x03A1, "p"), (0x03A4, "t"), (0x03A5, "y"), (0x03A7, "x"), (0x0261, "g"),
        ]
        var table: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (code, latin) in pairs {
            if let scalar = Unicode.Scalar(code), let target = latin.unicodeScalars.first { table[scalar] = target }
        }
        return table
    }()
}

/// One entry of a reviewer's `emails:` list: an address, or a pattern in which `*` stands for any
/// run of characters, such as `alice+*@example.com`.
public struct EmailPattern: Sendable, Hashable, CustomStringConvertible {
    /// The entry as written in `Policies/reviewers.yaml`.
    public let text: String
    private let parts: [String]

    /// The pattern `text`; each literal part is compared as an ``EmailIdentity`` would be, except
    /// that a pattern keeps its `+` so that it can name sub-addresses on purpose.
    public init(_ text: String) {
        self.text = text
        parts = text.split(separator: "*", omittingEmptySubsequences: false).map { Self.fold(String($0)) }
    }

    public var description: String { text }

    /// Whether the pattern has a `*`.
    public var isPattern: Bool { parts.count > 1 }

    /// The identity an exact entry stands for; patterns are matched with ``matches(_:)``.
    public var identity: EmailIdentity { EmailIdentity(text) }

    /// Whether `address` is one this entry names: equal identities for an address, a match of
    /// the address (sub-address kept) or of its identity for a pattern.
    public func matches(_ address: String) -> Bool {
        guard isPattern else { return EmailIdentity(address) == identity }
        return Self.glob(parts, Self.fold(address)) || Self.glob(parts, EmailIdentity(address).value)
    }

    private static func fold(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCompatibilityMapping.unicodeScalars where !EmailIdentity.isInvisible(scalar) {
            scalars.append(scalar)
        }
        return String(scalars).folding(options: [.caseInsensitive], locale: nil)
    }

    private static func glob(_ parts: [String], _ text: String) -> Bool {
        guard let first = parts.first, text.hasPrefix(first), let last = parts.last else { return false }
        var rest = text.dropFirst(first.count)
        for part in parts.dropFirst().dropLast() {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.count >= last.count && rest.hasSuffix(last)
    }
}

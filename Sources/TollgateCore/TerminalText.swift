/// Text as a terminal may show it: nothing a repository, a reviewer or a store holds can move the
/// cursor, erase a line, start a row of its own or reorder what is shown.
///
/// Control characters (C0, DEL, C1), line and paragraph separators, bidirectional controls and
/// invisible characters (Unicode's format and default-ignorable characters, such as U+200B or
/// U+FEFF) are written as visible escapes: `\n`, `\r`, `\t`, or `\u{1B}`, `\u{202E}`.
/// `--json` output needs none of this: JSON escapes control characters itself.
public enum TerminalText {
    /// One value as it must be shown, every character that is not plainly visible escaped.
    ///
    /// Renderers apply it to every value they did not write themselves (names, messages, logical
    /// ids, parameter values, reasons, paths, error descriptions), so that a newline inside a
    /// value is shown as `\n` and can never fake a row.
    public static func escape(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: needsEscape) else { return value }
        var result = ""
        result.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            append(scalar, to: &result)
        }
        return result
    }

    /// A whole text a renderer composed, made safe as a last line of defence: its line breaks and
    /// the colour sequences of ``TextStyle``-like styling (`ESC [ digits ; ... m`) are kept, every
    /// other character that ``escape(_:)`` escapes is escaped.
    ///
    /// Values must still be escaped with ``escape(_:)`` as they are put in, because a line break
    /// inside a value cannot be told apart from the renderer's own once they are joined.
    public static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 != "\n" && needsEscape($0) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" {
                result.unicodeScalars.append(scalar)
            } else if scalar == "\u{1B}", let end = styleSequenceEnd(scalars, from: index) {
                result.unicodeScalars.append(contentsOf: scalars[index...end])
                index = end
            } else {
                append(scalar, to: &result)
            }
            index += 1
        }
        return result
    }

    /// Whether the scalar is shown as an escape rather than as itself.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return scalar.value < 0x20 || scalar.value == 0x7F
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            return true
        default:
            return properties.isDefaultIgnorableCodePoint || properties.isBidiControl
        }
    }

    private static func append(_ scalar: Unicode.Scalar, to result: inout String) {
        guard needsEscape(scalar) else {
            result.unicodeScalars.append(scalar)
            return
        }
        switch scalar {
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default: result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        }
    }

    /// The index of the `m` that ends a colour sequence starting at `start`, if it is one.
    private static func styleSequenceEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 2 < scalars.count, scalars[start + 1] == "[" else { return nil }
        var index = start + 2
        while index < scalars.count, index - start < 16 {
            let scalar = scalars[index]
            if scalar == "m" { return index }
            guard scalar == ";" || ("0"..."9").contains(scalar) else { return nil }
            index += 1
        }
        return nil
    }
}

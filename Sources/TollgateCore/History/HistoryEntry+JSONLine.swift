extension HistoryEntry {
    /// The entry as one line of JSON with sorted keys, byte for byte what `JSONEncoder` writes with
    /// `.sortedKeys` and `.withoutEscapingSlashes`, followed by a newline.
    ///
    /// Written by hand because `tollgate history --json` prints one line per commit of a long
    /// history, and `JSONEncoder` costs more per line than scanning the commit did.
    public var jsonLine: String {
        var out = "{\"author\":"
        Self.append(author, to: &out)
        out += ",\"commit\":"
        Self.appendString(commit, to: &out)
        out += ",\"committer\":"
        Self.append(committer, to: &out)
        out += ",\"parent\":"
        if let parent { Self.appendString(parent, to: &out) } else { out += "null" }
        out += ",\"policies\":"
        out += policies ? "true" : "false"
        out += ",\"settings\":"
        out += settings ? "true" : "false"
        out += ",\"stacks\":["
        for (index, stack) in stacks.enumerated() {
            if index > 0 { out += "," }
            out += "{\"change\":"
            Self.appendString(stack.change.rawValue, to: &out)
            out += ",\"files\":["
            for (fileIndex, file) in stack.files.enumerated() {
                if fileIndex > 0 { out += "," }
                Self.appendString(file, to: &out)
            }
            out += "],\"name\":"
            Self.appendString(stack.name, to: &out)
            out += "}"
        }
        out += "],\"summary\":"
        Self.appendString(summary, to: &out)
        out += "}\n"
        return out
    }

    private static func append(_ person: Person, to out: inout String) {
        out += "{\"email\":"
        appendString(person.email, to: &out)
        out += ",\"name\":"
        appendString(person.name, to: &out)
        out += ",\"time\":"
        appendString(person.time, to: &out)
        out += "}"
    }

    /// A JSON string literal, escaped as `JSONEncoder` escapes it.
    private static func appendString(_ text: String, to out: inout String) {
        out += "\""
        var plainStart = text.unicodeScalars.startIndex
        var index = plainStart
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out += String(scalars[plainStart..<index])
                out += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out += String(scalars[plainStart..<scalars.endIndex])
        out += "\""
    }
}

/// A JSON value with the line and column where it starts.
///
/// Foundation's JSON reader gives no positions and keeps only one of two duplicate keys, so a
/// stack policy, which guards resources, is read by this small strict reader instead.
struct PolicyJSON {
    enum Value {
        case object([(key: String, keyLine: Int, keyColumn: Int, value: PolicyJSON)])
        case array([PolicyJSON])
        case string(String)
        case number(String)
        case bool(Bool)
        case null
    }

    let value: Value
    let line: Int
    let column: Int

    /// Parses a whole document.
    ///
    /// - Throws: ``PolicyError`` at the position of the first syntax error.
    static func parse(_ text: String, file: String) throws(PolicyError) -> PolicyJSON {
        let bytes = text.utf8.count
        guard bytes <= YAMLLimits.maximumBytes else {
            throw PolicyError(
                file: file, line: nil, column: nil, field: "",
                message: "is \(bytes) bytes, over Tollgate's limit of \(YAMLLimits.maximumBytes) bytes for a policy file")
        }
        var reader = Reader(scalars: Array(text.unicodeScalars), file: file)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.index == reader.scalars.count else {
            throw reader.error("unexpected text after the JSON document")
        }
        return value
    }

    private struct Reader {
        let scalars: [Unicode.Scalar]
        let file: String
        var index = 0
        var line = 1
        var column = 1

        init(scalars: [Unicode.Scalar], file: String) {
            self.scalars = scalars
            self.file = file
        }

        func error(_ message: String) -> PolicyError {
            PolicyError(file: file, line: line, column: column, field: "", message: "is not valid JSON: \(message)")
        }

        var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        mutating func advance() {
            if current == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }

        mutating func skipWhitespace() {
            while let scalar = current, scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                advance()
            }
        }

        mutating func expect(_ scalar: Unicode.Scalar) throws(PolicyError) {
            guard current == scalar else {
                throw error("expected '\(scalar)'")
            }
            advance()
        }

        mutating func readValue(depth: Int) throws(PolicyError) -> PolicyJSON {
            guard depth < 64 else {
                throw error("nested too deeply")
            }
            let startLine = line
            let startColumn = column
            let value: Value
            switch current {
            case "{":
                advance()
                var members: [(key: String, keyLine: Int, keyColumn: Int, value: PolicyJSON)] = []
                skipWhitespace()
                if current == "}" {
                    advance()
                } else {
                    while true {
                        skipWhitespace()
                        let keyLine = line
                        let keyColumn = column
                        guard current == "\"" else {
                            throw error("expected a quoted key")
                        }
                        let key = try readString()
                        skipWhitespace()
                        try expect(":")
                        skipWhitespace()
                        members.append((key, keyLine, keyColumn, try readValue(depth: depth + 1)))
                        skipWhitespace()
                        if current == "," {
                            advance()
                            continue
                        }
                        try expect("}")
                        break
                    }
                }
                value = .object(members)
            case "[":
                advance()
                var items: [PolicyJSON] = []
                skipWhitespace()
                if current == "]" {
                    advance()
                } else {
                    while true {
                        skipWhitespace()
                        items.append(try readValue(depth: depth + 1))
                        skipWhitespace()
                        if current == "," {
                            advance()
                            continue
                        }
                        try expect("]")
                        break
                    }
                }
                value = .array(items)
            case "\"":
                value = .string(try readString())
            case "t":
                try readWord("true")
                value = .bool(true)
            case "f":
                try readWord("false")
                value = .bool(false)
            case "n":
                try readWord("null")
                value = .null
            case let scalar? where scalar == "-" || ("0"..."9").contains(scalar):
                var text = ""
                while let next = current, next == "-" || next == "+" || next == "." || next == "e" || next == "E" || ("0"..."9").contains(next) {
                    text.unicodeScalars.append(next)
                    advance()
                }
                guard Double(text) != nil else {
                    throw error("'\(text)' is not a number")
                }
                value = .number(text)
            default:
                throw error(current == nil ? "unexpected end of file" : "unexpected character")
            }
            return PolicyJSON(value: value, line: startLine, column: startColumn)
        }

        mutating func readWord(_ word: String) throws(PolicyError) {
            for scalar in word.unicodeScalars {
                guard current == scalar else {
                    throw error("expected '\(word)'")
                }
                advance()
            }
        }

        mutating func readString() throws(PolicyError) -> String {
            try expect("\"")
            var result = ""
            while true {
                guard let scalar = current else {
                    throw error("unterminated string")
                }
                advance()
                switch scalar {
                case "\"":
                    return result
                case "\\":
                    guard let escape = current else {
                        throw error("unterminated string")
                    }
                    advance()
                    switch escape {
                    case "\"", "\\", "/": result.unicodeScalars.append(escape)
                    case "n": result += "\n"
                    case "t": result += "\t"
                    case "r": result += "\r"
                    case "b": result += "\u{8}"
                    case "f": result += "\u{c}"
                    case "u":
                        var hex = ""
                        for _ in 0..<4 {
                            guard let digit = current else {
                                throw error("unterminated \\u escape")
                            }
                            hex.unicodeScalars.append(digit)
                            advance()
                        }
                        guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                            throw error("unsupported \\u escape '\(hex)'")
                        }
                        result.unicodeScalars.append(decoded)
                    default:
                        throw error("unknown escape '\\\(escape)'")
                    }
                default:
                    guard scalar.value >= 0x20 else {
                        throw error("control character inside a string")
                    }
                    result.unicodeScalars.append(scalar)
                }
            }
        }
    }
}

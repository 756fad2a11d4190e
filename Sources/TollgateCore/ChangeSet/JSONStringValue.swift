/// The text `Fn::ToJsonString` (`AWS::LanguageExtensions`) makes of a value, as CloudFormation's
/// user guide shows it: compact JSON with no spaces, keys in the order the template writes them
/// (`{"key1":"value1","key2":"resolvedValue"}`), strings escaped as JSON requires and nothing else
/// (non-ASCII and `/` stay as they are).
enum JSONStringValue {
    /// The JSON text, or nil when some part is known only at apply time (a reference to a
    /// resource, a pseudo parameter or a parameter without a value), so that the function stays
    /// unevaluated and what depends on it is `Dynamic`.
    ///
    /// A number is written as the template writes it when that is a JSON number (`80`, `0.5`,
    /// `1e3`); a YAML-only spelling (`0x1F`, `.5`, `+1`) is written as a string, the way
    /// CloudFormation receives such a scalar.
    static func text(of value: TemplateValue) -> String? {
        var output: [UInt8] = []
        guard write(value, to: &output) else { return nil }
        return String(decoding: output, as: UTF8.self)
    }

    private static func write(_ value: TemplateValue, to output: inout [UInt8]) -> Bool {
        switch value {
        case .string(let text):
            CanonicalEncoding.writeString(text, to: &output)
        case .number(let text):
            if isJSONNumber(text) {
                output.append(contentsOf: text.utf8)
            } else {
                CanonicalEncoding.writeString(text, to: &output)
            }
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null:
            output.append(contentsOf: "null".utf8)
        case .list(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                guard write(item, to: &output) else { return false }
            }
            output.append(UInt8(ascii: "]"))
        case .map(let map):
            output.append(UInt8(ascii: "{"))
            for (index, pair) in map.pairs.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                CanonicalEncoding.writeString(pair.key, to: &output)
                output.append(UInt8(ascii: ":"))
                guard write(pair.value, to: &output) else { return false }
            }
            output.append(UInt8(ascii: "}"))
        case .function:
            return false
        }
        return true
    }

    /// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let count = bytes.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: "0") {
            bytes = bytes.dropFirst()
        } else if digits() == 0 {
            return false
        }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}

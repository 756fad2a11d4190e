import Foundation

/// The built-in functions of Guard 3.
enum GuardFunction: String, Sendable, CaseIterable {
    case count
    case jsonParse = "json_parse"
    case regexReplace = "regex_replace"
    case join
    case substring
    case toUpper = "to_upper"
    case toLower = "to_lower"
    case urlDecode = "url_decode"
    case now
    case parseEpoch = "parse_epoch"
    case parseBoolean = "parse_boolean"
    case parseFloat = "parse_float"
    case parseInt = "parse_int"
    case parseString = "parse_string"
    case parseChar = "parse_char"

    /// How many arguments the function takes.
    var arity: Int {
        switch self {
        case .now: return 0
        case .join: return 2
        case .substring, .regexReplace: return 3
        default: return 1
        }
    }
}

/// Why a function call could not be evaluated.
struct GuardFunctionFailure: Error {
    var problem: String
}

extension GuardFunction {
    /// Calls the function on its evaluated arguments. Most functions map each value of their
    /// first argument and drop values of the wrong type, as cfn-guard does.
    func call(_ arguments: [[GuardQueryResult]], now: Int64, regexes: GuardRegexCache) throws -> [GuardNode] {
        switch self {
        case .count:
            let count = arguments[0].filter { !$0.isUnresolved }.count
            return [GuardNode(value: .int(Int64(count)), chain: arguments[0].first?.node.chain ?? .root)]
        case .now:
            return [GuardNode(value: .int(now))]
        case .join:
            guard case .some(let delimiterValue) = arguments[1].first?.resolvedValue else {
                throw GuardFunctionFailure(problem: "join needs a string or character as its second argument")
            }
            let delimiter: String
            switch delimiterValue {
            case .string(let text): delimiter = text
            case .char(let character): delimiter = String(character)
            default: throw GuardFunctionFailure(problem: "join needs a string or character as its second argument")
            }
            var parts: [String] = []
            for result in arguments[0] {
                guard case .some(.string(let text)) = result.resolvedValue else {
                    throw GuardFunctionFailure(problem: "join can only join strings")
                }
                parts.append(text)
            }
            return [GuardNode(value: .string(parts.joined(separator: delimiter)), chain: arguments[0].first?.node.chain ?? .root)]
        case .substring:
            let from = try integerArgument(arguments[1], position: "second")
            let to = try integerArgument(arguments[2], position: "third")
            return strings(arguments[0]) { text in
                let utf8 = Array(text.utf8)
                guard !utf8.isEmpty, from < to, from <= utf8.count, to <= utf8.count else { return nil }
                return .string(String(decoding: utf8[from..<to], as: UTF8.self))
            }
        case .toUpper:
            return strings(arguments[0]) { .string($0.uppercased()) }
        case .toLower:
            return strings(arguments[0]) { .string($0.lowercased()) }
        case .urlDecode:
            return strings(arguments[0]) { text in
                text.removingPercentEncoding.map { .string($0) }
            }
        case .regexReplace:
            guard case .some(.string(let pattern)) = arguments[1].first?.resolvedValue else {
                throw GuardFunctionFailure(problem: "regex_replace needs a string as its second argument")
            }
            guard case .some(.string(let template)) = arguments[2].first?.resolvedValue else {
                throw GuardFunctionFailure(problem: "regex_replace needs a string as its third argument")
            }
            let expression = try regexes.expression(pattern)
            return strings(arguments[0]) { text in
                let whole = NSRange(text.startIndex..., in: text)
                var replaced = ""
                for match in expression.matches(in: text, range: whole) {
                    replaced += expression.replacementString(
                        for: match, in: text, offset: 0, template: GuardFunction.icuTemplate(template))
                }
                return .string(replaced)
            }
        case .jsonParse:
            var results: [GuardNode] = []
            for result in arguments[0] {
                guard case .some(.string(let text)) = result.resolvedValue else { continue }
                let document = try GuardDocumentReader.read(text, fileName: "json_parse argument")
                results.append(GuardNode(value: document.root, chain: result.node.chain))
            }
            return results
        case .parseEpoch:
            var results: [GuardNode] = []
            for result in arguments[0] {
                guard case .some(.string(let text)) = result.resolvedValue else { continue }
                guard let seconds = GuardFunction.epochSeconds(rfc3339: text) else {
                    throw GuardFunctionFailure(problem: "parse_epoch could not read '\(text)' as an RFC 3339 date")
                }
                results.append(GuardNode(value: .int(seconds), chain: result.node.chain))
            }
            return results
        case .parseBoolean:
            return try converted(arguments[0]) { value in
                switch value {
                case .bool: return value
                case .string(let text):
                    switch text.lowercased() {
                    case "true": return .bool(true)
                    case "false": return .bool(false)
                    default: throw GuardFunctionFailure(problem: "parse_boolean could not read '\(text)' as a boolean")
                    }
                default: return nil
                }
            }
        case .parseInt:
            return try converted(arguments[0]) { value in
                switch value {
                case .int: return value
                case .float(let number): return .int(Int64(exactly: number.rounded(.towardZero)) ?? 0)
                case .char(let character):
                    guard let digit = character.wholeNumberValue else {
                        throw GuardFunctionFailure(problem: "parse_int could not read '\(character)' as a digit")
                    }
                    return .int(Int64(digit))
                case .string(let text):
                    guard let number = Int64(text) else {
                        throw GuardFunctionFailure(problem: "parse_int could not read '\(text)' as an integer")
                    }
                    return .int(number)
                default: return nil
                }
            }
        case .parseFloat:
            return try converted(arguments[0]) { value in
                switch value {
                case .float: return value
                case .int(let number): return .float(Double(number))
                case .char(let character):
                    guard let digit = character.wholeNumberValue else {
                        throw GuardFunctionFailure(problem: "parse_float could not read '\(character)' as a digit")
                    }
                    return .float(Double(digit))
                case .string(let text):
                    guard let number = Double(text) else {
                        throw GuardFunctionFailure(problem: "parse_float could not read '\(text)' as a number")
                    }
                    return .float(number)
                default: return nil
                }
            }
        case .parseString:
            return try converted(arguments[0]) { value in
                switch value {
                case .string: return value
                case .int(let number): return .string(String(number))
                case .float(let number): return .string(String(number))
                case .bool(let flag): return .string(flag ? "true" : "false")
                case .char(let character): return .string(String(character))
                default: return nil
                }
            }
        case .parseChar:
            return try converted(arguments[0]) { value in
                switch value {
                case .char: return value
                case .int(let number) where (0...9).contains(number):
                    return .char(Character(String(number)))
                case .string(let text) where text.count == 1:
                    return text.first.map { .char($0) }
                case .int, .string:
                    throw GuardFunctionFailure(problem: "parse_char needs a single character or digit, not \(value.rendered)")
                default: return nil
                }
            }
        }
    }

    private func integerArgument(_ argument: [GuardQueryResult], position: String) throws -> Int {
        switch argument.first?.resolvedValue {
        case .some(.int(let number)): return Int(UInt16(truncatingIfNeeded: number))
        case .some(.float(let number)) where number.isFinite:
            return Int(UInt16(truncatingIfNeeded: Int64(number.rounded(.towardZero))))
        default:
            throw GuardFunctionFailure(problem: "\(rawValue) needs a number as its \(position) argument")
        }
    }

    private func strings(_ argument: [GuardQueryResult], _ transform: (String) -> GuardValue?) -> [GuardNode] {
        argument.compactMap { result in
            guard case .some(.string(let text)) = result.resolvedValue, let value = transform(text) else { return nil }
            return GuardNode(value: value, chain: result.node.chain)
        }
    }

    private func converted(_ argument: [GuardQueryResult], _ transform: (GuardValue) throws -> GuardValue?) throws -> [GuardNode] {
        try argument.compactMap { result in
            guard let value = result.resolvedValue, let converted = try transform(value) else { return nil }
            return GuardNode(value: converted, chain: result.node.chain)
        }
    }

    /// Rust's replacement syntax writes groups as `$1`, `${1}` or `${name}`; ICU reads `$1` and
    /// `${name}` but not `${1}`, and treats `\` as an escape, which Rust does not.
    static func icuTemplate(_ template: String) -> String {
        var result = template.replacingOccurrences(of: "\\", with: "\\\\")
        while let range = result.range(of: #"\$\{[0-9]+\}"#, options: .regularExpression) {
            result.replaceSubrange(range, with: "$" + result[range].dropFirst(2).dropLast())
        }
        return result
    }

    /// Seconds since 1970 for an RFC 3339 date such as `2024-05-01T12:00:00Z`.
    static func epochSeconds(rfc3339 text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        return nil
    }
}

/// Compiled regular expressions by pattern, so that each rule's patterns compile once per run.
///
/// Patterns are Rust `regex` syntax in cfn-guard; ICU (NSRegularExpression) reads the common
/// subset the same way. Not shared between threads: each evaluation owns its cache.
final class GuardRegexCache {
    private var compiled: [String: NSRegularExpression] = [:]

    func expression(_ pattern: String) throws -> NSRegularExpression {
        if let expression = compiled[pattern] { return expression }
        do {
            let expression = try NSRegularExpression(pattern: GuardRegexCache.icuPattern(pattern))
            compiled[pattern] = expression
            return expression
        } catch {
            throw GuardFunctionFailure(problem: "/\(pattern)/ is not a valid regular expression")
        }
    }

    /// Whether the text contains a match anywhere, as Rust's `is_match` does.
    func matches(_ pattern: String, _ text: String) throws -> Bool {
        let expression = try expression(pattern)
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Whether the pattern compiles, for the parser.
    static func isValid(_ pattern: String) -> Bool {
        (try? NSRegularExpression(pattern: icuPattern(pattern))) != nil
    }

    /// Rust's regex syntax reads a brace that does not start a repetition (`{{resolve:...}}`) as
    /// a literal brace; ICU refuses it, so such braces are escaped.
    static func icuPattern(_ pattern: String) -> String {
        let characters = Array(pattern)
        var result = ""
        var index = 0
        var inClass = false
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count {
                result.append(character)
                result.append(characters[index + 1])
                index += 2
                continue
            }
            if inClass {
                if character == "]" { inClass = false }
                result.append(character)
            } else if character == "[" {
                inClass = true
                result.append(character)
                // A `]` right after `[` or `[^` is a literal member.
                if index + 1 < characters.count, characters[index + 1] == "^" {
                    result.append("^")
                    index += 1
                }
                if index + 1 < characters.count, characters[index + 1] == "]" {
                    result.append("]")
                    index += 1
                }
            } else if character == "{" {
                var end = index + 1
                while end < characters.count, characters[end].isNumber || characters[end] == "," { end += 1 }
                let body = String(characters[(index + 1)..<min(end, characters.count)])
                let isRepetition = end < characters.count && characters[end] == "}" && !body.isEmpty
                    && body.first != "," && body.filter { $0 == "," }.count <= 1
                if isRepetition {
                    result += "{" + body + "}"
                    index = end + 1
                    continue
                }
                result += "\\{"
            } else if character == "}" {
                result += "\\}"
            } else {
                result.append(character)
            }
            index += 1
        }
        return result
    }
}

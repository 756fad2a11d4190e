/// Reads Guard rule files (the AWS CloudFormation Guard 2.x/3.x language) into ``GuardRuleFile``.
///
/// The grammar follows cfn-guard's own parser: clauses on separate lines are joined by "and",
/// `or` joins neighbours, a `rule` may carry `when` conditions, and clauses outside any rule form
/// the rule `default`. The parser works on the file's UTF-8 bytes with backtracking; a committed
/// alternative that fails stops with the furthest position reached, so errors point at the
/// offending text.
public enum GuardRuleParser {
    /// How deeply blocks, filters and `when` conditions may nest; deeper files are refused, so a
    /// hostile rule cannot exhaust the stack.
    public static let maximumNesting = 64

    /// Parses a rule file's text.
    ///
    /// - Parameters:
    ///   - text: the whole file.
    ///   - fileName: the name used in error messages and kept in ``GuardRuleFile/fileName``.
    /// - Throws: ``GuardError/syntax(location:problem:)`` naming the line and column where the
    ///   file stops making sense, and ``GuardError/unknownFunction(location:name:problem:)`` for a
    ///   call of a function Guard does not have.
    public static func parse(_ text: String, fileName: String) throws(GuardError) -> GuardRuleFile {
        let scanner = GuardScanner(text: text, fileName: fileName)
        do {
            return try scanner.ruleFile()
        } catch let failure as GuardParseFailure {
            throw scanner.error(for: failure)
        } catch let error as GuardError {
            throw error
        } catch {
            throw GuardError.syntax(location: scanner.location(at: 0), problem: "\(error)")
        }
    }
}

/// A parse step that did not match. `isCut` marks a committed alternative: no other
/// alternative is tried and the whole parse stops.
struct GuardParseFailure: Error {
    var offset: Int
    var expected: String
    var isCut: Bool
}

/// The character-level parser behind ``GuardRuleParser``.
final class GuardScanner {
    private let bytes: [UInt8]
    private let fileName: String
    private var lineStarts: [Int] = [0]
    private var position = 0
    private var nesting = 0
    /// The furthest failure seen, for the error message when the whole parse fails.
    private var furthest = GuardParseFailure(offset: 0, expected: "a rule, a let binding or a clause", isCut: false)

    init(text: String, fileName: String) {
        bytes = Array(text.utf8)
        self.fileName = fileName
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lineStarts.append(index + 1)
        }
    }

    // MARK: - Errors and positions

    func location(at offset: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let start = lineStarts[low]
        let end = min(offset, bytes.count)
        let column = String(decoding: bytes[start..<max(start, end)], as: UTF8.self).count + 1
        return SourceLocation(fileName: fileName, line: low + 1, column: column)
    }

    func error(for failure: GuardParseFailure) -> GuardError {
        let chosen = failure.isCut || failure.offset >= furthest.offset ? failure : furthest
        let end = min(chosen.offset + 30, bytes.count)
        var fragment = String(decoding: bytes[min(chosen.offset, bytes.count)..<end], as: UTF8.self)
        if let newline = fragment.firstIndex(of: "\n") { fragment = String(fragment[..<newline]) }
        let near = fragment.isEmpty ? "at the end of the file" : "near '\(fragment)'"
        return .syntax(location: location(at: chosen.offset), problem: "expected \(chosen.expected) \(near)")
    }

    private func fail(_ expected: String, at offset: Int? = nil) -> GuardParseFailure {
        let failure = GuardParseFailure(offset: offset ?? position, expected: expected, isCut: false)
        if failure.offset >= furthest.offset { furthest = failure }
        return failure
    }

    private func failCut(_ expected: String, at offset: Int? = nil) -> GuardParseFailure {
        GuardParseFailure(offset: offset ?? position, expected: expected, isCut: true)
    }

    /// Runs an alternative; when it does not match (without committing), the position is
    /// restored and nil returned.
    private func attempt<T>(_ body: () throws -> T) throws -> T? {
        let start = position
        do {
            return try body()
        } catch let failure as GuardParseFailure where !failure.isCut {
            position = start
            return nil
        }
    }

    /// Runs a committed step: a mismatch inside stops the whole parse.
    private func cut<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var failure as GuardParseFailure {
            if !failure.isCut {
                if furthest.offset > failure.offset { failure = furthest }
                failure.isCut = true
            }
            throw failure
        }
    }

    private func nested<T>(_ body: () throws -> T) throws -> T {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= GuardRuleParser.maximumNesting else {
            throw failCut("at most \(GuardRuleParser.maximumNesting) levels of nested blocks, filters and conditions")
        }
        return try body()
    }

    // MARK: - Characters

    private var atEnd: Bool { position >= bytes.count }

    private func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    private func looksAt(_ text: String) -> Bool {
        var index = position
        for byte in text.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    @discardableResult
    private func consume(_ text: String) -> Bool {
        guard looksAt(text) else { return false }
        position += text.utf8.count
        return true
    }

    private func expect(_ text: String) throws {
        guard consume(text) else { throw fail("'\(text)'") }
    }

    private func consumeAny(_ words: String...) -> Bool {
        words.contains { consume($0) }
    }

    /// Consumes one of the words when no name character follows it, so `nullable` stays a name.
    private func consumeWord(_ words: String...) -> Bool {
        for word in words where looksAt(word) {
            let next = position + word.utf8.count
            if next < bytes.count {
                let byte = bytes[next]
                if GuardScanner.isLetter(byte) || GuardScanner.isDigit(byte) || byte == UInt8(ascii: "_") { continue }
            }
            position = next
            return true
        }
        return false
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Skips whitespace and `#` comments; returns whether anything was skipped.
    @discardableResult
    private func skipSpace() -> Bool {
        let start = position
        while let byte = peek() {
            if GuardScanner.isSpace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "#") {
                while let next = peek(), next != UInt8(ascii: "\n") { position += 1 }
            } else {
                break
            }
        }
        return position > start
    }

    private func requireSpace() throws {
        guard skipSpace() else { throw fail("whitespace") }
    }

    /// Skips spaces and tabs only.
    private func skipBlanks() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { position += 1 }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    // MARK: - Literals

    /// `letter (letter | digit | _)*`.
    private func varName() throws -> String {
        let start = position
        guard let first = peek(), GuardScanner.isLetter(first) else { throw fail("a name") }
        position += 1
        while let byte = peek(), GuardScanner.isLetter(byte) || GuardScanner.isDigit(byte) || byte == UInt8(ascii: "_") || byte >= 0x80 {
            position += 1
        }
        return text(start..<position)
    }

    private func quotedString() throws -> String {
        guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
            throw fail("a quoted string")
        }
        let start = position
        position += 1
        var collected: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw failCut("a closing \(quote == UInt8(ascii: "'") ? "'" : "\"") for the string", at: start)
            }
            position += 1
            if byte == quote {
                // A backslash right before the quote escapes it, as in cfn-guard.
                if collected.last == UInt8(ascii: "\\") {
                    collected.removeLast()
                    collected.append(quote)
                    continue
                }
                return String(decoding: collected, as: UTF8.self)
            }
            collected.append(byte)
        }
    }

    private func digits() -> String? {
        let start = position
        while let byte = peek(), GuardScanner.isDigit(byte) { position += 1 }
        return position > start ? text(start..<position) : nil
    }

    private func intValue() throws -> Int64 {
        let start = position
        let negative = consume("-")
        guard let digits = digits(), let number = Int64(digits) else {
            position = start
            throw fail("a number")
        }
        return negative ? -number : number
    }

    private func floatValue() throws -> Double {
        let start = position
        guard digits() != nil else { throw fail("a number") }
        var isFloat = false
        if peek() == UInt8(ascii: "."), let next = peek(1), GuardScanner.isDigit(next) {
            position += 1
            _ = digits()
            isFloat = true
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E"),
            let sign = peek(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
            let digit = peek(2), GuardScanner.isDigit(digit)
        {
            position += 2
            _ = digits()
            isFloat = true
        }
        guard isFloat, let number = Double(text(start..<position)) else {
            position = start
            throw fail("a floating point number")
        }
        return number
    }

    private func regexValue() throws -> String {
        guard consume("/") else { throw fail("a regular expression") }
        let start = position
        var collected: [UInt8] = []
        while true {
            guard let byte = peek() else { throw failCut("a closing / for the regular expression", at: start - 1) }
            position += 1
            if byte == UInt8(ascii: "/") {
                if collected.last == UInt8(ascii: "\\") {
                    collected.removeLast()
                    collected.append(byte)
                    continue
                }
                break
            }
            collected.append(byte)
        }
        let pattern = String(decoding: collected, as: UTF8.self)
        guard GuardRegexCache.isValid(pattern) else {
            throw failCut("a valid regular expression (/\(pattern)/ is not one)", at: start - 1)
        }
        return pattern
    }

    private func rangeBound() throws -> GuardRange.Bound {
        skipBlanks()
        defer { skipBlanks() }
        if let number = try attempt({ try floatValue() }) { return .float(number) }
        if let number = try attempt({ try intValue() }) { return .int(number) }
        let start = position
        guard !atEnd else { throw fail("a range bound") }
        // One character, which may be several bytes.
        position += 1
        while let byte = peek(), byte & 0xC0 == 0x80 { position += 1 }
        guard let character = text(start..<position).first else { throw fail("a range bound") }
        return .char(character)
    }

    private func rangeValue() throws -> GuardRange {
        guard consume("r"), let open = peek(), open == UInt8(ascii: "[") || open == UInt8(ascii: "(") else {
            throw fail("a range such as r[1, 10]")
        }
        position += 1
        let lower = try rangeBound()
        try expect(",")
        let upper = try rangeBound()
        guard let close = peek(), close == UInt8(ascii: "]") || close == UInt8(ascii: ")") else {
            throw fail("']' or ')' closing the range")
        }
        position += 1
        switch (lower, upper) {
        case (.int, .int), (.float, .float), (.char, .char): break
        default: throw failCut("both ends of the range of the same type")
        }
        return GuardRange(
            lower: lower, upper: upper, includesLower: open == UInt8(ascii: "["),
            includesUpper: close == UInt8(ascii: "]"))
    }

    /// A literal value: null, string, number, bool, regex, range, list or map.
    func value() throws -> GuardValue {
        skipSpace()
        if consumeWord("null", "NULL") { return .null }
        if let string = try attempt({ try quotedString() }) { return .string(string) }
        if let number = try attempt({ try floatValue() }) { return .float(number) }
        if let number = try attempt({ try intValue() }) { return .int(number) }
        if consumeWord("true", "True") { return .bool(true) }
        if consumeWord("false", "False") { return .bool(false) }
        if peek() == UInt8(ascii: "/") { return .regex(try regexValue()) }
        if let range = try attempt({ try rangeValue() }) { return .range(range) }
        if peek() == UInt8(ascii: "[") {
            if let list = try attempt({ try listValue() }) { return list }
        }
        if peek() == UInt8(ascii: "{") {
            if let map = try attempt({ try mapValue() }) { return map }
        }
        throw fail("a value (string, number, bool, regex, list or map)")
    }

    private func listValue() throws -> GuardValue {
        try nested {
            try expect("[")
            var items: [GuardValue] = []
            skipSpace()
            if consume("]") { return .list(items) }
            repeat {
                items.append(try value())
                skipSpace()
            } while consume(",")
            skipSpace()
            try expect("]")
            return .list(items)
        }
    }

    private func mapValue() throws -> GuardValue {
        try nested {
            try expect("{")
            var map = GuardMap()
            skipSpace()
            if consume("}") { return .map(map) }
            repeat {
                skipSpace()
                let key: String
                if let quoted = try attempt({ try quotedString() }) {
                    key = quoted
                } else {
                    let start = position
                    while let byte = peek(),
                        GuardScanner.isLetter(byte) || GuardScanner.isDigit(byte) || byte == UInt8(ascii: "-")
                            || byte == UInt8(ascii: "_") || byte >= 0x80
                    {
                        position += 1
                    }
                    guard position > start else { throw fail("a map key") }
                    key = text(start..<position)
                }
                skipSpace()
                try expect(":")
                map[key] = try value()
                skipSpace()
            } while consume(",")
            skipSpace()
            try expect("}")
            return .map(map)
        }
    }

    // MARK: - Queries

    private func someKeyword() -> Bool {
        let start = position
        skipSpace()
        if consumeAny("some", "SOME"), skipSpace() { return true }
        position = start
        return false
    }

    /// A query: `[some] (this | %var | name) (.part | [part])*`.
    func query() throws -> GuardQuery {
        let matchAll = !someKeyword()
        skipSpace()
        var parts: [GuardQueryPart] = []
        let isVariable: Bool
        if consumeAny("this", "THIS") {
            parts.append(.this)
            isVariable = false
        } else if consume("%") {
            parts.append(.variable(try varName()))
            isVariable = true
        } else if let string = try attempt({ try quotedString() }) {
            parts.append(.key(string))
            isVariable = false
        } else {
            parts.append(.key(try varName()))
            isVariable = false
        }
        while let part = try attempt({ try queryPart() }) {
            parts.append(part)
        }
        // A variable's values are visited one by one, as if `[*]` followed it.
        if isVariable && parts.count > 1 {
            if case .allIndices = parts[1] {} else { parts.insert(.allIndices(capture: nil), at: 1) }
        }
        return GuardQuery(parts: parts, matchAll: matchAll)
    }

    private func queryPart() throws -> GuardQueryPart {
        skipSpace()
        if consume(".") {
            if let index = try attempt({ try intValue() }) { return .index(Int(clamping: index)) }
            if consume("*") { return .allValues(capture: nil) }
            if consume("%") { return .variable(try varName()) }
            if let string = try attempt({ try quotedString() }) { return .key(string) }
            return .key(try varName())
        }
        guard peek() == UInt8(ascii: "[") else { throw fail("'.' or '['") }
        if let part = try attempt({ try allIndices() }) { return part }
        if let part = try attempt({ try arrayIndex() }) { return part }
        if let part = try attempt({ try mapKeyLookup() }) { return part }
        if let part = try attempt({ try mapKeysFilter() }) { return part }
        return try filter()
    }

    private func openBracket() throws {
        skipSpace()
        try expect("[")
    }

    private func closeBracket() throws {
        skipSpace()
        try expect("]")
    }

    private func allIndices() throws -> GuardQueryPart {
        try openBracket()
        skipSpace()
        if consume("*") {
            try closeBracket()
            return .allIndices(capture: nil)
        }
        let name = try varName()
        try closeBracket()
        return .allIndices(capture: name)
    }

    private func arrayIndex() throws -> GuardQueryPart {
        try openBracket()
        skipSpace()
        let index = try intValue()
        try cut { try closeBracket() }
        return .index(Int(clamping: index))
    }

    private func mapKeyLookup() throws -> GuardQueryPart {
        try openBracket()
        if let key = try attempt({ try quotedString() }) {
            try closeBracket()
            return .key(key)
        }
        skipSpace()
        let name = try varName()
        skipSpace()
        try closeBracket()
        return .allValues(capture: name)
    }

    private func captureName() throws -> String? {
        try attempt {
            skipSpace()
            let name = try varName()
            skipBlanks()
            try expect("|")
            return name
        }
    }

    private func notKeyword() -> Bool {
        let start = position
        if consumeAny("not", "NOT") {
            if let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                skipBlanks()
                while let byte = peek(), GuardScanner.isSpace(byte) { position += 1 }
                return true
            }
            position = start
        }
        return consume("!")
    }

    private func mapKeysFilter() throws -> GuardQueryPart {
        try openBracket()
        let capture = try captureName()
        skipSpace()
        guard consumeAny("keys", "KEYS") else { throw fail("'keys'") }
        return try cut {
            skipSpace()
            let comparison: GuardComparison
            if consume("==") {
                comparison = GuardComparison(comparator: .equal, negated: false)
            } else if consume("!=") {
                comparison = GuardComparison(comparator: .equal, negated: true)
            } else if consumeAny("in", "IN") {
                comparison = GuardComparison(comparator: .in, negated: false)
            } else if notKeyword(), consumeAny("in", "IN") {
                comparison = GuardComparison(comparator: .in, negated: true)
            } else {
                throw fail("==, !=, in or not in after 'keys'")
            }
            skipSpace()
            let operand: GuardOperand
            if let literal = try attempt({ try value() }) {
                operand = .literal(literal)
            } else {
                operand = .query(try query())
            }
            try closeBracket()
            return .mapKeyFilter(capture: capture, comparison: comparison, operand: operand)
        }
    }

    private func filter() throws -> GuardQueryPart {
        try nested {
            try openBracket()
            let capture = try captureName()
            let conjunctions = try cnf { try clause() }
            try cut { try closeBracket() }
            return .filter(capture: capture, conjunctions: conjunctions)
        }
    }

    // MARK: - Clauses

    private func comparison() throws -> GuardComparison {
        if looksAt("<<") { throw fail("a comparison operator") }
        if consume("==") { return GuardComparison(comparator: .equal, negated: false) }
        if consume("!=") { return GuardComparison(comparator: .equal, negated: true) }
        if consume(">=") { return GuardComparison(comparator: .greaterOrEqual, negated: false) }
        if consume("<=") { return GuardComparison(comparator: .lessOrEqual, negated: false) }
        if consume(">") { return GuardComparison(comparator: .greater, negated: false) }
        if consume("<") { return GuardComparison(comparator: .less, negated: false) }
        let start = position
        let negated = notKeyword()
        let words: [(String, String, GuardComparator)] = [
            ("in", "IN", .in), ("exists", "EXISTS", .exists), ("empty", "EMPTY", .empty),
            ("is_string", "IS_STRING", .isString), ("is_list", "IS_LIST", .isList),
            ("is_struct", "IS_STRUCT", .isStruct), ("is_bool", "IS_BOOL", .isBool), ("is_int", "IS_INT", .isInt),
            ("is_null", "IS_NULL", .isNull), ("is_float", "IS_FLOAT", .isFloat),
        ]
        for (lower, upper, comparator) in words where consumeAny(lower, upper) {
            return GuardComparison(comparator: comparator, negated: negated)
        }
        position = start
        throw fail("a comparison such as ==, !=, <, in, exists, empty or is_string")
    }

    private func customMessage() throws -> String? {
        let start = position
        skipSpace()
        guard consume("<<") else {
            position = start
            return nil
        }
        let messageStart = position
        while !atEnd && !looksAt(">>") { position += 1 }
        guard consume(">>") else { throw failCut("'>>' closing the message", at: messageStart - 2) }
        return text(messageStart..<(position - 2))
    }

    /// A function call `name(arguments)`; an unknown name is an error, not another alternative.
    private func functionCall() throws -> GuardFunctionCall {
        let start = position
        let name = try varName()
        guard peek() == UInt8(ascii: "(") else { throw fail("'(' after the function name") }
        guard let function = GuardFunction(rawValue: name) else {
            throw GuardError.unknownFunction(
                location: location(at: start), name: name,
                problem: "is not a Guard function (known: "
                    + GuardFunction.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        position += 1
        var arguments: [GuardOperand] = []
        skipSpace()
        if !consume(")") {
            repeat {
                skipSpace()
                arguments.append(try operand())
                skipSpace()
            } while consume(",")
            try cut { try expect(")") }
        }
        guard arguments.count == function.arity else {
            throw GuardError.unknownFunction(
                location: location(at: start), name: name,
                problem: "takes \(function.arity) argument\(function.arity == 1 ? "" : "s"), not \(arguments.count)")
        }
        return GuardFunctionCall(function: function, arguments: arguments, location: location(at: start))
    }

    /// A literal, a function call or a query.
    private func operand() throws -> GuardOperand {
        skipSpace()
        if let literal = try attempt({ try value() }) { return .literal(literal) }
        if let call = try attempt({ try functionCall() }) { return .function(call) }
        return .query(try query())
    }

    /// `[not] query operator [value] [<< message >>]`.
    private func accessClause() throws -> GuardAccessClause {
        skipSpace()
        let start = position
        let negation = notKeyword()
        let query = try query()
        skipSpace()
        let comparison = try comparison()
        if comparison.comparator.isUnary {
            let message = try customMessage()
            return GuardAccessClause(
                query: query, comparison: comparison, operand: nil, message: message,
                location: location(at: start), negation: negation)
        }
        skipSpace()
        let operandStart = position
        let operand: GuardOperand
        do {
            operand = try cut { try self.operand() }
        } catch var failure as GuardParseFailure where failure.offset <= operandStart {
            // Nothing of an operand was there: say what belongs after the operator.
            failure.expected = "a value, a function call or a query after '\(comparison.rendered)'"
            throw failure
        }
        let message = try customMessage()
        return GuardAccessClause(
            query: query, comparison: comparison, operand: operand, message: message,
            location: location(at: start), negation: negation)
    }

    private func blockClause() throws -> GuardClause {
        skipSpace()
        let start = position
        let query = try query()
        let notEmpty: Bool = try attempt {
            skipSpace()
            guard notKeyword(), consumeAny("empty", "EMPTY") else { throw fail("'!empty'") }
            return true
        } ?? false
        let block = try block { try clause() }
        return .block(query: query, block: block, notEmpty: notEmpty, location: location(at: start))
    }

    private func ruleCall() throws -> GuardRuleCall {
        skipSpace()
        let start = position
        let negation = notKeyword()
        let name = try varName()
        try expect("(")
        var arguments: [GuardOperand] = []
        repeat {
            skipSpace()
            arguments.append(try operand())
            skipSpace()
        } while consume(",")
        try expect(")")
        let message = try customMessage()
        return GuardRuleCall(
            reference: GuardRuleReference(name: name, negation: negation, message: message, location: location(at: start)),
            arguments: arguments)
    }

    /// A clause allowed inside blocks and filters.
    func clause() throws -> GuardClause {
        if let when = try attempt({ try whenBlock(body: { try self.clause() }) }) { return when }
        if let block = try attempt({ try blockClause() }) { return block }
        if let call = try attempt({ try ruleCall() }) { return .ruleCall(call) }
        return .access(try accessClause())
    }

    /// A rule name used as a clause: `[not] name` at the end of a line, before `{`, a comment or
    /// `or`, or followed by a message.
    private func ruleReference() throws -> GuardClause {
        skipSpace()
        let start = position
        let negation = notKeyword()
        let name = try varName()
        let afterName = position
        skipBlanks()
        if atEnd || looksAt("\n") || looksAt("\r\n") || looksAt("#") || looksAt("{") || looksAt("}") {
            position = afterName
            return .rule(GuardRuleReference(name: name, negation: negation, message: nil, location: location(at: start)))
        }
        if (try attempt({ try orJoin() })) != nil {
            position = afterName
            return .rule(GuardRuleReference(name: name, negation: negation, message: nil, location: location(at: start)))
        }
        guard let message = try customMessage() else { throw failCut("a new line, 'or', '{' or '<<' after the rule name") }
        return .rule(GuardRuleReference(name: name, negation: negation, message: message, location: location(at: start)))
    }

    /// Conditions after `when`.
    private func whenCondition() throws -> GuardClause {
        if let access = try attempt({ try accessClause() }) { return .access(access) }
        if let call = try attempt({ try ruleCall() }) { return .ruleCall(call) }
        return try ruleReference()
    }

    private func orJoin() throws {
        skipSpace()
        guard consumeAny("|OR|", "or", "OR") else { throw fail("'or'") }
        try requireSpace()
    }

    private func disjunction(_ element: () throws -> GuardClause) throws -> [GuardClause] {
        skipSpace()
        var clauses = [try element()]
        while true {
            let beforeOr = position
            guard (try attempt({ try orJoin() })) != nil else { break }
            skipSpace()
            guard let next = try attempt({ try element() }) else {
                position = beforeOr
                break
            }
            clauses.append(next)
        }
        return clauses
    }

    /// One or more disjunctions, each on its own: the "and" of "or"s.
    private func cnf(_ element: () throws -> GuardClause) throws -> [[GuardClause]] {
        var conjunctions: [[GuardClause]] = []
        while let next = try attempt({ try disjunction(element) }) {
            conjunctions.append(next)
        }
        guard !conjunctions.isEmpty else { throw failCut("at least one clause") }
        return conjunctions
    }

    private func whenConditions() throws -> [[GuardClause]] {
        skipSpace()
        guard consumeAny("when", "WHEN") else { throw fail("'when'") }
        return try cut {
            try requireSpace()
            return try nested { try cnf { try whenCondition() } }
        }
    }

    private func block(_ element: () throws -> GuardClause) throws -> GuardBlock {
        try nested {
            skipSpace()
            try expect("{")
            var assignments: [GuardAssignment] = []
            var conjunctions: [[GuardClause]] = []
            while true {
                skipSpace()
                if let assignment = try attempt({ try assignment() }) {
                    assignments.append(assignment)
                } else if let next = try attempt({ try disjunction(element) }) {
                    conjunctions.append(next)
                } else {
                    break
                }
            }
            guard !assignments.isEmpty || !conjunctions.isEmpty else { throw fail("a clause inside the block") }
            try cut {
                skipSpace()
                try expect("}")
            }
            return GuardBlock(assignments: assignments, conjunctions: conjunctions)
        }
    }

    private func whenBlock(body: () throws -> GuardClause) throws -> GuardClause {
        let conditions = try whenConditions()
        let block = try block(body)
        return .when(conditions: conditions, block: block)
    }

    // MARK: - Rules and the file

    private func assignment() throws -> GuardAssignment {
        skipSpace()
        guard consume("let") else { throw fail("'let'") }
        try requireSpace()
        let name = try varName()
        try cut {
            skipSpace()
            guard consumeAny(":=", "=") else { throw fail("'=' after the variable name") }
        }
        if let literal = try attempt({ try value() }) {
            return GuardAssignment(name: name, value: .literal(literal))
        }
        skipSpace()
        if let call = try attempt({ try functionCall() }) {
            return GuardAssignment(name: name, value: .function(call))
        }
        let query = try cut { try self.query() }
        return GuardAssignment(name: name, value: .query(query))
    }

    private func typeName() throws -> String {
        let first = try varName()
        try expect("::")
        let second = try varName()
        guard consume("::") else { return "\(first)::\(second)" }
        let third = try varName()
        consume("::MODULE")
        return "\(first)::\(second)::\(third)"
    }

    private func typeBlock() throws -> GuardTypeBlock {
        skipSpace()
        let start = position
        let name = try typeName()
        try cut { try requireSpace() }
        let conditions = try attempt { try whenConditions() }
        let block: GuardBlock
        if conditions != nil {
            block = try cut { try self.block { try clause() } }
        } else if let parsed = try attempt({ try self.block { try clause() } }) {
            block = parsed
        } else {
            let single = try cut { try clause() }
            block = GuardBlock(assignments: [], conjunctions: [[single]])
        }
        return GuardTypeBlock(typeName: name, conditions: conditions, block: block, location: location(at: start))
    }

    private func ruleBodyClause() throws -> GuardClause {
        if let typeBlock = try attempt({ try typeBlock() }) { return .typeBlock(typeBlock) }
        if let when = try attempt({ try whenBlock(body: { try self.clauseOrReference() }) }) { return when }
        return try clauseOrReference()
    }

    private func clauseOrReference() throws -> GuardClause {
        if let clause = try attempt({ try clause() }) { return clause }
        return try ruleReference()
    }

    private func ruleKeyword() throws -> (name: String, location: SourceLocation) {
        skipSpace()
        let start = position
        guard consume("rule") else { throw fail("'rule'") }
        try requireSpace()
        let name = try cut { try varName() }
        return (name, location(at: start))
    }

    private func rule() throws -> GuardRule {
        let (name, location) = try ruleKeyword()
        let conditions = try attempt { try whenConditions() }
        let block = try cut { try self.block { try ruleBodyClause() } }
        return GuardRule(name: name, location: location, conditions: conditions, block: block)
    }

    private func parameterizedRule() throws -> GuardParameterizedRule {
        let (name, location) = try ruleKeyword()
        try expect("(")
        var parameters: [String] = []
        try cut {
            repeat {
                skipSpace()
                parameters.append(try varName())
                skipSpace()
            } while consume(",")
            try expect(")")
        }
        let block = try cut { try self.block { try ruleBodyClause() } }
        return GuardParameterizedRule(
            parameters: parameters, rule: GuardRule(name: name, location: location, conditions: nil, block: block))
    }

    func ruleFile() throws -> GuardRuleFile {
        var assignments: [GuardAssignment] = []
        var rules: [GuardRule] = []
        var parameterized: [String: GuardParameterizedRule] = [:]
        var defaultClauses: [[GuardClause]] = []
        var defaultLocation: SourceLocation?
        skipSpace()
        while !atEnd {
            let start = position
            if let assignment = try attempt({ try assignment() }) {
                assignments.append(assignment)
            } else if let rule = try attempt({ try parameterizedRule() }) {
                parameterized[rule.rule.name] = rule
            } else if let rule = try attempt({ try rule() }) {
                rules.append(rule)
            } else if let typeBlocks = try attempt({ try disjunction({ .typeBlock(try typeBlock()) }) }) {
                defaultLocation = defaultLocation ?? location(at: start)
                defaultClauses.append(typeBlocks)
            } else if let when = try attempt({ try whenBlock(body: { try self.clauseOrReference() }) }) {
                defaultLocation = defaultLocation ?? location(at: start)
                defaultClauses.append([when])
            } else if let clauses = try attempt({ try disjunction({ try clause() }) }) {
                defaultLocation = defaultLocation ?? location(at: start)
                defaultClauses.append(clauses)
            } else {
                throw furthest
            }
            skipSpace()
        }
        if !defaultClauses.isEmpty {
            let rule = GuardRule(
                name: "default", location: defaultLocation ?? location(at: 0), conditions: nil,
                block: GuardBlock(assignments: [], conjunctions: defaultClauses))
            rules.insert(rule, at: 0)
        }
        return GuardRuleFile(
            fileName: fileName, assignments: assignments, rules: rules, parameterizedRules: parameterized)
    }
}

import Foundation

/// An audit entry's details: a dictionary of strings, or the JSON text the store wrote them as.
///
/// Verifying a trail of millions of entries reads each entry's details once for its hash and once
/// for the table check. The store writes them as a flat JSON object of plain strings in key order,
/// and kept as that text they need no dictionary: values are found and encoded by scanning the
/// bytes. Any other text is read into a dictionary by the caller.
public struct AuditDetails: Sendable {
    private enum Storage: Sendable {
        case dictionary([String: String])
        /// Text checked by ``init(sortedFlatJSON:)``: an object of `count` plain strings whose
        /// ASCII keys strictly ascend in byte order.
        case sortedFlat(String, count: Int)
    }

    private let storage: Storage

    /// Details held as a dictionary.
    public init(_ dictionary: [String: String]) {
        storage = .dictionary(dictionary)
    }

    /// Details kept as `text` when it is a JSON object of strings without escapes or control
    /// characters whose keys are ASCII and strictly ascend in byte order, the shape the store
    /// writes; nil for any other text.
    public init?(sortedFlatJSON text: String) {
        var text = text
        let count = text.withUTF8 { bytes -> Int? in
            var scanner = FlatScanner(bytes: bytes)
            var count = 0
            var previousKey: Range<Int>?
            guard scanner.open() else { return nil }
            while let (key, _) = scanner.nextPair() {
                guard bytes[key].allSatisfy({ $0 < 0x80 }) else { return nil }
                if let previousKey, !bytes[previousKey].lexicographicallyPrecedes(bytes[key]) { return nil }
                previousKey = key
                count += 1
            }
            return scanner.isComplete ? count : nil
        }
        guard let count else { return nil }
        storage = .sortedFlat(text, count: count)
    }

    /// Details read from `text` into a dictionary when it is a JSON object of strings without
    /// escapes or control characters, in any key order and with no key twice; nil for any other
    /// text, which the caller hands to `JSONDecoder`. Details the store did not write in its own
    /// order take this path before the slower decoder.
    public init?(flatJSON text: String) {
        var text = text
        let dictionary = text.withUTF8 { bytes -> [String: String]? in
            var scanner = FlatScanner(bytes: bytes)
            var result: [String: String] = [:]
            guard scanner.open() else { return nil }
            while let (key, value) = scanner.nextPair() {
                let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[key]), as: UTF8.self)
                guard result[name] == nil else { return nil }
                result[name] = String(decoding: UnsafeBufferPointer(rebasing: bytes[value]), as: UTF8.self)
            }
            return scanner.isComplete ? result : nil
        }
        guard let dictionary else { return nil }
        storage = .dictionary(dictionary)
    }

    /// How many details there are.
    public var count: Int {
        switch storage {
        case .dictionary(let dictionary): dictionary.count
        case .sortedFlat(_, let count): count
        }
    }

    /// The value of `key`, if any.
    public subscript(key: String) -> String? {
        switch storage {
        case .dictionary(let dictionary):
            return dictionary[key]
        case .sortedFlat(var text, _):
            var key = key
            return key.withUTF8 { wanted in
                text.withUTF8 { bytes in
                    var found: String?
                    Self.forEachPair(inChecked: bytes) { name, value in
                        guard name.count == wanted.count, name.elementsEqual(wanted) else { return true }
                        found = String(decoding: value, as: UTF8.self)
                        return false
                    }
                    return found
                }
            }
        }
    }

    /// Every detail as a dictionary.
    public var dictionary: [String: String] {
        switch storage {
        case .dictionary(let dictionary):
            return dictionary
        case .sortedFlat(var text, let count):
            return text.withUTF8 { bytes in
                var result: [String: String] = [:]
                result.reserveCapacity(count)
                Self.forEachPair(inChecked: bytes) { name, value in
                    result[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
                    return true
                }
                return result
            }
        }
    }

    /// Calls `body` with each key's and value's UTF-8 bytes, in the byte order of the keys.
    func forEachInKeyOrder(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        switch storage {
        case .dictionary(let dictionary):
            for (key, value) in dictionary.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                var key = key
                var value = value
                key.withUTF8 { key in value.withUTF8 { body(key, $0) } }
            }
        case .sortedFlat(var text, _):
            text.withUTF8 { bytes in
                Self.forEachPair(inChecked: bytes) { name, value in
                    body(name, value)
                    return true
                }
            }
        }
    }

    /// Calls `body` with each key and value of text that ``init(sortedFlatJSON:)`` accepted, in
    /// order, until it returns false. In such text every quote delimits a string and the strings
    /// alternate between key and value, so the pairs lie between successive quotes.
    private static func forEachPair(
        inChecked bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool
    ) {
        guard let base = bytes.baseAddress else { return }
        var index = 0
        func string() -> UnsafeBufferPointer<UInt8>? {
            guard index < bytes.count, let open = memchr(base + index, 0x22, bytes.count - index) else { return nil }
            let start = base.distance(to: open.assumingMemoryBound(to: UInt8.self)) + 1
            guard let close = memchr(base + start, 0x22, bytes.count - start) else { return nil }
            let end = base.distance(to: close.assumingMemoryBound(to: UInt8.self))
            index = end + 1
            return UnsafeBufferPointer(start: base + start, count: end - start)
        }
        while let key = string(), let value = string() {
            guard body(key, value) else { return }
        }
    }
}

extension AuditDetails: Hashable {
    public static func == (lhs: AuditDetails, rhs: AuditDetails) -> Bool {
        lhs.dictionary == rhs.dictionary
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dictionary)
    }
}

/// Reads `{"key":"value",...}` pair by pair, where strings hold no escapes or control characters.
private struct FlatScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Whether the closing brace was read and only white space follows it.
    private(set) var isComplete = false
    private var isFirst = true

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Reads the opening brace.
    mutating func open() -> Bool {
        expect(UInt8(ascii: "{"))
    }

    /// The byte ranges of the next key and value; nil at the end of the object or at anything
    /// outside the flat shape, which leaves ``isComplete`` false.
    mutating func nextPair() -> (Range<Int>, Range<Int>)? {
        if isFirst {
            isFirst = false
            if expect(UInt8(ascii: "}")) {
                finish()
                return nil
            }
        } else if !expect(UInt8(ascii: ",")) {
            if expect(UInt8(ascii: "}")) { finish() }
            return nil
        }
        guard let key = string(), expect(UInt8(ascii: ":")), let value = string() else { return nil }
        return (key, value)
    }

    private mutating func finish() {
        skipSpaces()
        isComplete = index == bytes.count
    }

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x09 || bytes[index] == 0x0D {
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8) -> Bool {
        skipSpaces()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func string() -> Range<Int>? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") || bytes[index] < 0x20 { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        index += 1
        return start..<index - 1
    }
}

/// Reads the JSON objects of string values that the store writes for audit details, quickly.
///
/// Verifying a long audit trail decodes every entry's details, and `JSONDecoder` spends more time
/// on that than hashing does. The store writes details with `JSONEncoder`, so nearly all of them
/// are a flat object of strings without escapes; this reads exactly that shape and returns nil
/// for anything else, which the caller then hands to `JSONDecoder`.
enum FlatJSONObject {
    static func parse(_ text: String) -> [String: String]? {
        var contiguous = text
        return contiguous.withUTF8 { bytes -> [String: String]? in
            var index = 0
            var result: [String: String] = [:]
            func skipSpaces() {
                while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x09 || bytes[index] == 0x0D {
                    index += 1
                }
            }
            func expect(_ byte: UInt8) -> Bool {
                skipSpaces()
                guard index < bytes.count, bytes[index] == byte else { return false }
                index += 1
                return true
            }
            func string() -> String? {
                guard expect(UInt8(ascii: "\"")) else { return nil }
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") || bytes[index] < 0x20 { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return value
            }
            guard expect(UInt8(ascii: "{")) else { return nil }
            if expect(UInt8(ascii: "}")) {
                skipSpaces()
                return index == bytes.count ? result : nil
            }
            repeat {
                guard let key = string(), expect(UInt8(ascii: ":")), let value = string(), result[key] == nil else {
                    return nil
                }
                result[key] = value
            } while expect(UInt8(ascii: ","))
            guard expect(UInt8(ascii: "}")) else { return nil }
            skipSpaces()
            return index == bytes.count ? result : nil
        }
    }
}

extension Sequence<UInt8> {
    /// The bytes as lower-case hex, two digits each: how token hashes, webhook signatures and
    /// random ids are written. Built from a table, since `String(format:)` per byte costs a
    /// request more than the hashing does.
    public var lowercaseHex: String {
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(lowercaseHexDigits[Int(byte >> 4)])
            text.append(lowercaseHexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// The sixteen digits, as UTF-8.
let lowercaseHexDigits = Array("0123456789abcdef".utf8)

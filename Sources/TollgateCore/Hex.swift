extension Sequence<UInt8> {
    /// The bytes as lower-case hex, two digits each: how token hashes, webhook signatures and
    /// random ids are written. Built from a table, since `String(format:)` per byte costs a
    /// request more than the hashing does.
    public var lowercaseHex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

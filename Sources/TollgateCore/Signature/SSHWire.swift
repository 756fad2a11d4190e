/// Reads the SSH wire encoding (RFC 4251 section 5): the layout of key blobs, private key
/// files and SSHSIG signatures, so that every parser here shares one bounds-checked reader.
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: [UInt8] { Array(bytes[offset...]) }

    /// Reads `count` raw bytes; `what` names the field for the error message.
    mutating func readBytes(_ count: Int, _ what: String) throws(SSHWireError) -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else {
            throw SSHWireError(field: what)
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readUInt32(_ what: String) throws(SSHWireError) -> UInt32 {
        let raw = try readBytes(4, what)
        return raw.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    /// A length-prefixed byte string.
    mutating func readString(_ what: String) throws(SSHWireError) -> [UInt8] {
        let length = try readUInt32(what)
        return try readBytes(Int(length), what)
    }

    /// A length-prefixed string that must be UTF-8 text.
    mutating func readText(_ what: String) throws(SSHWireError) -> String {
        let raw = try readString(what)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw SSHWireError(field: what)
        }
        return text
    }

    /// A non-negative multiple-precision integer, returned as exactly `width` big-endian bytes,
    /// which is the fixed-width form swift-crypto expects for P-256 scalars.
    mutating func readPositiveMPInt(width: Int, _ what: String) throws(SSHWireError) -> [UInt8] {
        var raw = try readString(what)
        if let first = raw.first, first & 0x80 != 0 {
            throw SSHWireError(field: what)
        }
        while raw.first == 0 {
            raw.removeFirst()
        }
        guard raw.count <= width else {
            throw SSHWireError(field: what)
        }
        return [UInt8](repeating: 0, count: width - raw.count) + raw
    }
}

/// The wire data ended early or held a value that cannot be what the field says it is.
struct SSHWireError: Error {
    let field: String
}

/// Writes the SSH wire encoding, the counterpart of ``SSHWireReader``.
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeRaw(_ raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    mutating func writeUInt32(_ value: UInt32) {
        bytes.append(contentsOf: [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
    }

    mutating func writeString(_ raw: [UInt8]) {
        writeUInt32(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }

    mutating func writeString(_ text: String) {
        writeString(Array(text.utf8))
    }

    /// Writes an unsigned big-endian integer as an mpint: no leading zero bytes, except one
    /// when the top bit is set, so that it does not read as negative.
    mutating func writePositiveMPInt(_ magnitude: [UInt8]) {
        var trimmed = ArraySlice(magnitude)
        while trimmed.first == 0 {
            trimmed = trimmed.dropFirst()
        }
        if let first = trimmed.first, first & 0x80 != 0 {
            writeString([0] + Array(trimmed))
        } else {
            writeString(Array(trimmed))
        }
    }
}

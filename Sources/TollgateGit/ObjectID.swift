internal import CLibGit2

/// The SHA-1 name of a git object: a commit, tree or blob.
///
/// Kept as three integers rather than a byte array so that comparing and hashing the ids of a
/// large tree costs no allocation.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    private let high: UInt64
    private let middle: UInt64
    private let low: UInt32

    init(_ oid: git_oid) {
        var high: UInt64 = 0
        var middle: UInt64 = 0
        var low: UInt32 = 0
        withUnsafeBytes(of: oid.id) { raw in
            for index in 0..<8 { high = high << 8 | UInt64(raw[index]) }
            for index in 8..<16 { middle = middle << 8 | UInt64(raw[index]) }
            for index in 16..<20 { low = low << 8 | UInt32(raw[index]) }
        }
        self.high = high
        self.middle = middle
        self.low = low
    }

    /// The id whose 20 bytes are `raw`, as a tree object stores them.
    init(rawBytes raw: UnsafeRawBufferPointer) {
        high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        middle = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        low = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    }

    init(_ pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    /// Parses 40 hexadecimal digits; `nil` for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 40 else { return nil }
        var values = [UInt8]()
        values.reserveCapacity(20)
        var index = 0
        while index < 40 {
            guard let upper = Self.nibble(digits[index]), let lower = Self.nibble(digits[index + 1]) else { return nil }
            values.append(upper << 4 | lower)
            index += 2
        }
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { raw in
            for (offset, byte) in values.enumerated() { raw[offset] = byte }
        }
        self.init(oid)
    }

    /// The libgit2 form of this id.
    var oid: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { raw in
            for index in 0..<8 { raw[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(index))) }
            for index in 0..<8 { raw[8 + index] = UInt8(truncatingIfNeeded: middle >> (56 - 8 * UInt64(index))) }
            for index in 0..<4 { raw[16 + index] = UInt8(truncatingIfNeeded: low >> (24 - 8 * UInt32(index))) }
        }
        return oid
    }

    /// The 40 lower-case hexadecimal digits.
    public var hex: String {
        let table = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(40)
        func append<T: FixedWidthInteger>(_ value: T, digits: Int) {
            for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                bytes.append(table[Int(truncatingIfNeeded: value >> shift) & 0xF])
            }
        }
        append(high, digits: 16)
        append(middle, digits: 16)
        append(low, digits: 8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The first seven digits, as git abbreviates ids in messages.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

import Testing
@testable import TollgateCore

/// The mpint encoding of ECDSA's r and s: a value with its top bit set needs a leading zero
/// byte and a small value loses its leading zeros, cases a random signature hits only rarely.
@Suite("SSH wire encoding")
struct SignatureWireTests {
    @Test("Positive mpints round-trip at a fixed width", arguments: [
        ([UInt8](repeating: 0, count: 31) + [1], [0, 0, 0, 1, 1] as [UInt8]),
        ([0x80] + [UInt8](repeating: 0, count: 31), [0, 0, 0, 33, 0, 0x80] + [UInt8](repeating: 0, count: 31)),
        ([0, 0x7f] + [UInt8](repeating: 0xff, count: 30), [0, 0, 0, 31, 0x7f] + [UInt8](repeating: 0xff, count: 30)),
        ([UInt8](repeating: 0, count: 32), [0, 0, 0, 0]),
    ])
    func mpint(value: [UInt8], encoded: [UInt8]) throws {
        var writer = SSHWireWriter()
        writer.writePositiveMPInt(value)
        #expect(writer.bytes == encoded)
        var reader = SSHWireReader(writer.bytes)
        #expect(try reader.readPositiveMPInt(width: 32, "value") == value)
        #expect(reader.isAtEnd)
    }

    @Test("Negative or oversized mpints are refused")
    func badMPInt() {
        var negative = SSHWireReader([0, 0, 0, 1, 0x80])
        #expect(throws: SSHWireError.self) { try negative.readPositiveMPInt(width: 32, "r") }
        var oversized = SSHWireReader([0, 0, 0, 33, 1] + [UInt8](repeating: 0, count: 32))
        #expect(throws: SSHWireError.self) { try oversized.readPositiveMPInt(width: 32, "r") }
    }

    @Test("A length beyond the data is refused, not trusted")
    func truncated() {
        var reader = SSHWireReader([0xff, 0xff, 0xff, 0xff, 1, 2])
        #expect(throws: SSHWireError.self) { try reader.readString("blob") }
    }
}

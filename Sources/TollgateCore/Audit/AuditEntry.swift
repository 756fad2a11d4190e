public import Foundation
import Crypto

/// One link of the hash-chained audit trail: who did what, when, to which stack and change set.
///
/// Each entry's ``hash`` is a SHA-256 over its ``canonicalEncoding`` (which includes
/// ``previousHash``), so that changing, removing, inserting or reordering any entry breaks the chain
/// at that point. Times are kept in whole milliseconds so that the hash survives a round trip
/// through any database.
public struct AuditEntry: Sendable, Hashable {
    /// The ``previousHash`` of the first entry: there is nothing before it.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The entry's position in the trail, starting at 1 with no gaps.
    public let sequence: Int64
    /// When the entry was written, in milliseconds since 1970-01-01 UTC.
    public let epochMilliseconds: Int64
    /// Who caused it: a reviewer id, an operator's name or `tollgate` for automatic steps.
    public let actor: String
    /// What happened.
    public let action: AuditAction
    /// The stack concerned, if any.
    public let stack: String?
    /// The change set concerned, if any.
    public let changeSetID: String?
    /// The commit concerned, if any.
    public let commit: String?
    /// The change set digest concerned, if any.
    public let digest: String?
    /// Further facts, such as the old and new status of a transition, as read or written.
    public let detailValues: AuditDetails
    /// Further facts, such as the old and new status of a transition.
    public var details: [String: String] { detailValues.dictionary }
    /// The ``hash`` of the entry before this one, or ``genesisHash`` for the first.
    public let previousHash: String
    /// The SHA-256 of ``canonicalEncoding`` in lower-case hex.
    public let hash: String

    /// Creates an entry exactly as stored, for example when reading the trail back; nothing is checked.
    public init(
        sequence: Int64, epochMilliseconds: Int64, actor: String, action: AuditAction,
        stack: String?, changeSetID: String?, commit: String?, digest: String?,
        details: [String: String], previousHash: String, hash: String
    ) {
        self.init(
            sequence: sequence, epochMilliseconds: epochMilliseconds, actor: actor, action: action, stack: stack,
            changeSetID: changeSetID, commit: commit, digest: digest, detailValues: AuditDetails(details),
            previousHash: previousHash, hash: hash)
    }

    /// Creates an entry exactly as stored, with its details as read; nothing is checked.
    public init(
        sequence: Int64, epochMilliseconds: Int64, actor: String, action: AuditAction,
        stack: String?, changeSetID: String?, commit: String?, digest: String?,
        detailValues: AuditDetails, previousHash: String, hash: String
    ) {
        self.sequence = sequence
        self.epochMilliseconds = epochMilliseconds
        self.actor = actor
        self.action = action
        self.stack = stack
        self.changeSetID = changeSetID
        self.commit = commit
        self.digest = digest
        self.detailValues = detailValues
        self.previousHash = previousHash
        self.hash = hash
    }

    /// Creates the entry that follows `previousHash` at `sequence` for `event`, computing its hash.
    public init(sequence: Int64, time: Date, event: AuditEvent, previousHash: String) {
        self.init(
            sequence: sequence, epochMilliseconds: Self.milliseconds(of: time), actor: event.actor,
            action: event.action, stack: event.stack, changeSetID: event.changeSetID, commit: event.commit,
            digest: event.digest, detailValues: AuditDetails(event.details), previousHash: previousHash, hash: "")
        self = self.withHash(computedHash)
    }

    /// When the entry was written.
    public var time: Date {
        Date(timeIntervalSince1970: Double(epochMilliseconds) / 1000)
    }

    /// The bytes that ``hash`` covers.
    ///
    /// Every field is written as `name:` followed by its UTF-8 length, `:` and its bytes, or `name:-`
    /// when absent, one per line, so that no two different entries share an encoding. Details are
    /// written in the byte order of their keys. `docs/operations.md` gives the exact layout so that
    /// an auditor can recompute the chain with other tools.
    public var canonicalEncoding: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        appendCanonicalEncoding(to: &bytes)
        return bytes
    }

    /// Appends ``canonicalEncoding`` to `bytes`, working on UTF-8 bytes only: verifying a trail
    /// encodes every entry, and building strings on the way cost more than the hashing.
    func appendCanonicalEncoding(to bytes: inout [UInt8]) {
        Self.append("tollgate-audit-v1\n", to: &bytes)
        Self.append(field: "sequence", number: sequence, to: &bytes)
        Self.append(field: "time", number: epochMilliseconds, to: &bytes)
        Self.append(field: "actor", actor, to: &bytes)
        Self.append(field: "action", action.rawValue, to: &bytes)
        Self.append(field: "stack", stack, to: &bytes)
        Self.append(field: "change_set", changeSetID, to: &bytes)
        Self.append(field: "commit", commit, to: &bytes)
        Self.append(field: "digest", digest, to: &bytes)
        Self.append(field: "details", number: Int64(detailValues.count), to: &bytes)
        detailValues.forEachInKeyOrder { key, value in
            Self.append(field: "key", bytes: key, to: &bytes)
            Self.append(field: "value", bytes: value, to: &bytes)
        }
        Self.append(field: "previous", previousHash, to: &bytes)
    }

    /// `name:LENGTH:VALUE\n`, or `name:-\n` when there is no value.
    private static func append(field name: StaticString, _ value: String?, to bytes: inout [UInt8]) {
        append(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if var value {
            value.withUTF8 { value in
                appendDecimal(UInt64(value.count), to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                bytes.append(contentsOf: value)
            }
        } else {
            bytes.append(UInt8(ascii: "-"))
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// `name:LENGTH:VALUE\n` for a value given as its UTF-8 bytes.
    private static func append(field name: StaticString, bytes value: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        append(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDecimal(UInt64(value.count), to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: value)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// A number field, as the field of its decimal text.
    private static func append(field name: StaticString, number: Int64, to bytes: inout [UInt8]) {
        append(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            // Digits are written backwards from the end of a 24-byte buffer, which holds any Int64.
            var start = buffer.count
            var rest = number.magnitude
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if number < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            appendDecimal(UInt64(buffer.count - start), to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    private static func append(_ name: StaticString, to bytes: inout [UInt8]) {
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A length, which has one to three digits in practice.
    private static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        appendDecimal(value / 10, to: &bytes)
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// The hash this entry's content calls for, which equals ``hash`` unless the entry was altered.
    public var computedHash: String {
        SHA256.hash(data: canonicalEncoding).lowercaseHex
    }

    /// Whether ``hash`` is ``computedHash``, found without making either string: this is the test
    /// a verifier runs on every entry of a trail.
    public var hashMatchesContent: Bool {
        var scratch: [UInt8] = []
        return hashMatchesContent(scratch: &scratch)
    }

    /// ``hashMatchesContent``, encoding into `scratch` so that a verifier reuses one buffer.
    func hashMatchesContent(scratch: inout [UInt8]) -> Bool {
        scratch.removeAll(keepingCapacity: true)
        appendCanonicalEncoding(to: &scratch)
        let digest = SHA256.hash(data: scratch)
        var stored = hash
        return stored.withUTF8 { stored in
            guard stored.count == 64 else { return false }
            return digest.withUnsafeBytes { digest in
                for (offset, byte) in digest.enumerated()
                where stored[2 * offset] != Self.hexDigit(byte >> 4) || stored[2 * offset + 1] != Self.hexDigit(byte & 0x0f) {
                    return false
                }
                return true
            }
        }
    }

    /// The lower-case hex digit of `value` (0 to 15).
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// Converts `date` to the whole milliseconds the trail keeps, rounding towards the past.
    public static func milliseconds(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    private func withHash(_ hash: String) -> AuditEntry {
        AuditEntry(
            sequence: sequence, epochMilliseconds: epochMilliseconds, actor: actor, action: action,
            stack: stack, changeSetID: changeSetID, commit: commit, digest: digest, detailValues: detailValues,
            previousHash: previousHash, hash: hash)
    }
}

/// What a caller asks to be recorded; the store adds the sequence, the time and the hashes.
public struct AuditEvent: Sendable, Hashable {
    /// Who caused it.
    public var actor: String
    /// What happened.
    public var action: AuditAction
    /// The stack concerned, if any.
    public var stack: String?
    /// The change set concerned, if any.
    public var changeSetID: String?
    /// The commit concerned, if any.
    public var commit: String?
    /// The change set digest concerned, if any.
    public var digest: String?
    /// Further facts.
    public var details: [String: String]

    /// Creates an event; only the actor and the action are required.
    public init(
        actor: String, action: AuditAction, stack: String? = nil, changeSetID: String? = nil,
        commit: String? = nil, digest: String? = nil, details: [String: String] = [:]
    ) {
        self.actor = actor
        self.action = action
        self.stack = stack
        self.changeSetID = changeSetID
        self.commit = commit
        self.digest = digest
        self.details = details
    }
}

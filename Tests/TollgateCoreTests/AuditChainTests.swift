import Foundation
import Testing
import TollgateCore

@Suite("Audit chain")
struct AuditChainTests {
    /// A chain of `count` entries at fixed times, as a store would write it.
    static func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for index in 1...count {
            let event = AuditEvent(
                actor: index.isMultiple(of: 2) ? "alice" : "tollgate", action: .changeSetCreated,
                stack: "network", changeSetID: "cs-0000000\(index % 10)", commit: "abc\(index)",
                digest: "d\(index)", details: ["n": String(index), "é": "ü"])
            entries.append(AuditEntry(
                sequence: Int64(index), time: Date(timeIntervalSince1970: 1_700_000_000 + Double(index)),
                event: event, previousHash: entries.last?.hash ?? AuditEntry.genesisHash))
        }
        return entries
    }

    static func edited(_ entry: AuditEntry, actor: String? = nil, sequence: Int64? = nil, previousHash: String? = nil) -> AuditEntry {
        AuditEntry(
            sequence: sequence ?? entry.sequence, epochMilliseconds: entry.epochMilliseconds,
            actor: actor ?? entry.actor, action: entry.action, stack: entry.stack, changeSetID: entry.changeSetID,
            commit: entry.commit, digest: entry.digest, details: entry.details,
            previousHash: previousHash ?? entry.previousHash, hash: entry.hash)
    }

    @Test("an untouched chain verifies and reports its head")
    func intact() throws {
        let entries = Self.chain(20)
        #expect(AuditChain.verify(entries) == .intact(count: 20, head: try #require(entries.last).hash))
        #expect(AuditChain.verify([]) == .intact(count: 0, head: AuditEntry.genesisHash))
    }

    @Test("the hash is a SHA-256 in hex over the canonical encoding, which covers every field")
    func hashing() throws {
        let entry = try #require(Self.chain(1).first)
        #expect(entry.hash.count == 64)
        #expect(entry.hash == entry.computedHash)
        let text = String(decoding: entry.canonicalEncoding, as: UTF8.self)
        #expect(text.hasPrefix("tollgate-audit-v1\nsequence:1:1\ntime:13:1700000001000\nactor:8:tollgate\n"))
        #expect(text.contains("key:2:é\nvalue:2:ü\n"))
        #expect(text.hasSuffix("previous:64:\(AuditEntry.genesisHash)\n"))
        #expect(Self.edited(entry, actor: "tollgatf").computedHash != entry.hash)
    }

    @Test("the encoding is byte for byte the published layout: numbers, absent fields, details in byte order")
    func exactEncoding() {
        let entry = AuditEntry(
            sequence: 1_000_000, epochMilliseconds: -1_500, actor: "ålice", action: .approvalRecorded,
            stack: nil, changeSetID: "", commit: nil, digest: "d", details: ["é": "1", "Z": "ü", "ab": "", "a": "x"],
            previousHash: AuditEntry.genesisHash, hash: "")
        let expected = "tollgate-audit-v1\nsequence:7:1000000\ntime:5:-1500\nactor:6:ålice\naction:17:approval.recorded\n"
            + "stack:-\nchange_set:0:\ncommit:-\ndigest:1:d\ndetails:1:4\n"
            + "key:1:Z\nvalue:2:ü\nkey:1:a\nvalue:1:x\nkey:2:ab\nvalue:0:\nkey:2:é\nvalue:1:1\n"
            + "previous:64:\(AuditEntry.genesisHash)\n"
        #expect(String(decoding: entry.canonicalEncoding, as: UTF8.self) == expected)
    }

    @Test("the hash check accepts exactly the lower-case hex of the content's hash")
    func hashCheck() throws {
        let entry = try #require(Self.chain(1).first)
        #expect(entry.hashMatchesContent)
        func withHash(_ hash: String) -> AuditEntry {
            AuditEntry(sequence: entry.sequence, epochMilliseconds: entry.epochMilliseconds, actor: entry.actor, action: entry.action,
                       stack: entry.stack, changeSetID: entry.changeSetID, commit: entry.commit, digest: entry.digest,
                       details: entry.details, previousHash: entry.previousHash, hash: hash)
        }
        #expect(!withHash(entry.hash.uppercased()).hashMatchesContent)
        #expect(!withHash(String(entry.hash.dropLast())).hashMatchesContent)
        #expect(!withHash(entry.hash + "0").hashMatchesContent)
        #expect(!withHash(String(entry.hash.dropLast()) + (entry.hash.hasSuffix("0") ? "1" : "0")).hashMatchesContent)
        #expect(!withHash("").hashMatchesContent)
        #expect(!Self.edited(entry, actor: "tollgatf").hashMatchesContent)
    }

    @Test("absent and empty fields encode differently")
    func absentVersusEmpty() {
        let time = Date(timeIntervalSince1970: 0)
        let absent = AuditEntry(sequence: 1, time: time, event: AuditEvent(actor: "a", action: .scanAdvanced), previousHash: AuditEntry.genesisHash)
        let empty = AuditEntry(sequence: 1, time: time, event: AuditEvent(actor: "a", action: .scanAdvanced, stack: ""), previousHash: AuditEntry.genesisHash)
        #expect(absent.hash != empty.hash)
    }

    @Test("an edited entry is named")
    func edit() {
        var entries = Self.chain(10)
        entries[4] = Self.edited(entries[4], actor: "mallory")
        #expect(AuditChain.verify(entries) == .tampered(AuditDefect(sequence: 5, kind: .contentMismatch), verifiedCount: 4))
    }

    @Test("a deleted entry is named")
    func deletion() {
        var entries = Self.chain(10)
        entries.remove(at: 6)
        #expect(AuditChain.verify(entries) == .tampered(AuditDefect(sequence: 7, kind: .missing(next: 8)), verifiedCount: 6))
    }

    @Test("a deleted entry whose followers were renumbered breaks the link")
    func deletionWithRenumbering() {
        var entries = Self.chain(10)
        entries.remove(at: 6)
        for index in 6..<entries.count {
            entries[index] = Self.edited(entries[index], sequence: Int64(index + 1))
        }
        #expect(AuditChain.verify(entries) == .tampered(AuditDefect(sequence: 7, kind: .brokenLink), verifiedCount: 6))
    }

    @Test("two swapped entries are named at the first")
    func swap() {
        var entries = Self.chain(10)
        let third = Self.edited(entries[3], sequence: 3)
        entries[3] = Self.edited(entries[2], sequence: 4)
        entries[2] = third
        #expect(AuditChain.verify(entries) == .tampered(AuditDefect(sequence: 3, kind: .brokenLink), verifiedCount: 2))
    }

    @Test("an entry that comes back where a later one belongs is named")
    func outOfOrder() {
        var entries = Self.chain(10)
        entries.insert(entries[2], at: 4)
        #expect(AuditChain.verify(entries) == .tampered(AuditDefect(sequence: 5, kind: .outOfOrder(found: 3)), verifiedCount: 4))
    }

    @Test("an inserted entry with a correct hash still breaks the link of the next one")
    func insertion() {
        var entries = Self.chain(10)
        let forged = AuditEntry(
            sequence: 5, time: Date(timeIntervalSince1970: 1_700_000_004.5),
            event: AuditEvent(actor: "mallory", action: .approvalRecorded), previousHash: entries[3].hash)
        for index in 4..<entries.count {
            entries[index] = Self.edited(entries[index], sequence: Int64(index + 2))
        }
        entries.insert(forged, at: 4)
        #expect(AuditChain.verify(entries) == .tampered(AuditDefect(sequence: 6, kind: .brokenLink), verifiedCount: 5))
    }

    @Test("a cut tail passes without a head and fails with the head exported before")
    func truncation() throws {
        let entries = Self.chain(10)
        let head = try #require(entries.last).hash
        let cut = Array(entries.prefix(7))
        #expect(AuditChain.verify(cut) == .intact(count: 7, head: cut[6].hash))
        #expect(AuditChain.verify(cut, expectedHead: head) == .tampered(AuditDefect(sequence: 8, kind: .headNotFound(head)), verifiedCount: 7))
    }

    @Test("a chain that grew after the head was exported still verifies against it")
    func growthAfterHead() {
        let entries = Self.chain(10)
        #expect(AuditChain.verify(entries, expectedHead: entries[6].hash.uppercased()) == .intact(count: 10, head: entries[9].hash))
    }

    @Test("a wholesale rewrite is caught only by the head")
    func rewrite() {
        let original = Self.chain(5)
        var rewritten: [AuditEntry] = []
        for entry in original {
            let event = AuditEvent(actor: "mallory", action: entry.action, stack: entry.stack)
            rewritten.append(AuditEntry(
                sequence: entry.sequence, time: entry.time, event: event,
                previousHash: rewritten.last?.hash ?? AuditEntry.genesisHash))
        }
        #expect(AuditChain.verify(rewritten) == .intact(count: 5, head: rewritten[4].hash))
        #expect(AuditChain.verify(rewritten, expectedHead: original[4].hash)
            == .tampered(AuditDefect(sequence: 6, kind: .headNotFound(original[4].hash)), verifiedCount: 5))
    }

    @Test("defect messages name the sequence number", arguments: [
        AuditDefect(sequence: 12, kind: .contentMismatch), AuditDefect(sequence: 12, kind: .brokenLink),
        AuditDefect(sequence: 12, kind: .missing(next: 14)), AuditDefect(sequence: 12, kind: .outOfOrder(found: 13)),
        AuditDefect(sequence: 12, kind: .headNotFound("ab")),
    ])
    func messages(defect: AuditDefect) {
        #expect(defect.description.contains("12"))
    }

    /// Chains tampered with in every way the tests above name, each with the head to check it
    /// against: the verdicts of checking them in two parts must be those of one check in order.
    static let tampered: [(label: String, entries: [AuditEntry], head: String?)] = {
        let original = chain(10)
        var cases: [(String, [AuditEntry], String?)] = [("intact", original, nil), ("intact, with its head", original, original[9].hash)]
        for index in [0, 4, 9] {
            var entries = original
            entries[index] = edited(entries[index], actor: "mallory")
            cases.append(("entry \(index + 1) edited", entries, nil))
            entries = original
            entries[index] = edited(entries[index], previousHash: original[(index + 5) % 10].hash)
            cases.append(("entry \(index + 1) linked elsewhere", entries, nil))
        }
        var deleted = original
        deleted.remove(at: 6)
        cases.append(("entry 7 deleted", deleted, nil))
        var renumbered = deleted
        for index in 6..<renumbered.count { renumbered[index] = edited(renumbered[index], sequence: Int64(index + 1)) }
        cases.append(("entry 7 deleted, the rest renumbered", renumbered, nil))
        var repeated = original
        repeated.insert(original[2], at: 4)
        cases.append(("entry 3 again after entry 4", repeated, nil))
        cases.append(("tail cut", Array(original.prefix(7)), original[9].hash))
        cases.append(("head of a longer chain", original, original[6].hash))
        cases.append(("head of another chain", original, String(repeating: "a", count: 64)))
        cases.append(("empty, with a head", [], original[0].hash))
        return cases
    }()

    @Test("a chain checked in two parts at once gives the verdict of one check in order, wherever it is cut")
    func twoParts() {
        for (label, entries, head) in Self.tampered {
            let expected = AuditChain.verify(entries, expectedHead: head)
            for middle in 0...entries.count {
                var earlier = AuditChainVerifier(expectedHead: head)
                for entry in entries[..<middle] { earlier.check(entry) }
                var later = entries.dropFirst(middle).first.map { AuditChainVerifier(expectedHead: head, startingAt: $0) }
                    ?? AuditChainVerifier(expectedHead: head)
                for entry in entries[middle...] { later.check(entry) }
                #expect(later.finish(after: earlier) == expected, "\(label), cut after \(middle) entries")
            }
        }
    }

    @Test("times keep whole milliseconds, rounded towards the past")
    func milliseconds() {
        #expect(AuditEntry.milliseconds(of: Date(timeIntervalSince1970: 1.2349)) == 1234)
        #expect(AuditEntry.milliseconds(of: Date(timeIntervalSince1970: -0.0005)) == -1)
    }
}

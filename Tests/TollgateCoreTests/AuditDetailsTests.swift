import Foundation
import Testing
import TollgateCore

/// Details kept as the store's JSON text must hash, read and compare exactly as a dictionary does.
@Suite("Audit details kept as text")
struct AuditDetailsTests {
    @Test("the store's shape is kept as text and reads like JSONDecoder", arguments: [
        "{}", " { } ", #"{"from":"PENDING","to":"APPROVED"}"#, #"{ "a" : "1" , "b":"" }"#, #"{"a":"ü 日本","b":"x"}"#,
        #"{"":"a","a":"kind","kind":"x"}"#,
    ])
    func keptAsText(text: String) throws {
        let details = try #require(AuditDetails(sortedFlatJSON: text))
        let expected = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(details.dictionary == expected)
        #expect(details.count == expected.count)
        for (key, value) in expected { #expect(details[key] == value) }
        #expect(details["missing"] == nil)
        #expect(details == AuditDetails(expected))
    }

    @Test("any other text is left to the dictionary path", arguments: [
        #"{"b":"1","a":"2"}"#, #"{"a":"1","a":"2"}"#, #"{"é":"1"}"#, #"{"a":"b\"c"}"#, #"{"a":1}"#, #"{"a":"1",}"#,
        #"{"a":"1"} x"#, #"["a"]"#, "", #"{"a":"1""#, "{\"a\":\"line\nbreak\"}",
    ])
    func refused(text: String) {
        #expect(AuditDetails(sortedFlatJSON: text) == nil)
    }

    @Test("an entry hashes the same with its details as text or as a dictionary", arguments: [
        #"{}"#, #"{"execution":"ex-1"}"#, #"{"base_state_version":"12","body_sha256":"ab","commits":"c1 c2","kind":"stack"}"#,
        #"{ "a" : "ü" ,"b":"日本" }"#,
    ])
    func sameHash(text: String) throws {
        let dictionary = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        let event = AuditEvent(actor: "alice", action: .changeSetCreated, stack: "network", details: dictionary)
        let written = AuditEntry(sequence: 1, time: Date(timeIntervalSince1970: 1_800_000_000), event: event, previousHash: AuditEntry.genesisHash)
        let read = AuditEntry(
            sequence: written.sequence, epochMilliseconds: written.epochMilliseconds, actor: written.actor, action: written.action,
            stack: written.stack, changeSetID: written.changeSetID, commit: written.commit, digest: written.digest,
            detailValues: try #require(AuditDetails(sortedFlatJSON: text)), previousHash: written.previousHash, hash: written.hash)
        #expect(read.canonicalEncoding == written.canonicalEncoding)
        #expect(read.hashMatchesContent)
        #expect(AuditChain.verify([read]) == .intact(count: 1, head: written.hash))
        #expect(read == written)
    }

    @Test("a changed value in the text breaks the entry's hash")
    func changedValue() throws {
        let event = AuditEvent(actor: "alice", action: .executionFinished, details: ["execution": "ex-1", "result": "SUCCEEDED"])
        let written = AuditEntry(sequence: 1, time: Date(timeIntervalSince1970: 1_800_000_000), event: event, previousHash: AuditEntry.genesisHash)
        let edited = AuditEntry(
            sequence: 1, epochMilliseconds: written.epochMilliseconds, actor: written.actor, action: written.action,
            stack: nil, changeSetID: nil, commit: nil, digest: nil,
            detailValues: try #require(AuditDetails(sortedFlatJSON: #"{"execution":"ex-1","result":"FAILED"}"#)),
            previousHash: written.previousHash, hash: written.hash)
        #expect(!edited.hashMatchesContent)
        #expect(AuditChain.verify([edited]) == .tampered(AuditDefect(sequence: 1, kind: .contentMismatch), verifiedCount: 0))
    }
}

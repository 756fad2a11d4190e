import Foundation
import Testing
import TollgateCore

/// Details in any key order take a fast path before `JSONDecoder`, which must read them alike.
@Suite("Audit details fast path")
struct FlatAuditDetailsTests {
    @Test("flat objects of plain strings are read like JSONDecoder reads them", arguments: [
        "{}", " { } ", #"{"from":"PENDING","to":"APPROVED"}"#, #"{ "a" : "b" , "c":"" }"#, #"{"é":"ü 日本"}"#,
    ])
    func fastPath(text: String) throws {
        let expected = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(AuditDetails(flatJSON: text)?.dictionary == expected)
    }

    @Test("anything else is left to JSONDecoder", arguments: [
        #"{"a":"b\"c"}"#, #"{"a":1}"#, #"{"a":"b""#, #"{"a":"b"} x"#, #"["a"]"#, "", #"{"a":"b","a":"c"}"#,
        #"{"a":"b",}"#, "{\"a\":\"line\nbreak\"}",
    ])
    func fallback(text: String) {
        #expect(AuditDetails(flatJSON: text) == nil)
    }
}

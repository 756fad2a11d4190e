import Foundation
import Testing
@testable import TollgateStore

@Suite("Audit details fast path")
struct FlatJSONObjectTests {
    @Test("flat objects of plain strings are read like JSONDecoder reads them", arguments: [
        "{}", " { } ", #"{"from":"PENDING","to":"APPROVED"}"#, #"{ "a" : "b" , "c":"" }"#, #"{"é":"ü 日本"}"#,
    ])
    func fastPath(text: String) throws {
        let expected = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(FlatJSONObject.parse(text) == expected)
    }

    @Test("anything else is left to JSONDecoder", arguments: [
        #"{"a":"b\"c"}"#, #"{"a":1}"#, #"{"a":"b""#, #"{"a":"b"} x"#, #"["a"]"#, "", #"{"a":"b","a":"c"}"#,
        #"{"a":"b",}"#, "{\"a\":\"line\nbreak\"}",
    ])
    func fallback(text: String) {
        #expect(FlatJSONObject.parse(text) == nil)
    }
}

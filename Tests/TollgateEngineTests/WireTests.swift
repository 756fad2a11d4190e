import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore

@Suite("Wire: request bodies and the words of kinds and statuses")
struct WireTests {
    @Test("a verdict request reads approve and reject; any other word is an error naming the field verdict")
    func verdictRequest() throws {
        let approve = try JSONDecoder().decode(VerdictRequest.self, from: Data(#"{"verdict":"approve","signature":"s","reason":"ok"}"#.utf8))
        #expect(approve.verdict == .approve)
        #expect(approve.reason == "ok")
        #expect(try JSONDecoder().decode(VerdictRequest.self, from: Data(#"{"verdict":"reject","signature":"s"}"#.utf8)).verdict == .reject)
        for word in ["maybe", "Approve", "approved", " approve", ""] {
            let body = Data(#"{"verdict":"\#(word)","signature":"s"}"#.utf8)
            let error = try #require(throws: WireValueError.self) { try JSONDecoder().decode(VerdictRequest.self, from: body) }
            #expect(error.field == "verdict")
            #expect(error.description == "The field verdict is '\(word)'; write approve or reject.")
        }
    }

    @Test("a verdict request missing its signature reports the signature, even with a bad verdict")
    func missingSignatureFirst() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(VerdictRequest.self, from: Data(#"{"verdict":"maybe"}"#.utf8))
        }
    }

    @Test("show's status is the stored status's word, or the review's, UNAPPROVABLE included")
    func standingWords() {
        for status in ChangeSetStatus.allCases {
            #expect(ChangeSetStanding(status).rawValue == status.rawValue)
        }
        for status in [ReviewStatus.pending, .approved, .rejected, .unapprovable] {
            #expect(ChangeSetStanding(status).rawValue == status.rawValue)
        }
    }

    @Test("the apply started answer and the error body are written in the wire encoding, word for word")
    func answersAsWritten() throws {
        let started = ApplyStarted(
            changeSet: "cs-1", stack: "web", execution: "ex-1", status: .applying, startedAt: Date(timeIntervalSince1970: 0), location: "/api/executions/ex-1")
        #expect(String(decoding: try WireJSON.encoder().encode(started), as: UTF8.self)
            == #"{"changeSet":"cs-1","execution":"ex-1","location":"/api/executions/ex-1","stack":"web","startedAt":"1970-01-01T00:00:00.000Z","status":"APPLYING"}"#)
        #expect(String(decoding: try WireJSON.encoder().encode(APIErrorJSON(code: "not_found", message: "No.", status: 404)), as: UTF8.self)
            == #"{"error":{"code":"not_found","message":"No.","status":404}}"#)
        let answer = WebhookAnswerJSON(status: .duplicate, reason: "done", delivery: nil)
        #expect(String(decoding: try WireJSON.encoder().encode(answer), as: UTF8.self) == #"{"reason":"done","status":"duplicate"}"#)
    }
}

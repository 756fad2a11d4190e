import Foundation
import HTTPTypes
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
@testable import TollgateServer

@Suite("API: engine errors mapped by kind")
struct APIErrorMappingTests {
    @Test("each kind has one status; a refused proof is 403, a refused apply 409; database text never reaches the client", arguments: [
        (StoreError.unknownChangeSet("cs-1") as any Error, 404, "not_found"),
        (ApplyError.notApproved(changeSetID: "cs-1", status: .pending), 409, "conflict"),
        (ApplyError.windowClosed(changeSetID: "cs-1", reasons: ["outside mon-thu 09:00-17:00"]), 409, "refused"),
        (ReviewError.signatureRefused(changeSetID: "cs-1", reason: "another key"), 403, "refused"),
        (ReviewError.notAPolicyChangeSet(changeSetID: "cs-1"), 422, "invalid_input"),
        (StoreError.database(location: "postgres://db/tollgate", operation: "reading change sets", message: "relation \"change_sets\" does not exist"), 503, "unavailable"),
        (StoreError.stackLocked(StackLock(stack: "web", executionID: "ex-1", holder: "host pid 1", acquiredAt: .now, expiresAt: .now)), 409, "conflict"),
    ])
    func mapping(error: any Error, status: Int, code: String) {
        let mapped = ErrorMapping.serverError(for: error, requestID: "req-42")
        #expect(Int(mapped.status.code) == status)
        #expect(mapped.code == code)
        #expect(!mapped.message.contains("relation"))
        #expect(!mapped.message.contains("postgres://"))
        if status == 503 { #expect(mapped.message.contains("req-42")) }
    }
}

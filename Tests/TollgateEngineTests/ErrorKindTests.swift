import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateGit
import TollgateStore

@Suite("Errors a server can map: a kind, a remedy, no command-line flag and no raw database text")
struct ErrorKindTests {
    static let lock = StackLock(
        stack: "web", executionID: "ex-1", holder: "host:1", acquiredAt: Date(timeIntervalSince1970: 0), expiresAt: Date(timeIntervalSince1970: 60))

    /// One error of each module for each kind, with the remedy it names.
    static let table: [(error: any TollgateError, kind: ErrorKind, remedy: ErrorRemedy?)] = [
        (GitError.notARepository(path: "/srv/infra"), .notFound, .chooseRepository),
        (GitError.branchNotFound(name: "trunk", known: ["main"]), .notFound, .chooseBranch),
        (GitError.libgit2(code: -1, message: "odb failure", context: "reading HEAD"), .unavailable, nil),
        (StoreError.noStore(location: "/srv/state.db"), .notFound, .chooseStore),
        (StoreError.cannotOpen(location: "/srv/state.db", reason: "permission denied"), .unavailable, .chooseStore),
        (StoreError.unreachable(location: "postgres://db/tollgate", reason: "refused"), .unavailable, .chooseDatabase),
        (StoreError.stackLocked(lock), .conflict, .resumeLapsedApply),
        (StoreError.unknownChangeSet("cs-00000000"), .notFound, nil),
        (StoreError.duplicateApproval(changeSetID: "cs-1", reviewer: "amara"), .conflict, nil),
        (StoreError.invalidURL("mysql://x", reason: "not postgres"), .invalidInput, nil),
        (HistoryError.notAnAncestor(revision: "abc", branch: "main"), .invalidInput, .chooseHistoryStart),
        (HistoryError.notOnFirstParentHistory(revision: "abc", branch: "main"), .invalidInput, .chooseMergeAsHistoryStart),
        (SyncError.alreadySynced(branch: "main", cursor: "abcdef0"), .conflict, .omitSyncStart),
        (SyncError.startNotOnBranch(revision: "abc", branch: "main"), .invalidInput, .chooseSyncStart),
        (SyncError.cursorTampered(branch: "main", stored: nil, trail: nil), .refused, nil),
        (ReviewError.alreadyTrusted(commit: "abcdef0"), .conflict, .trustAgainOnPurpose),
        (ReviewError.operatorSignatureRequired(act: "Replacing the policy in force", text: "x"), .refused, .signOperatorAct),
        (ReviewError.signatureRefused(changeSetID: "cs-1", reason: "bad"), .refused, nil),
        (ApplyError.unfinishedExecution(stack: "web", executionID: "ex-1", startedAt: Date(timeIntervalSince1970: 0)), .conflict, .resumeApply),
        (ApplyError.lockStillHeld(lock), .conflict, .resumeLapsedApply),
        (ApplyError.windowClosed(changeSetID: "cs-1", reasons: ["weekend"]), .refused, nil),
        (PlanError.stackNotFound(name: "api", commit: "abcdef0", known: ["web"]), .notFound, nil),
        (LayoutError.malformedSettings(file: "tollgate.yaml", line: 1, column: 1, problem: "x"), .invalidInput, nil),
    ]

    @Test("each error carries the kind a server maps to one status, and the remedy the command line words", arguments: 0..<table.count)
    func kinds(index: Int) {
        let entry = Self.table[index]
        #expect(entry.error.kind == entry.kind, "\(entry.error)")
        #expect(entry.error.remedy == entry.remedy, "\(entry.error)")
    }

    @Test("no description below the command line names a flag", arguments: 0..<table.count)
    func noFlags(index: Int) {
        let text = Self.table[index].error.description
        #expect(!text.contains("--"), "\(text)")
        #expect(!text.contains("TOLLGATE_DATABASE_URL"), "\(text)")
    }

    @Test("the database's own text stays out of the description and is kept for logs")
    func databaseText() {
        let error = StoreError.database(
            location: "postgres://db/tollgate", operation: "recording a verdict",
            message: "ERROR: duplicate key value violates unique constraint \"approvals_pkey\"")
        #expect(error.description == "The state store postgres://db/tollgate failed while recording a verdict.")
        #expect(!error.description.contains("approvals_pkey"))
        #expect(error.debugDescription.contains("approvals_pkey"))
        #expect(error.kind == .unavailable)
    }
}

import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// The server keeps one status report and reads again only the rows new audit entries name; that
/// must always give what reading everything again gives.
@Suite("Status refreshed from the audit trail")
struct StatusRefreshTests {
    @Test("after an approval and an apply, the refreshed report is the one read whole; other stacks are not read again")
    func refreshedEqualsFull() async throws {
        let review = try await TrustedReview.make(extraFiles: [
            "Stacks/net/template.yaml": "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n",
        ])
        let fixture = review.fixture
        let web = try await fixture.createStackChangeSet("web", commits: [fixture.firstCommit], in: review.store)
        _ = try await fixture.createStackChangeSet("net", commits: [fixture.firstCommit], in: review.store)
        let reader = StatusReader(store: review.store, clock: fixture.clock)
        let before = try await reader.report(repository: try fixture.repository(), matching: nil)
        let head = try #require(try await review.store.auditHead()).sequence

        _ = try await review.review(web, as: "amara")
        let approved = try #require(try await reader.refreshed(before, after: head, repository: try fixture.repository()))
        #expect(approved == (try await reader.report(repository: try fixture.repository(), matching: nil)))
        #expect(approved.stacks.first { $0.stack == "web" }?.status == .approved)
        #expect(approved.stacks.first { $0.stack == "net" } == before.stacks.first { $0.stack == "net" })

        let applied = try await ChangeSetApplication(store: review.store, clock: fixture.clock, holder: "test pid 1")
            .apply(changeSetID: web.id, actor: "amara", repository: try fixture.repository())
        #expect(applied.changeSet.status == .applied)
        let afterApply = try #require(try await reader.refreshed(approved, after: head, repository: try fixture.repository()))
        #expect(afterApply == (try await reader.report(repository: try fixture.repository(), matching: nil)))
        #expect(afterApply.stacks.first { $0.stack == "web" }?.status == .applied)

        // Rows the new entries do not name are kept as they were, not read again: a row edited in
        // the kept report stays edited, which shows it was not replaced.
        var marked = afterApply
        let net = try #require(marked.stacks.firstIndex { $0.stack == "net" })
        marked.stacks[net].lastExecution = "ex-marker"
        let current = try #require(try await review.store.auditHead()).sequence
        _ = try await review.store.transaction { try await $0.appendAudit(AuditEvent(actor: "amara", action: .executionCancelRequested, stack: "web")) }
        let kept = try #require(try await reader.refreshed(marked, after: current, repository: try fixture.repository()))
        #expect(kept.stacks[net].lastExecution == "ex-marker")
        try await review.store.close()
    }

    @Test("with time alone, an applying stack's lapsed lease shows as the whole read shows it, and rows time cannot change are not read again")
    func refreshedForTime() async throws {
        let review = try await TrustedReview.make(extraFiles: [
            "Stacks/net/template.yaml": "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n",
        ])
        let fixture = review.fixture
        let web = try await fixture.createStackChangeSet("web", commits: [fixture.firstCommit], in: review.store)
        _ = try await fixture.createStackChangeSet("net", commits: [fixture.firstCommit], in: review.store)
        _ = try await review.review(web, as: "amara")
        _ = try await review.store.transaction { tx in
            _ = try await tx.lockStack("web", executionID: "ex-live0001", holder: "elsewhere pid 7", leaseSeconds: 600, takeOver: nil)
            return try await tx.startExecution(id: "ex-live0001", changeSetID: web.id, actor: "amara")
        }
        let reader = StatusReader(store: review.store, clock: fixture.clock)
        var report = try await reader.report(repository: try fixture.repository(), matching: nil)
        #expect(report.stacks.first { $0.stack == "web" }?.executionStalled == false)
        let net = try #require(report.stacks.firstIndex { $0.stack == "net" })
        report.stacks[net].lastExecution = "ex-marker"

        fixture.clock.advance(by: 601)
        let later = try #require(try await reader.refreshedForTime(report, repository: try fixture.repository()))
        #expect(later.stacks.first { $0.stack == "web" }?.executionStalled == true, "the lease lapsed")
        #expect(later.stacks[net].lastExecution == "ex-marker", "a pending stack without waivers in force is not read again")
        var whole = try await reader.report(repository: try fixture.repository(), matching: nil)
        whole.stacks[net].lastExecution = "ex-marker"
        #expect(later == whole)

        // An open policy change set proposes waivers of its own, which lapse too: a whole read.
        try fixture.git.write("Policies/guards/s3.guard", GuardReviewTests.versioning)
        let push = try fixture.git.commit("add a guard rule", author: ReviewFixture.outsider)
        _ = try await fixture.createPolicyChangeSet(commits: [push], in: review.store)
        let withPolicy = try await reader.report(repository: try fixture.repository(), matching: nil)
        #expect(withPolicy.policy?.pendingChangeSet != nil)
        #expect(try await reader.refreshedForTime(withPolicy, repository: try fixture.repository()) == nil)
        try await review.store.close()
    }

    @Test("an entry that names no stack, or names the policy, asks for a whole read; a token's does not")
    func wholeReadNeeded() async throws {
        let review = try await TrustedReview.make()
        let reader = StatusReader(store: review.store, clock: review.fixture.clock)
        let report = try await reader.report(repository: try review.fixture.repository(), matching: nil)
        let events = [
            (AuditEvent(actor: "tollgate", action: .scanAdvanced, commit: review.fixture.firstCommit), false),
            (AuditEvent(actor: "amara", action: .changeSetCreated, stack: StackLayout.policiesFolder), false),
            (AuditEvent(actor: "amara", action: .tokenIssued), true),
        ]
        for (event, refreshable) in events {
            let head = try #require(try await review.store.auditHead()).sequence
            _ = try await review.store.transaction { try await $0.appendAudit(event) }
            let refreshed = try await reader.refreshed(report, after: head, repository: try review.fixture.repository())
            #expect((refreshed != nil) == refreshable, "\(event.action)")
            if refreshable { #expect(refreshed == report) }
        }
        try await review.store.close()
    }
}

/// The server reuses one open repository until its branch moves.
@Suite("An open repository knows when its branch moved")
struct RepositoryCurrencyTests {
    @Test("isCurrent holds until a commit moves the branch")
    func moved() async throws {
        let fixture = try ReviewFixture()
        let repository = try await ManagedRepository.open(path: fixture.git.path)
        #expect(try await repository.isCurrent())
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-moved"))
        _ = try fixture.git.commit("move the branch", author: ReviewFixture.outsider)
        #expect(try await repository.isCurrent() == false)
        #expect(try await ManagedRepository.open(path: fixture.git.path).isCurrent())
    }
}

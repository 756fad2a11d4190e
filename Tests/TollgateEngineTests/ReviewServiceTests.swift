import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport
import TollgateGit

/// A fixture whose first policy is trusted, with its store and service.
struct TrustedReview {
    let fixture: ReviewFixture
    let store: any StateStore
    let service: ReviewService
    let repository: ManagedRepository

    /// A trusted fixture on SQLite, or on PostgreSQL when `postgres` is set.
    static func make(postgres: Bool = false, extraFiles: [String: String] = [:]) async throws -> TrustedReview {
        let fixture = try ReviewFixture(extraFiles: extraFiles)
        let store = postgres ? try await fixture.openPostgresStore() : try await fixture.openStore()
        let repository = try fixture.repository()
        _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
        return TrustedReview(fixture: fixture, store: store, service: ReviewService(store: store, clock: fixture.clock), repository: repository)
    }

    /// Signs as `person` with ssh-keygen and records the verdict.
    @discardableResult
    func review(_ record: ChangeSetRecord, as person: String, _ verdict: ApprovalVerdict = .approve, reason: String? = nil) async throws -> ReviewEvaluation {
        let repository = try fixture.repository()
        return try await service.record(verdict, changeSetID: record.id, signature: try fixture.sign(record, as: person, verdict: verdict), reason: reason, repository: repository)
    }

    /// Records `web` as applied at the first commit, then stores the change set of an outsider's
    /// commit that renames its bucket: a replacement, so a destructive change.
    func bucketRename() async throws -> ChangeSetRecord {
        try await fixture.recordStackApplied(at: fixture.firstCommit, in: store)
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets-v2"))
        let rename = try fixture.git.commit("rename the bucket", author: ReviewFixture.outsider)
        return try await fixture.createStackChangeSet(commits: [rename], in: store)
    }

    /// Commits a change of `Policies/reviewers.yaml` that gives amara mallory's key (so that her
    /// old key stops counting once it is in force) and stores its policy change set, not yet
    /// reviewed.
    func amarasKeyRotation() async throws -> (commit: String, changeSet: ChangeSetRecord) {
        var keys = fixture.keys
        keys["amara"] = fixture.keys["mallory"]
        try fixture.git.write("Policies/reviewers.yaml", ReviewFixture.reviewers(keys: keys))
        let rotate = try fixture.git.commit("rotate amara's key", author: ReviewFixture.outsider)
        return (rotate, try await fixture.createPolicyChangeSet(commits: [rotate], in: store))
    }

    /// Runs `body`, expecting a ``ReviewError`` whose message contains every one of `words`.
    func expectRefusal(_ words: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected a refusal mentioning \(words)", sourceLocation: sourceLocation)
        } catch let error as ReviewError {
            for word in words {
                #expect("\(error)".contains(word), "\(error)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected a ReviewError, got \(error)", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Review: trusting, approving, rejecting, explaining")
struct ReviewServiceTests {
    @Test("init trusts the current Policies/ once, in the audit trail, and refuses a silent second trust")
    func trust() async throws {
        let fixture = try ReviewFixture()
        let store = try await fixture.openStore()
        let repository = try fixture.repository()
        let tip = try await repository.commit(nil)
        let trusted = try await PolicyInForce.trust(commit: tip, repository: repository, store: store, actor: "lead")
        #expect(trusted.commit == fixture.firstCommit)
        #expect(try await store.policyInForce()?.commit == fixture.firstCommit)
        let entries = try await store.auditEntries(AuditFilter(actor: "lead"))
        #expect(entries.contains { $0.action == .policyTrusted && $0.commit == fixture.firstCommit })

        await #expect(throws: ReviewError.alreadyTrusted(commit: fixture.firstCommit)) {
            _ = try await PolicyInForce.trust(commit: tip, repository: repository, store: store, actor: "lead")
        }
        await #expect(throws: ReviewError.self) {
            _ = try await PolicyInForce.trust(commit: tip, repository: repository, store: store, actor: "lead", replacing: true)
        }
        let act = OperatorAct.trust(commit: tip, replacing: fixture.firstCommit)
        let signature = try SSHSignature(armored: try fixture.signatureText(of: act.text, as: "amara"))
        _ = try await PolicyInForce.trust(commit: tip, repository: repository, store: store, actor: "lead", replacing: true, signature: signature)
        let again = try await store.auditEntries(AuditFilter(actor: "amara")).filter { $0.action == .policyTrusted }
        #expect(again.last?.details["replaced"] == fixture.firstCommit)
        #expect(again.last?.details["claimed_actor"] == "lead")
        try await store.close()
    }

    @Test("init refuses a malformed policy, naming file, line and field")
    func trustMalformed() async throws {
        let fixture = try ReviewFixture()
        try fixture.git.write("Policies/approvals.yaml", ReviewFixture.approvals.replacingOccurrences(of: "count: 2\n    from: owners\nrules", with: "count: 0\n    from: owners\nrules"))
        try fixture.git.commit("zero owners", author: ReviewFixture.outsider)
        let store = try await fixture.openStore()
        let repository = try fixture.repository()
        do {
            _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
            Issue.record("a malformed policy was trusted")
        } catch let error as ReviewError {
            #expect("\(error)".contains("Policies/approvals.yaml:2"), "\(error)")
            #expect("\(error)".contains("policy-changes[0].count"), "\(error)")
        }
        #expect(try await store.policyInForce() == nil)
        try await store.close()
    }

    @Test("without init, explaining and approving say to run tollgate init first")
    func noPolicy() async throws {
        let fixture = try ReviewFixture()
        let store = try await fixture.openStore()
        let record = try await fixture.createStackChangeSet(commits: [fixture.firstCommit], in: store)
        let service = ReviewService(store: store, clock: fixture.clock)
        await #expect(throws: ReviewError.noPolicyInForce) {
            _ = try await service.explain(changeSetID: record.id, repository: try fixture.repository())
        }
        await #expect(throws: ReviewError.noPolicyInForce) {
            _ = try await service.record(.approve, changeSetID: record.id, signature: try fixture.sign(record, as: "amara"), repository: try fixture.repository())
        }
        #expect(ReviewError.noPolicyInForce.description.contains("tollgate init"))
        try await store.close()
    }

    @Test("an owner's approval makes the change set APPROVED; the signature is stored and verifies again", arguments: [false, true])
    func approve(postgres: Bool) async throws {
        let review = try await TrustedReview.make(postgres: postgres)
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        let outcome = try await review.review(record, as: "amara")
        #expect(outcome.changeSet.status == .approved)
        #expect(outcome.verdict.status == .approved)
        let stored = try #require(try await review.store.approvals(changeSetID: record.id).first)
        #expect(stored.reviewer == "amara")
        #expect(stored.digest == record.digest)
        let signature = try SSHSignature(armored: try #require(stored.signature))
        try signature.verify(message: record.approvalText(for: .approve))
        let actions = try await review.store.auditEntries(AuditFilter(changeSetID: record.id)).map(\.action)
        #expect(actions.contains(.approvalRecorded))
        #expect(actions.contains(.changeSetTransitioned))
        try await review.store.close()
    }

    @Test("a signature made by Tollgate from the private key counts like one made by ssh-keygen")
    func approveWithPrivateKey() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        let key = try SSHPrivateKey(openSSHText: try #require(review.fixture.keys["bastien"]).privateKeyText)
        let signature = try SSHSignature.sign(record.approvalText(for: .approve), with: key)
        let outcome = try await review.service.record(.approve, changeSetID: record.id, signature: signature, repository: review.repository)
        #expect(outcome.changeSet.status == .approved)
        try await review.store.close()
    }

    @Test("a rejection by an owner makes the change set REJECTED with its reason", arguments: [false, true])
    func reject(postgres: Bool) async throws {
        let review = try await TrustedReview.make(postgres: postgres)
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        let outcome = try await review.review(record, as: "bastien", .reject, reason: "wrong bucket")
        #expect(outcome.changeSet.status == .rejected)
        #expect(outcome.changeSet.statusReason == "wrong bucket")
        await review.expectRefusal(["REJECTED"]) { try await review.review(record, as: "amara") }
        try await review.store.close()
    }

    @Test("a destructive change needs two owners and explain says who may still approve")
    func destructiveAndExplain() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.bucketRename()
        let first = try await review.review(record, as: "amara")
        #expect(first.changeSet.status == .pending)
        let explanation = try await review.service.explain(changeSetID: record.id, repository: review.repository).verdict.explanation
        #expect(explanation.contains("rule 'web', destructive changes: not met"), "\(explanation)")
        #expect(explanation.contains("needs 1 more, from bastien"), "\(explanation)")
        #expect(explanation.contains("Change window: open"), "\(explanation)")
        let second = try await review.review(record, as: "bastien")
        #expect(second.changeSet.status == .approved)
        #expect(second.verdict.canApplyNow)
        try await review.store.close()
    }

    @Test("applying a policy change set puts its Policies/ in force; a key it removes stops counting")
    func applyPolicyChange() async throws {
        let review = try await TrustedReview.make()
        let stack = try await review.bucketRename()
        await review.expectRefusal(["'dana' is not named by any rule"]) { try await review.review(stack, as: "dana") }
        try await review.review(stack, as: "amara")

        let (rotate, policy) = try await review.amarasKeyRotation()
        await #expect(throws: ReviewError.policyChangeNotApplied(changeSetID: policy.id, status: .pending)) {
            try await review.store.transaction { tx in
                try await PolicyInForce.recordApplied(policy, actor: "tollgate", in: tx)
            }
        }
        await #expect(throws: ReviewError.notAPolicyChangeSet(changeSetID: stack.id)) {
            try await review.store.transaction { tx in
                try await PolicyInForce.recordApplied(stack, actor: "tollgate", in: tx)
            }
        }
        try await review.review(policy, as: "amara")
        #expect(try await review.review(policy, as: "bastien").changeSet.status == .approved)
        try await review.store.transaction { tx in
            let execution = ExecutionRecord.newID()
            _ = try await tx.startExecution(id: execution, changeSetID: policy.id, actor: "tollgate")
            _ = try await tx.finishExecution(id: execution, result: .succeeded, providerOutput: nil, actor: "tollgate")
            try await PolicyInForce.recordApplied(try await tx.changeSet(id: policy.id), actor: "tollgate", in: tx)
        }
        let inForce = try await PolicyInForce.load(from: review.store, repository: review.repository)
        #expect(inForce.commit == rotate)
        let explained = try await review.service.explain(changeSetID: stack.id, repository: review.repository).verdict
        let amara = try #require(explained.claims.first { $0.verdict == .approve && $0.problem != nil })
        #expect(amara.problem?.description.contains("not listed") == true, "\(explained.explanation)")
        #expect(explained.status == .pending)
        try await review.store.close()
    }

    @Test("status shows an approved change set as explain judges it once the policy changed, beside the stored status")
    func statusAfterPolicyChange() async throws {
        let review = try await TrustedReview.make()
        let fixture = review.fixture
        let stack = try await review.bucketRename()
        try await review.review(stack, as: "amara")
        #expect(try await review.review(stack, as: "bastien").changeSet.status == .approved)

        let (rotate, policy) = try await review.amarasKeyRotation()
        try await review.review(policy, as: "amara")
        try await review.review(policy, as: "bastien")
        let reader = StatusReader(store: review.store, clock: fixture.clock)
        let before = try await reader.report(repository: try fixture.repository(), matching: nil)
        #expect(before.policy?.revision == 1)
        #expect(before.policy?.actor == "lead")
        #expect(before.policy?.pendingChangeSet == policy.id)
        #expect(before.policy?.status == .approved)
        #expect(before.stacks.first { $0.stack == "web" }?.status == .approved)
        #expect(before.stacks.first { $0.stack == "web" }?.storedStatus == nil)

        try await review.store.transaction { tx in
            let execution = ExecutionRecord.newID()
            _ = try await tx.startExecution(id: execution, changeSetID: policy.id, actor: "tollgate")
            _ = try await tx.finishExecution(id: execution, result: .succeeded, providerOutput: nil, actor: "tollgate")
            try await PolicyInForce.recordApplied(try await tx.changeSet(id: policy.id), actor: "tollgate", in: tx)
        }
        let after = try await reader.report(repository: try fixture.repository(), matching: nil)
        #expect(after.policy?.revision == 2)
        #expect(after.policy?.commit == rotate)
        #expect(after.policy?.appliedChangeSet == policy.id)
        #expect(after.policy?.pendingChangeSet == nil)
        #expect(!after.stacks.contains { $0.stack == "Policies/" }, "the policies are not a stack row")
        // amara's approval was signed with a key the policy in force no longer lists.
        let web = try #require(after.stacks.first { $0.stack == "web" })
        #expect(web.status == .pending)
        #expect(web.storedStatus == .approved)
        #expect(web.pendingChangeSet == stack.id)
        try await review.store.close()
    }
}

import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

@Suite("The engine's plan and change set view, as every front end calls them")
struct ChangeSetViewTests {
    @Test("the view lists each execution with who started it, its end, its result and its provider's events")
    func executions() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        let execution = ExecutionRecord.newID()
        try await review.store.transaction { tx in
            _ = try await tx.transition(changeSetID: record.id, to: .approved, actor: "tollgate", reason: nil)
            _ = try await tx.startExecution(id: execution, changeSetID: record.id, actor: "ops-anna")
        }
        let running = try #require(try await review.service.view(changeSetID: record.id, repository: review.repository).executions.first)
        #expect(running.actor == "ops-anna")
        #expect(running.record.finishedAt == nil)
        #expect(running.events.isEmpty)
        _ = try await review.store.transaction { tx in
            try await tx.finishExecution(
                id: execution, result: .failed, providerOutput: "CREATE_IN_PROGRESS Assets\nCREATE_FAILED Assets: denied\n", actor: "tollgate")
        }
        let view = try await review.service.view(changeSetID: record.id, repository: review.repository)
        #expect(view.executions.map(\.record.id) == [execution])
        let finished = try #require(view.executions.first)
        #expect(finished.actor == "ops-anna")
        #expect(finished.record.result == .failed)
        #expect(finished.record.finishedAt != nil)
        #expect(finished.events == ["CREATE_IN_PROGRESS Assets", "CREATE_FAILED Assets: denied"])
        #expect(view.currentStatus == nil, "a FAILED change set is not judged again")
    }

    @Test("an open change set is judged under the policy in force, with its commits' authors")
    func openChangeSet() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.bucketRename()
        let view = try await review.service.view(changeSetID: record.id, repository: review.repository)
        #expect(view.currentStatus == .pending)
        #expect(view.commits.map(\.summary.authorEmail) == ["carol@example.com"])
        #expect(view.changes?.changes.count == 1)
        #expect(view.executions.isEmpty)
        let text = try await review.service.approvalText(changeSetID: record.id, verdict: .reject)
        #expect(text.contains("verdict: reject\nchange-set: \(record.id)\n"), "\(text)")
    }

    @Test("an unknown change set is refused by id")
    func unknown() async throws {
        let review = try await TrustedReview.make()
        await #expect(throws: StoreError.unknownChangeSet("cs-00000000")) {
            try await review.service.view(changeSetID: "cs-00000000", repository: review.repository)
        }
    }

    @Test("plan names the stacks a commit has when asked for one it lacks, and refuses Policies")
    func planRefusals() async throws {
        let review = try await TrustedReview.make()
        let planning = StackPlanning(store: review.store, clock: review.fixture.clock)
        do {
            _ = try await planning.plan(stack: "nope", at: nil, repository: review.repository)
            Issue.record("planned a stack that does not exist")
        } catch let error as PlanError {
            guard case .stackNotFound(let name, _, let known) = error else { throw error }
            #expect(name == "nope")
            #expect(known == ["web"])
        }
        await #expect(throws: PlanError.policiesNotAStack) {
            try await planning.plan(stack: "Policies/", at: nil, repository: review.repository)
        }
    }

    @Test("plan gives the change set a sync would record, with the guard results under the policy in force")
    func plan() async throws {
        let review = try await TrustedReview.make()
        let plan = try await StackPlanning(store: review.store, clock: review.fixture.clock)
            .plan(stack: "web", at: review.fixture.firstCommit, repository: review.repository)
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        #expect(plan.changeSet.digest == record.digest)
        #expect(plan.guards?.commit == review.fixture.firstCommit)
    }

    @Test("the review service tells its injected logger each verdict it records")
    func verdictLogged() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.bucketRename()
        let log = LogCapture()
        let service = ReviewService(store: review.store, clock: review.fixture.clock, logger: log.logger)
        _ = try await service.record(
            .approve, changeSetID: record.id, signature: try review.fixture.sign(record, as: "amara"), repository: review.repository)
        #expect(log.all == ["verdict recorded"], "\(log.all)")
    }
}

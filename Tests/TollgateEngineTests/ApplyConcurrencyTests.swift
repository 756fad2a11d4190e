import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// Cancel during an apply, applies that meet on one stack or run side by side on two, and a
/// window that closes between approval and apply.
@Suite("Apply: cancel, parallel applies, windows")
struct ApplyConcurrencyTests {
    /// A deploy script that says it started, then waits a minute (as the program itself, so that
    /// SIGTERM reaches it); the tests cancel it long before.
    static func slowDeployments() -> [String: String] {
        [
            "Policies/deployments.yaml": "deployments:\n  - stacks: [web]\n    provider: command\n    command: [Policies/slow.sh]\n    timeout: 5m\n",
            "Policies/slow.sh": "#!/bin/sh\necho \"started $TOLLGATE_STACK\"\nexec sleep 60\n",
        ]
    }

    /// A receiver that signals once a line containing `text` arrives.
    static func signal(on text: String) -> (ProviderProgress, AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        return (ProviderProgress { line in if line.contains(text) { continuation.yield() } }, stream)
    }

    @Test("cancel on an applying change set stops the command (SIGTERM) and ends it CANCELLED; the state and lock are left clean")
    func cancelCommand() async throws {
        let (review, record) = try await ApplyTests.approvedWeb(extraFiles: Self.slowDeployments())
        let application = ChangeSetApplication(
            store: review.store, clock: review.fixture.clock, holder: "test-host pid 1", cancelPollInterval: .milliseconds(50))
        let (progress, started) = Self.signal(on: "started web")
        let path = review.fixture.git.path
        let applying = Task { try await application.apply(changeSetID: record.id, actor: "amara", repository: try ManagedRepository(path: path), progress: progress) }
        for await _ in started { break }

        let cancellation = ChangeSetCancellation(store: review.store)
        let cancelling = try await cancellation.cancel(changeSetID: record.id, reason: "wrong night", actor: "bastien", policy: nil) { _ in nil }
        #expect(cancelling.changeSet.status == .applying, "a running apply is not cut off by the cancel itself")
        let execution = try #require(cancelling.execution)
        #expect(execution.cancelRequest?.actor == "bastien")

        let report = try await applying.value
        #expect(report.changeSet.status == .cancelled)
        #expect(report.changeSet.statusReason == "wrong night")
        #expect(report.execution.result == .cancelled)
        #expect(report.output.contains("started web"))
        #expect(report.output.contains("was stopped: the apply was cancelled"), "\(report.output)")
        #expect(try await review.store.stackState("web") == nil)
        #expect(try await review.store.stackLock("web") == nil)
        #expect(try await cancellation.awaitEnd(of: execution, pollInterval: .milliseconds(10)).result == .cancelled)
        let actions = try await review.store.auditEntries(AuditFilter(changeSetID: record.id)).map(\.action)
        #expect(actions.contains(.executionCancelRequested))
        #expect(try await review.store.verifyTables() == nil)
        try await review.store.close()
    }

    @Test("a cancel asked of an apply whose process is gone says to resume it, and the resume ends it CANCELLED")
    func cancelWithoutHolder() async throws {
        let (review, record) = try await ApplyTests.approvedWeb(extraFiles: Self.slowDeployments())
        let execution = try await review.store.transaction { tx in
            _ = try await tx.lockStack("web", executionID: "ex-gone0001", holder: "elsewhere pid 7", leaseSeconds: 1, takeOver: nil)
            return try await tx.startExecution(id: "ex-gone0001", changeSetID: record.id, actor: "amara")
        }
        review.fixture.clock.advance(by: 120)
        let cancellation = ChangeSetCancellation(store: review.store)
        _ = try await cancellation.cancel(changeSetID: record.id, reason: "abandoned", actor: "bastien", policy: nil) { _ in nil }
        await #expect(throws: ApplyError.holderGone(changeSetID: record.id, executionID: execution.id)) {
            _ = try await cancellation.awaitEnd(of: execution, clock: review.fixture.clock, pollInterval: .milliseconds(10))
        }
        let report = try await ApplyTests.application(review).resume(changeSetID: record.id, actor: "bastien", repository: try review.fixture.repository())
        #expect(report.changeSet.status == .cancelled)
        #expect(try await review.store.stackState("web") == nil)
        try await review.store.close()
    }

    @Test("two applies of one stack at once: the second is refused naming the running execution and its holder", arguments: [false, true])
    func sameStackTwice(postgres: Bool) async throws {
        let (review, record) = try await ApplyTests.approvedWeb(extraFiles: Self.slowDeployments(), postgres: postgres)
        let (progress, started) = Self.signal(on: "started web")
        let path = review.fixture.git.path
        let first = ApplyTests.application(review, holder: "host-a pid 11")
        let applying = Task { try await first.apply(changeSetID: record.id, actor: "amara", repository: try ManagedRepository(path: path), progress: progress) }
        for await _ in started { break }

        let second = ApplyTests.application(review, holder: "host-b pid 22")
        do {
            _ = try await second.apply(changeSetID: record.id, actor: "bastien", repository: try review.fixture.repository())
            Issue.record("a second apply of the same change set ran")
        } catch let error as ApplyError {
            #expect("\(error)".contains("APPLYING"), "\(error)")
        }
        // The same stack through another change set is refused by the lock, naming the holder.
        try review.fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets-v2"))
        let rename = try review.fixture.git.commit("rename the bucket", author: ReviewFixture.outsider)
        let other = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit, rename], in: review.store)
        try await review.review(other, as: "amara")
        do {
            _ = try await second.apply(changeSetID: other.id, actor: "bastien", repository: try review.fixture.repository())
            Issue.record("a second apply of a locked stack ran")
        } catch ApplyError.lockStillHeld(let lock) {
            #expect(lock.holder == "host-a pid 11")
            #expect("\(ApplyError.lockStillHeld(lock))".contains("host-a pid 11"))
        }
        // The first holder is a live process: only a cancel, seen by it, ends its apply.
        _ = try await ChangeSetCancellation(store: review.store).cancel(changeSetID: record.id, reason: "make way", actor: "bastien", policy: nil) { _ in nil }
        let report = try await applying.value
        #expect(report.changeSet.status == .cancelled, "\(report.output)")
        #expect(try await review.store.stackState("web") == nil)
        #expect(try await review.store.stackLock("web") == nil, "the lock is free for the next apply")
        try await review.store.close()
    }

    @Test("two stacks apply in parallel, each under its own lock")
    func twoStacksInParallel() async throws {
        // Each deploy script waits for the test to open a gate, so both run at once however slow
        // the machine is.
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-gate-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: gate) }
        let review = try await TrustedReview.make(extraFiles: [
            "Policies/deployments.yaml": "deployments:\n  - stacks: [web, api]\n    provider: command\n    command: [Policies/gated.sh]\n",
            "Policies/gated.sh": "#!/bin/sh\necho \"started $TOLLGATE_STACK\"\nwhile [ ! -e '\(gate)' ]; do sleep 0.05; done\n",
        ].merging([
            "Stacks/api/template.yaml": ReviewFixture.template(bucket: "api-assets"),
            "Policies/approvals.yaml": ReviewFixture.approvals.replacingOccurrences(of: "stacks: [web]", with: "stacks: [web, api]"),
        ]) { $1 })
        let fixture = review.fixture
        var records: [ChangeSetRecord] = []
        for stack in ["web", "api"] {
            let record = try await fixture.createStackChangeSet(stack, commits: [fixture.firstCommit], in: review.store)
            try await review.review(record, as: "amara")
            records.append(record)
        }
        let (progress, started) = Self.signal(on: "started")
        let path = fixture.git.path
        let application = ApplyTests.application(review)
        async let web = application.apply(changeSetID: records[0].id, actor: "amara", repository: try ManagedRepository(path: path), progress: progress)
        async let api = application.apply(changeSetID: records[1].id, actor: "amara", repository: try ManagedRepository(path: path), progress: progress)
        // Both deploy scripts are running before either finishes: each stack has its own lock.
        var seen = 0
        for await _ in started {
            seen += 1
            if seen == 2 { break }
        }
        #expect(try await review.store.stackLock("web") != nil)
        #expect(try await review.store.stackLock("api") != nil)
        #expect(FileManager.default.createFile(atPath: gate, contents: Data()))
        let reports = try await [web, api]
        #expect(reports.map(\.changeSet.status) == [.applied, .applied])
        #expect(try await review.store.stackState("api")?.stateVersion == 1)
        try await review.store.close()
    }

    @Test("a window that closes between approval and apply stops the apply and says when the next one opens")
    func windowCloses() async throws {
        // The fixture's clock starts on Monday 2026-01-05 at 10:00 UTC, inside the window.
        let approvals = ReviewFixture.approvals.replacingOccurrences(of: "rules:", with: """
            time-zone: UTC
            windows:
              - days: [mon]
                from: "09:00"
                to: "11:00"
            rules:
            """)
        let (review, record) = try await ApplyTests.approvedWeb(extraFiles: ["Policies/approvals.yaml": approvals])
        review.fixture.clock.advance(by: 2 * 3600)
        do {
            _ = try await ApplyTests.application(review).apply(changeSetID: record.id, actor: "amara", repository: try review.fixture.repository())
            Issue.record("applied outside every window")
        } catch ApplyError.windowClosed(let id, let reasons) {
            #expect(id == record.id)
            #expect(reasons.joined().contains("2026-01-12"), "\(reasons)")
        }
        #expect(try await review.store.changeSet(id: record.id).status == .approved)
        #expect(try await review.store.stackState("web") == nil)
        try await review.store.close()
    }
}

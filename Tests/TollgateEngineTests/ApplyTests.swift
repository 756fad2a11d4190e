import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// `tollgate apply`: everything is checked again when it runs, one apply per stack at a time, and
/// the outcome, the new state and the audit entries are recorded together.
@Suite("Apply")
struct ApplyTests {
    /// A trusted fixture whose `web` stack (new, at the first commit) is approved by amara.
    static func approvedWeb(extraFiles: [String: String] = [:], postgres: Bool = false) async throws -> (TrustedReview, ChangeSetRecord) {
        let review = try await TrustedReview.make(postgres: postgres, extraFiles: extraFiles)
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        #expect(try await review.review(record, as: "amara").changeSet.status == .approved)
        return (review, record)
    }

    static func application(_ review: TrustedReview, holder: String = "test-host pid 1") -> ChangeSetApplication {
        ChangeSetApplication(store: review.store, clock: review.fixture.clock, holder: holder)
    }

    static func deployments(_ command: String, timeout: String = "30s") -> [String: String] {
        [
            "Policies/deployments.yaml": "deployments:\n  - stacks: [web]\n    provider: command\n    command: [\(command)]\n    timeout: \(timeout)\n",
            "Policies/deploy.sh": """
                #!/bin/sh
                echo "deploying $TOLLGATE_STACK $TOLLGATE_CHANGE_SET at $TOLLGATE_TARGET_COMMIT"
                grep -q Assets "$TOLLGATE_TEMPLATE_FILE" && echo "template ok"
                cat "$TOLLGATE_PARAMETERS_FILE"; echo
                wc -c | tr -d ' ' | sed 's/^/stdin bytes: /'
                echo "to stderr" >&2
                exit "${1:-0}"

                """,
        ]
    }

    @Test("the record provider applies an approved change set: APPLIED, the state recorded, the lock released, the trail agrees", arguments: [false, true])
    func recordApply(postgres: Bool) async throws {
        let (review, record) = try await Self.approvedWeb(postgres: postgres)
        let report = try await Self.application(review).apply(changeSetID: record.id, actor: "amara", repository: try review.fixture.repository())
        #expect(report.changeSet.status == .applied)
        #expect(report.execution.result == .succeeded)
        #expect(report.stateVersion == 1)
        let state = try #require(try await review.store.stackState("web"))
        #expect(state.commit == review.fixture.firstCommit)
        #expect(state.template.contains("web-assets"))
        #expect(try await review.store.stackLock("web") == nil)
        #expect(try await review.store.verifyTables() == nil)
        let actions = try await review.store.auditEntries(AuditFilter(changeSetID: record.id)).map(\.action)
        #expect(actions.contains(.executionStarted) && actions.contains(.executionFinished))
        await #expect(throws: ApplyError.notApproved(changeSetID: record.id, status: .applied)) {
            _ = try await Self.application(review).apply(changeSetID: record.id, actor: "amara", repository: try review.fixture.repository())
        }
        try await review.store.close()
    }

    @Test("a pending change set is not applied")
    func pending() async throws {
        let review = try await TrustedReview.make()
        let record = try await review.fixture.createStackChangeSet(commits: [review.fixture.firstCommit], in: review.store)
        await #expect(throws: ApplyError.notApproved(changeSetID: record.id, status: .pending)) {
            _ = try await Self.application(review).apply(changeSetID: record.id, actor: "amara", repository: try review.fixture.repository())
        }
        #expect(try await review.store.stackState("web") == nil)
        try await review.store.close()
    }

    @Test("a change set planned against an older state is refused and marked SUPERSEDED")
    func stale() async throws {
        let (review, record) = try await Self.approvedWeb()
        try await review.fixture.recordStackApplied(at: review.fixture.firstCommit, in: review.store)
        await #expect(throws: ApplyError.stale(changeSetID: record.id, stack: "web", planned: 0, current: 1)) {
            _ = try await Self.application(review).apply(changeSetID: record.id, actor: "amara", repository: try review.fixture.repository())
        }
        #expect(try await review.store.changeSet(id: record.id).status == .superseded)
        try await review.store.close()
    }

    @Test("approvals that no longer satisfy the policy in force stop the apply")
    func approvalsNoLongerHold() async throws {
        let (review, record) = try await Self.approvedWeb()
        let fixture = review.fixture
        let (rotate, policy) = try await review.amarasKeyRotation()
        try await review.review(policy, as: "amara")
        try await review.review(policy, as: "bastien")
        // The policy change set itself goes through the record step and puts revision 2 in force.
        let applied = try await Self.application(review).apply(changeSetID: policy.id, actor: "amara", repository: try fixture.repository())
        #expect(applied.changeSet.status == .applied)
        #expect(applied.stateVersion == 2)
        #expect(try await review.store.policyInForce()?.commit == rotate)
        do {
            _ = try await Self.application(review).apply(changeSetID: record.id, actor: "amara", repository: try fixture.repository())
            Issue.record("an approval by a key the policy no longer lists was accepted")
        } catch let error as ApplyError {
            guard case .approvalsNoLongerHold(let id, let status, _) = error else { throw error }
            #expect(id == record.id)
            #expect(status == "PENDING")
        }
        #expect(try await review.store.stackState("web") == nil)
        try await review.store.close()
    }

    @Test("a second apply of a stack whose lock another execution holds is refused, naming it")
    func locked() async throws {
        let (review, record) = try await Self.approvedWeb()
        _ = try await review.store.transaction { tx in
            try await tx.lockStack("web", executionID: "ex-other001", holder: "elsewhere pid 7", leaseSeconds: 60, takeOver: nil)
        }
        do {
            _ = try await Self.application(review).apply(changeSetID: record.id, actor: "amara", repository: try review.fixture.repository())
            Issue.record("the apply ran under another execution's lock")
        } catch StoreError.stackLocked(let lock) {
            #expect(lock.executionID == "ex-other001")
            #expect("\(StoreError.stackLocked(lock))".contains("elsewhere pid 7"))
        }
        #expect(try await review.store.changeSet(id: record.id).status == .approved)
        try await review.store.close()
    }

    @Test("the command provider runs the policy's script with the change set and keeps its output")
    func commandSucceeds() async throws {
        let (review, record) = try await Self.approvedWeb(extraFiles: Self.deployments("Policies/deploy.sh"))
        let lines = LineCollector()
        let report = try await Self.application(review).apply(
            changeSetID: record.id, actor: "amara", repository: try review.fixture.repository(),
            progress: ProviderProgress { await lines.add($0) })
        #expect(report.changeSet.status == .applied, "\(report.output)")
        #expect(report.output.contains("deploying web \(record.id) at \(review.fixture.firstCommit)"))
        #expect(report.output.contains("template ok"))
        #expect(report.output.contains("to stderr"))
        #expect(report.output.contains("stdin bytes: \(record.json.utf8.count)"))
        #expect(await lines.all.contains("template ok"), "progress is streamed line by line")
        #expect(try await review.store.execution(id: report.execution.id).providerOutput?.contains("template ok") == true)
        try await review.store.close()
    }

    @Test("a command that never reads its standard input is not cut short, however large the change set")
    func commandIgnoringInput() async throws {
        let folder = try TemporaryDirectory()
        // A pipe holds 64 KiB: writing 1 MiB to one whose reader has gone ends the writer with
        // SIGPIPE, which would take the whole apply down with it.
        let json = "{\"Padding\": \"" + String(repeating: "x", count: 1 << 20) + "\"}"
        let request = DeploymentRequest(
            stack: "web", changeSetID: "cs-1", executionID: "ex-1", targetCommit: String(repeating: "a", count: 40), template: "{}",
            parameters: [:], tags: [:], removesStack: false, changeSetJSON: json)
        let provider = CommandProvider(arguments: ["/bin/sh", "-c", "exec 0<&-; wc -c < \"$TOLLGATE_CHANGE_SET_FILE\""], timeoutSeconds: 60, workFolder: folder.path + "/work")
        try FileManager.default.createDirectory(atPath: folder.path + "/work", withIntermediateDirectories: true)
        let outcome = try await provider.apply(request, progress: .ignored)
        #expect(outcome.succeeded, "\(outcome.output)")
        #expect(outcome.output == String(json.utf8.count), "the same JSON is in TOLLGATE_CHANGE_SET_FILE")
    }

    @Test("a command that fails or outlives its timeout ends FAILED with its output; the state stays and the lock is released")
    func commandFails() async throws {
        // Only the command meant to outlive its timeout gets a short one: a slow machine must not
        // turn the failing command into a timeout.
        for (command, expected, timeout) in [("Policies/deploy.sh, \"3\"", "exited with status 3", "10m"), ("/bin/sleep, \"600\"", "timeout", "1s")] {
            let (review, record) = try await Self.approvedWeb(extraFiles: Self.deployments(command, timeout: timeout))
            let report = try await Self.application(review).apply(changeSetID: record.id, actor: "amara", repository: try review.fixture.repository())
            #expect(report.changeSet.status == .failed)
            #expect(report.execution.result == .failed)
            #expect(report.output.contains(expected), "\(report.output)")
            #expect(try await review.store.stackState("web") == nil)
            #expect(try await review.store.stackLock("web") == nil)
            #expect(try await review.store.verifyTables() == nil)
            try await review.store.close()
        }
    }

    @Test("the deploy script comes from the policy in force, never from the commit under review")
    func scriptFromPolicyInForce() async throws {
        let review = try await TrustedReview.make(extraFiles: Self.deployments("Policies/deploy.sh"))
        let fixture = review.fixture
        try fixture.git.write("Policies/deploy.sh", "#!/bin/sh\necho rewritten by the change\n")
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "Outputs:\n  Name:\n    Value: !Ref Assets\n")
        let change = try fixture.git.commit("change the stack and its deployer", author: ReviewFixture.outsider)
        let record = try await fixture.createStackChangeSet(commits: [change], in: review.store)
        try await review.review(record, as: "amara")
        let report = try await Self.application(review).apply(changeSetID: record.id, actor: "amara", repository: try fixture.repository())
        #expect(report.changeSet.status == .applied)
        #expect(!report.output.contains("rewritten"))
        #expect(report.output.contains("deploying web"))
        try await review.store.close()
    }

    @Test("--resume finishes an apply whose process died: record records, a command fails unless marked applied")
    func resume() async throws {
        for (files, markApplied, expected) in [
            ([String: String](), false, ChangeSetStatus.applied),
            (Self.deployments("Policies/deploy.sh"), false, .failed),
            (Self.deployments("Policies/deploy.sh"), true, .applied),
        ] {
            let (review, record) = try await Self.approvedWeb(extraFiles: files)
            // A process that took the lock, started the execution and died: pid 999999 of this host.
            let dead = "\(ProcessInfo.processInfo.hostName) pid 999999"
            _ = try await review.store.transaction { tx in
                _ = try await tx.lockStack("web", executionID: "ex-dead0001", holder: dead, leaseSeconds: 600, takeOver: nil)
                return try await tx.startExecution(id: "ex-dead0001", changeSetID: record.id, actor: "amara")
            }
            let stalled = try await StatusReader(store: review.store, clock: review.fixture.clock).report(repository: try review.fixture.repository(), matching: "web")
            #expect(stalled.stacks.first?.status == .applying)
            #expect(stalled.stacks.first?.executionStalled == true, "the lease has not lapsed, but its holder, a process of this host, is gone")
            if !markApplied && files.isEmpty {
                // Another approved change set of the stack waits until the dead apply is finished.
                try review.fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "Outputs:\n  Name:\n    Value: !Ref Assets\n")
                let next = try review.fixture.git.commit("add an output", author: ReviewFixture.outsider)
                let other = try await review.fixture.createStackChangeSet(commits: [next], in: review.store)
                try await review.review(other, as: "amara")
                let started = try await review.store.execution(id: "ex-dead0001").startedAt
                await #expect(throws: ApplyError.unfinishedExecution(stack: "web", executionID: "ex-dead0001", startedAt: started)) {
                    _ = try await Self.application(review).apply(changeSetID: other.id, actor: "amara", repository: try review.fixture.repository())
                }
            }
            let report = try await Self.application(review).resume(
                changeSetID: record.id, actor: "amara", repository: try review.fixture.repository(), markApplied: markApplied)
            #expect(report.changeSet.status == expected, "\(report.output)")
            #expect(report.execution.id == "ex-dead0001")
            #expect(try await review.store.stackLock("web") == nil)
            #expect(try await review.store.verifyTables() == nil)
            try await review.store.close()
        }
    }

    @Test("--resume leaves alone a lock whose live holder's lease has not lapsed")
    func resumeRefusesLiveLock() async throws {
        let (review, record) = try await Self.approvedWeb()
        _ = try await review.store.transaction { tx in
            _ = try await tx.lockStack("web", executionID: "ex-live0001", holder: "elsewhere pid 7", leaseSeconds: 600, takeOver: nil)
            return try await tx.startExecution(id: "ex-live0001", changeSetID: record.id, actor: "amara")
        }
        await #expect(throws: ApplyError.self) {
            _ = try await Self.application(review).resume(changeSetID: record.id, actor: "amara", repository: try review.fixture.repository())
        }
        #expect(try await review.store.changeSet(id: record.id).status == .applying)
        let reader = StatusReader(store: review.store, clock: review.fixture.clock)
        #expect(try await reader.report(repository: try review.fixture.repository(), matching: "web").stacks.first?.executionStalled == false)
        // Ten minutes on, the lease has lapsed without renewal: status says the process is gone.
        review.fixture.clock.advance(by: 601)
        let later = try await reader.report(repository: try review.fixture.repository(), matching: "web").stacks.first
        #expect(later?.status == .applying)
        #expect(later?.executionStalled == true)
        try await review.store.close()
    }
}

/// Progress lines as a provider reported them.
actor LineCollector {
    private(set) var all: [String] = []

    func add(_ line: String) {
        all.append(line)
    }
}

/// `apply --due`: automatic change sets in an open window, never a first creation, exporters first.
@Suite("Apply due change sets")
struct ApplyDueTests {
    static let approvals = """
        policy-changes:
          - count: 2
            from: owners
        rules:
          - name: automatic
            stacks: [web, net, fresh]
            automatic: true
            require:
              - count: 1
                from: owners

        """
    static let net = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\nOutputs:\n  VpcId:\n    Value: !Ref Vpc\n    Export:\n      Name: shared-vpc\n"

    @Test("an importing stack goes after the stack whose export it imports; a first creation waits for an explicit apply")
    func due() async throws {
        let review = try await TrustedReview.make(extraFiles: ["Policies/approvals.yaml": Self.approvals, "Stacks/net/template.yaml": Self.net])
        let fixture = review.fixture
        try await fixture.recordStackApplied("web", at: fixture.firstCommit, in: review.store)
        try await fixture.recordStackApplied("net", at: fixture.firstCommit, in: review.store)
        // web starts importing an export that net only adds in its own, younger change set.
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "Outputs:\n  Vpc:\n    Value: !ImportValue shared-subnet\n")
        try fixture.git.write("Stacks/net/template.yaml", Self.net + "  Subnet:\n    Value: !Ref Vpc\n    Export:\n      Name: shared-subnet\n")
        try fixture.git.write("Stacks/fresh/template.yaml", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
        let change = try fixture.git.commit("import, export and a new stack", author: ReviewFixture.outsider)
        let web = try await fixture.createStackChangeSet("web", commits: [change], in: review.store)
        let net = try await fixture.createStackChangeSet("net", commits: [change], in: review.store)
        let fresh = try await fixture.createStackChangeSet("fresh", commits: [change], in: review.store)
        for record in [web, net, fresh] { try await review.review(record, as: "amara") }

        let results = try await ChangeSetApplication(store: review.store, clock: fixture.clock, holder: "test pid 1")
            .applyDue(actor: "timer", repository: try fixture.repository())
        #expect(results.map(\.stack) == ["net", "web"], "net exports what web imports; fresh is a first creation")
        #expect(results.allSatisfy { $0.report?.changeSet.status == .applied })
        #expect(try await review.store.changeSet(id: fresh.id).status == .approved)
        #expect(try await ChangeSetApplication(store: review.store, clock: fixture.clock).applyDue(actor: "timer", repository: try fixture.repository()).isEmpty)
        try await review.store.close()
    }
}

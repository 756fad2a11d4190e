import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

@Suite("sync: commits to change sets")
struct SyncTests {
    @Test("several commits to one stack make one change set listing them all, oldest first", arguments: SyncStoreKind.allCases)
    func coalescing(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs"]))
        let first = try fixture.git.commit("add network")
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs", "Flows"]))
        let second = try fixture.git.commit("add flows")
        try fixture.git.write("README.md", "docs\n")
        try fixture.git.commit("docs only")
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs", "Flows", "Audit"]))
        try fixture.git.write("Stacks/storage/template.yaml", bucketTemplate(["Data"]))
        let third = try fixture.git.commit("add audit and storage")

        let report = try await fixture.sync()

        #expect(report.created.map(\.stack) == ["network", "storage"])
        #expect(report.relevantCommits == 3)
        let network = try await fixture.changeSets("network")
        try #require(network.count == 1)
        #expect(network[0].commits == [first, second, third])
        #expect(network[0].targetCommit == third)
        #expect(network[0].status == .pending)
        #expect(network[0].baseStateVersion == 0)
        let changeSet = try JSONDecoder().decode(ChangeSet.self, from: Data(network[0].json.utf8))
        #expect(changeSet.changeSetType == .create)
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["Logs", "Flows", "Audit"])
        #expect(network[0].digest == changeSet.digest)
        #expect(try await fixture.changeSets("storage").map(\.commits) == [[third]])
        #expect(try await fixture.store.scanCursor(branch: "main") == third)
        try await fixture.close()
    }

    @Test("a newer commit supersedes the open change set, and the new one lists the old one's commits too", arguments: SyncStoreKind.allCases)
    func superseding(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs"]))
        try fixture.git.write("Stacks/storage/template.yaml", bucketTemplate(["Data"]))
        let first = try fixture.git.commit("add stacks")
        let old = try #require(try await fixture.sync().created.first { $0.stack == "network" })
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs", "Flows"]))
        let second = try fixture.git.commit("add flows")

        let report = try await fixture.sync()

        #expect(report.created.map(\.stack) == ["network"])
        #expect(report.created.first?.supersedes == old.id)
        let network = try await fixture.changeSets("network")
        #expect(network.map(\.status) == [.superseded, .pending])
        #expect(network.last?.commits == [first, second])
        #expect(network.last?.targetCommit == second)
        #expect(try await fixture.changeSets("storage").map(\.status) == [.pending])
        try await fixture.close()
    }

    @Test("running sync again with nothing new writes nothing", arguments: SyncStoreKind.allCases)
    func idempotent(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs"]))
        try fixture.git.commit("add network")
        try await fixture.sync()
        let head = try await fixture.store.auditHead()

        let again = try await fixture.sync()

        #expect(again.isNothingNew)
        #expect(again.created.isEmpty)
        #expect(try await fixture.store.auditHead() == head)
        #expect(try await fixture.changeSets("network").count == 1)
        try await fixture.close()
    }

    @Test("a stack is planned against its recorded state, and an edit that changes nothing makes no change set", arguments: SyncStoreKind.allCases)
    func recordedBase(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs"]))
        let first = try fixture.git.commit("add network")
        try await fixture.recordState("network", template: bucketTemplate(["Logs"]), commit: first)
        try await fixture.store.transaction { try await $0.setScanCursor(branch: "main", commit: first, actor: "test") }
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs"], comment: "just a comment"))
        try fixture.git.commit("comment only")

        let quiet = try await fixture.sync()
        #expect(quiet.created.isEmpty)
        #expect(quiet.unchanged == ["network"])

        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs", "Flows"]))
        try fixture.git.commit("add flows")
        let report = try await fixture.sync()
        let created = try #require(report.created.first)
        #expect(created.type == .update)
        #expect(created.baseStateVersion == 1)
        let changeSet = try JSONDecoder().decode(ChangeSet.self, from: Data(try await fixture.store.changeSet(id: created.id).json.utf8))
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["Flows"])
        try await fixture.close()
    }

    @Test("a deleted stack gets a change set that removes every recorded resource", arguments: SyncStoreKind.allCases)
    func deletedStack(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs", "Flows"]))
        let first = try fixture.git.commit("add network")
        try await fixture.recordState("network", template: bucketTemplate(["Logs", "Flows"]), commit: first)
        try await fixture.store.transaction { try await $0.setScanCursor(branch: "main", commit: first, actor: "test") }
        try fixture.git.remove("Stacks/network/template.yaml")
        let deletion = try fixture.git.commit("delete network")

        let report = try await fixture.sync()

        let created = try #require(report.created.first)
        #expect(created.stack == "network")
        #expect(created.targetCommit == deletion)
        let changeSet = try JSONDecoder().decode(ChangeSet.self, from: Data(try await fixture.store.changeSet(id: created.id).json.utf8))
        #expect(changeSet.resourceChanges.map(\.action) == [.remove, .remove])
        #expect(Set(changeSet.resourceChanges.map(\.logicalResourceId)) == ["Logs", "Flows"])
        #expect(changeSet.isDestructive)
        try await fixture.close()
    }

    @Test("a stack deleted before it was ever applied withdraws its open change set", arguments: SyncStoreKind.allCases)
    func deletedBeforeApplied(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs"]))
        try fixture.git.commit("add network")
        let open = try #require(try await fixture.sync().created.first)
        try fixture.git.remove("Stacks/network/template.yaml")
        try fixture.git.commit("delete network")

        let report = try await fixture.sync()

        #expect(report.created.isEmpty)
        #expect(report.withdrawn == [open.id])
        #expect(try await fixture.store.changeSet(id: open.id).status == .superseded)
        try await fixture.close()
    }

    @Test("a change under Policies/ gets a policy change set naming each file's blobs", arguments: SyncStoreKind.allCases)
    func policyChangeSet(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Policies/reviewers.yaml", "reviewers: []\n")
        try fixture.git.write("Stacks/network/template.yaml", bucketTemplate(["Logs"]))
        try fixture.git.commit("initial")
        let initial = try #require(try await fixture.sync().created.first { $0.stack == StackLayout.policiesFolder })
        // Withdrawn, so that the next policy change set covers only the next commit.
        _ = try await fixture.store.transaction { transaction in
            try await transaction.transition(changeSetID: initial.id, to: .cancelled, actor: "test", reason: "trusted by init")
        }
        try fixture.git.write("Policies/reviewers.yaml", "reviewers: [alice]\n")
        try fixture.git.write("Policies/approvals.yaml", "rules: []\n")
        let change = try fixture.git.commit("policies")

        let report = try await fixture.sync()

        let created = try #require(report.created.first)
        #expect(created.stack == StackLayout.policiesFolder)
        #expect(created.kind == .policy)
        let record = try await fixture.store.changeSet(id: created.id)
        #expect(record.kind == .policy)
        #expect(record.targetCommit == change)
        let policy = try JSONDecoder().decode(PolicyChangeSet.self, from: Data(record.json.utf8))
        #expect(policy.files.map(\.path) == ["Policies/approvals.yaml", "Policies/reviewers.yaml"])
        #expect(policy.files.map(\.change) == [.added, .modified])
        #expect(policy.files[1].blobBefore == (try fixture.git.git("rev-parse", "\(change)~1:Policies/reviewers.yaml")).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(record.digest == policy.digest)
        #expect(try await fixture.changeSets("network").count == 1)
        try await fixture.close()
    }

    @Test("an open policy change set is superseded by one covering its commits and files too", arguments: SyncStoreKind.allCases)
    func policySuperseding(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Policies/reviewers.yaml", "reviewers: []\n")
        let first = try fixture.git.commit("initial")
        let old = try #require(try await fixture.sync().created.first)
        try fixture.git.write("Policies/approvals.yaml", "rules: []\n")
        let second = try fixture.git.commit("approvals")

        let created = try #require(try await fixture.sync().created.first)

        #expect(created.supersedes == old.id)
        let record = try await fixture.store.changeSet(id: created.id)
        #expect(record.commits == [first, second])
        let policy = try JSONDecoder().decode(PolicyChangeSet.self, from: Data(record.json.utf8))
        #expect(policy.files.map(\.path) == ["Policies/approvals.yaml", "Policies/reviewers.yaml"])
        #expect(policy.files.map(\.change) == [.added, .added])
        #expect(try await fixture.store.changeSet(id: old.id).status == .superseded)
        try await fixture.close()
    }

    @Test("--from starts the first sync at a commit, and is refused once the branch was synced", arguments: SyncStoreKind.allCases)
    func start(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Stacks/old/template.yaml", bucketTemplate(["Logs"]))
        try fixture.git.commit("old")
        try fixture.git.write("Stacks/new/template.yaml", bucketTemplate(["Data"]))
        let second = try fixture.git.commit("new")

        let report = try await fixture.sync(from: second)
        #expect(report.created.map(\.stack) == ["new"])

        await #expect(throws: SyncError.alreadySynced(branch: "main", cursor: second)) {
            try await fixture.sync(from: second)
        }
        try await fixture.close()
    }

    @Test("a template that cannot be planned gets a FAILED change set naming it; the other stacks sync on", arguments: SyncStoreKind.allCases)
    func unplannable(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Stacks/good/template.yaml", bucketTemplate(["Logs"]))
        try fixture.git.write("Stacks/broken/template.yaml", "Resources: [not, a, map]\n")
        let commit = try fixture.git.commit("one good, one broken")

        let report = try await fixture.sync()
        #expect(report.created.map(\.stack) == ["broken", "good"])
        #expect(report.created.map(\.status) == [.failed, .pending])
        let failed = try #require(try await fixture.changeSets("broken").first)
        #expect(failed.status == .failed)
        #expect(failed.targetCommit == commit)
        #expect(failed.statusReason?.contains("\(commit.prefix(7)):Stacks/broken/template.yaml") == true, "\(failed.statusReason ?? "")")
        #expect(try await fixture.store.scanCursor(branch: "main") == commit)
        #expect(try await fixture.store.verifyTables() == nil)
        try await fixture.close()
    }

    @Test("a template over CloudFormation's 1 MB limit in git is refused from its size, as a FAILED change set", arguments: [SyncStoreKind.sqlite])
    func oversizedBlob(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        try fixture.git.write("Stacks/huge/template.yaml", bucketTemplate(["Logs"]) + "# " + String(repeating: "x", count: 1_100_000) + "\n")
        let commit = try fixture.git.commit("a huge template")
        let report = try await fixture.sync()
        #expect(report.created.map(\.status) == [.failed])
        let failed = try #require(try await fixture.changeSets("huge").first)
        #expect(failed.statusReason?.contains("\(commit.prefix(7)):Stacks/huge/template.yaml: the template is 1100") == true, "\(failed.statusReason ?? "")")
        try await fixture.close()
    }

    @Test("four syncs racing in one process on one store create every change set once", arguments: SyncStoreKind.allCases)
    func racing(kind: SyncStoreKind) async throws {
        let fixture = try await SyncFixture.make(kind)
        for index in 0..<20 {
            try fixture.git.write("Stacks/stack-\(index)/template.yaml", bucketTemplate(["Bucket\(index)"]))
            try fixture.git.commit("add stack \(index)")
        }
        let path = fixture.git.path
        let reports = try await withThrowingTaskGroup(of: SyncReport.self) { group in
            for _ in 0..<4 {
                let store = fixture.store
                group.addTask {
                    try await ChangeSetSynchronizer(repository: try ManagedRepository(path: path), store: store, actor: "tollgate").sync()
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        #expect(reports.map(\.created.count).sorted() == [0, 0, 0, 20])
        let all = try await fixture.store.changeSets(ChangeSetFilter())
        #expect(all.count == 20)
        #expect(Set(all.map(\.stack)).count == 20)
        try await fixture.close()
    }
}

import Foundation
import Testing
import TollgateCore
@testable import TollgateEngine
import TollgateGit
import TollgateStore
import TollgateTestSupport

/// What the template work means for `sync`: nothing a template changes is invisible, and twin
/// templates are settled by the layout.
@Suite("Templates through sync")
struct TemplateSyncTests {
    @Test("Adding a macro makes a change set, and the change set is destructive for the rules")
    func hiddenTransform() async throws {
        let fixture = try await SyncFixture.make(.sqlite)
        try fixture.git.write("Stacks/orders/template.yaml", bucketTemplate(["Data"]))
        let first = try fixture.git.commit("add orders")
        try await fixture.recordState("orders", template: bucketTemplate(["Data"]), commit: first)
        try await fixture.store.transaction { try await $0.setScanCursor(branch: "main", commit: first, actor: "test") }
        try fixture.git.write("Stacks/orders/template.yaml", "Transform: [SomeMacro]\n" + bucketTemplate(["Data"]))
        try fixture.git.commit("add a macro", author: "Mallory Example <mallory@example.com>")

        let report = try await fixture.sync()
        let created = try #require(report.created.first)
        let record = try await fixture.store.changeSet(id: created.id)
        let subject = try await ManagedRepository(path: fixture.git.path).read { try $0.reviewSubject(for: record, isNewStack: false) }
        #expect(subject.isDestructive)
        #expect(subject.opaqueTransforms == ["SomeMacro"])
        try await fixture.close()
    }

    @Test("A StackPolicy in config.json is refused naming the file and where stack policies live")
    func stackPolicyInConfiguration() async throws {
        let fixture = try await SyncFixture.make(.sqlite)
        try fixture.git.write("Stacks/orders/template.yaml", bucketTemplate(["Data"]))
        try fixture.git.write("Stacks/orders/config.json", "{\"Parameters\": {},\n \"StackPolicy\": {\"Statement\": []}}\n")
        let commit = try fixture.git.commit("add orders")
        let managed = try ManagedRepository(path: fixture.git.path)
        let source = try #require(try await managed.stackSource("orders", at: commit))
        let error = #expect(throws: ConfigurationError.self) { try source.snapshot() }
        #expect(error.map { "\($0)" }?.contains("Policies/stack-policies/") == true)
        #expect(error.map { "\($0)" }?.contains("config.json:2:") == true)
        try await fixture.close()
    }

    @Test("Twin templates: prefer: yaml plans the YAML file")
    func twins() async throws {
        let fixture = try await SyncFixture.make(.sqlite)
        try fixture.git.write("tollgate.yaml", "prefer: yaml\n")
        try fixture.git.write("Stacks/orders/template.yaml", bucketTemplate(["FromYaml"]))
        try fixture.git.write("Stacks/orders/template.json", #"{"Resources": {"FromJson": {"Type": "AWS::S3::Bucket"}}}"#)
        try fixture.git.commit("add orders twice")

        let report = try await fixture.sync()
        let created = try #require(report.created.first)
        let changeSet = try JSONDecoder().decode(ChangeSet.self, from: Data(try await fixture.store.changeSet(id: created.id).json.utf8))
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["FromYaml"])
        try await fixture.close()
    }
}

import Foundation
import Testing
import TollgateCore

@Suite("Policy change sets and stack removals")
struct PolicyChangeSetTests {
    private let commit = String(repeating: "a", count: 40)

    private func file(_ path: String, _ before: String?, _ after: String?) throws -> PolicyFileChange {
        try #require(PolicyFileChange(path: path, blobBefore: before, blobAfter: after))
    }

    @Test("the digest depends on the commit and each file's blobs, not on the order files are given in")
    func digest() throws {
        let reviewers = try file("Policies/reviewers.yaml", "b1", "b2")
        let approvals = try file("Policies/approvals.yaml", nil, "c1")
        let one = PolicyChangeSet(commit: commit, files: [reviewers, approvals])
        #expect(one.files.map(\.path) == ["Policies/approvals.yaml", "Policies/reviewers.yaml"])
        #expect(one.digest.count == 64)
        #expect(PolicyChangeSet(commit: commit, files: [approvals, reviewers]).digest == one.digest)
        #expect(PolicyChangeSet(commit: String(repeating: "b", count: 40), files: [reviewers, approvals]).digest != one.digest)
        #expect(PolicyChangeSet(commit: commit, files: [try file("Policies/reviewers.yaml", "b1", "b3"), approvals]).digest != one.digest)
    }

    @Test("a file is added, modified or deleted by its blobs, and a reverted file is no change", arguments: [
        (String?.none, String?.some("x"), StackChangeKind?.some(.added)),
        ("x", "y", .modified),
        ("x", nil, .deleted),
        ("x", "x", nil),
    ])
    func kinds(before: String?, after: String?, expected: StackChangeKind?) {
        #expect(PolicyFileChange(path: "Policies/a.yaml", blobBefore: before, blobAfter: after)?.change == expected)
    }

    @Test("the JSON has the Kind, Commit, Files and Digest fields the review side reads")
    func json() throws {
        let changeSet = PolicyChangeSet(commit: commit, files: [try file("Policies/reviewers.yaml", nil, "b1")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(changeSet), as: UTF8.self)
        #expect(text == #"{"Commit":"\#(commit)","Digest":"\#(changeSet.digest)","Files":[{"BlobAfter":"b1","Change":"added","Path":"Policies\/reviewers.yaml"}],"Kind":"Policy"}"#)
        #expect(try JSONDecoder().decode(PolicyChangeSet.self, from: Data(text.utf8)) == changeSet)
    }

    @Test("the removal of a stack removes every recorded resource with its deletion policy")
    func removal() throws {
        let template = try TemplateParser.parse("""
            Resources:
              Logs:
                Type: AWS::S3::Bucket
                DeletionPolicy: Retain
              Queue:
                Type: AWS::SQS::Queue
            """, fileName: "recorded")
        let base = StackSnapshot(template: template, parameters: ResolvedParameters(values: [:]))
        let changeSet = try ChangePlanner().planRemoval(stackName: "network", commit: commit, base: base)
        #expect(changeSet.changeSetType == .update)
        #expect(changeSet.resourceChanges.map(\.action) == [.remove, .remove])
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["Logs", "Queue"])
        #expect(changeSet.resourceChanges.map(\.policyAction) == [.retain, .delete])
        #expect(changeSet.summary.removed == 2)
        #expect(changeSet.isDestructive)
    }
}

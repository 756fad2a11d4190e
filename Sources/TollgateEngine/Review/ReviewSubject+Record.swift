import Foundation
public import TollgateCore
public import TollgateStore

extension ManagedRepository {
    /// What the evaluator needs to know about a stored change set, read from the record and from
    /// git: its resource changes, and the authors and committers of its commits.
    ///
    /// For a policy change set the proposed `Policies/` files are read at its target commit and
    /// checked, so that a malformed proposal is unapprovable with errors naming file, line and
    /// field; a file that is not UTF-8 is such a problem too.
    /// - Parameter isNewStack: whether the stack has no recorded state yet.
    /// - Throws: ``ReviewError/unreadableChangeSet(changeSetID:reason:)`` when a stack change set's
    ///   JSON does not decode, ``ReviewError/malformedCommitID(_:changeSetID:)``, ``GitError``.
    public func reviewSubject(for record: ChangeSetRecord, isNewStack: Bool) throws -> ReviewSubject {
        var authors: Set<String> = []
        var committers: Set<String> = []
        for hex in record.commits {
            let commit = try repository.commit(try objectID(hex, changeSetID: record.id), neededBy: "change set \(record.id)")
            authors.insert(commit.author.email)
            committers.insert(commit.committer.email)
        }
        switch record.kind {
        case .policy:
            let target = try objectID(record.targetCommit, changeSetID: record.id)
            var texts: [String: String] = [:]
            var problems: [PolicyError] = []
            for (path, bytes) in try files(under: StackLayout.policiesFolder, at: target).sorted(by: { $0.key < $1.key }) {
                if let text = String(validating: bytes, as: UTF8.self) {
                    texts[path] = text
                } else {
                    problems.append(PolicyError(file: path, line: nil, column: nil, field: "", message: "is not UTF-8 text"))
                }
            }
            return ReviewSubject(
                changeSetID: record.id, target: .policies, digest: record.digest,
                authorEmails: authors, committerEmails: committers,
                proposedPolicyProblems: problems + PolicySet.problems(in: texts))
        case .stack:
            let changeSet: ChangeSet
            do {
                changeSet = try JSONDecoder().decode(ChangeSet.self, from: Data(record.json.utf8))
            } catch {
                throw ReviewError.unreadableChangeSet(changeSetID: record.id, reason: "\(error)")
            }
            return ReviewSubject(
                changeSetID: record.id, target: .stack(record.stack), digest: record.digest,
                resourceChanges: changeSet.resourceChanges.map(GuardedChange.init),
                isNewStack: isNewStack, authorEmails: authors, committerEmails: committers)
        }
    }
}

extension GuardedChange {
    /// Reduces a CloudFormation resource change to what rules and stack policies look at.
    init(_ change: ResourceChange) {
        let action: ResourceAction = switch (change.action, change.replacement) {
        case (.add, _): .add
        case (.remove, _): .remove
        case (.modify, .true): .replace
        case (.modify, .conditional): .conditionalReplace
        case (.modify, _): .modify
        }
        self.init(logicalID: change.logicalResourceId, resourceType: change.resourceType, action: action)
    }
}

extension ChangeSetRecord {
    /// What the change set's approval text names: its stack, or `Policies/`.
    public var reviewTarget: ReviewTarget {
        kind == .policy ? .policies : .stack(stack)
    }

    /// The exact text a reviewer signs to give `verdict` on this change set; no git access needed.
    public func approvalText(for verdict: ApprovalVerdict) -> String {
        ApprovalText.make(changeSetID: id, target: reviewTarget, digest: digest, verdict: verdict)
    }
}

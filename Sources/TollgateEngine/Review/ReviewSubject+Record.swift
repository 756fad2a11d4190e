import Foundation
public import TollgateCore
public import TollgateStore
import TollgateGit

extension OpenRepository {
    /// What the evaluator needs to know about a stored change set, read from the record and from
    /// git: its resource changes, and the authors and committers of its commits.
    ///
    /// For a policy change set the proposed `Policies/` files are read at its target commit and
    /// checked, so that a malformed proposal is unapprovable with errors naming file, line and
    /// field; a file that is not UTF-8 is such a problem too.
    /// - Parameters:
    ///   - isNewStack: whether the stack has no recorded state yet.
    ///   - brokenImports: exports the change removes that other stacks import (see
    ///     ``ReviewService``, which reads the other stacks' recorded states).
    /// - Throws: ``ReviewError/unreadableChangeSet(changeSetID:reason:)`` when a stack change set's
    ///   JSON does not decode, ``ReviewError/malformedCommitID(_:changeSetID:)``, ``GitError``.
    func reviewSubject(for record: ChangeSetRecord, isNewStack: Bool, brokenImports: [BrokenImport] = []) throws -> ReviewSubject {
        let commits = try commitSummaries(of: record)
        let authors = Set(commits.map(\.authorEmail))
        let committers = Set(commits.map(\.committerEmail))
        let signatures = try commits.map { commit in
            let signed = try repository.commitSignature(try objectID(commit.id, changeSetID: record.id))
            return CommitSignature(
                commit: commit.id, signature: signed.map { String(decoding: $0.signature, as: UTF8.self) },
                signedData: signed?.signedData ?? [])
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
            problems += try settingsProblems(at: target)
            return ReviewSubject(
                changeSetID: record.id, target: .policies, digest: record.digest,
                authorEmails: authors, committerEmails: committers, commitSignatures: signatures,
                proposedPolicyProblems: problems + PolicySet.problems(in: texts),
                proposedGuardWaivers: GuardPolicy.proposedWaivers(in: texts))
        case .stack:
            let changeSet = try record.stackChangeSet()
            return ReviewSubject(
                changeSetID: record.id, target: .stack(record.stack), digest: record.digest,
                resourceChanges: (changeSet?.resourceChanges ?? []).map(GuardedChange.init),
                opaqueTransforms: changeSet?.opaqueTransforms ?? [],
                isNewStack: isNewStack, authorEmails: authors, committerEmails: committers, commitSignatures: signatures,
                targetTemplate: try targetTemplate(of: record), brokenImports: brokenImports)
        }
    }

    /// The template a stack change set would apply, for the guard rules; nil for a removal or a
    /// change set that could not be planned.
    private func targetTemplate(of record: ChangeSetRecord) throws -> ReviewTemplate? {
        guard record.planFailure == nil,
              let source = try stackSource(record.stack, at: try objectID(record.targetCommit, changeSetID: record.id))
        else { return nil }
        return ReviewTemplate(fileName: source.displayName(of: source.templatePath), text: String(decoding: source.template, as: UTF8.self))
    }

    /// The mistakes of the `tollgate.yaml` at `commit`, if it has one: a proposed layout or branch
    /// that does not parse makes the policy change set unapprovable.
    private func settingsProblems(at commit: ObjectID) throws -> [PolicyError] {
        let tree = try repository.commit(commit).tree()
        guard let blob = try tree.blobID(atPath: StackLayout.settingsFile) else { return [] }
        let bytes = try repository.blobContents(blob, neededBy: "\(commit.short):\(StackLayout.settingsFile)")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return [PolicyError(file: StackLayout.settingsFile, line: nil, column: nil, field: "", message: "is not UTF-8 text")]
        }
        do {
            _ = try RepositorySettings.parse(text, file: StackLayout.settingsFile)
            return []
        } catch .malformedSettings(let file, let line, let column, let problem) {
            return [PolicyError(file: file, line: line, column: column, field: "", message: problem)]
        } catch {
            return [PolicyError(file: StackLayout.settingsFile, line: nil, column: nil, field: "", message: "\(error)")]
        }
    }

    /// The author, committer and summary of each commit a change set covers, oldest first, for
    /// the author rule and for `tollgate show`.
    ///
    /// - Throws: ``ReviewError/malformedCommitID(_:changeSetID:)``, ``ReviewError/commitGone(commit:changeSetID:)``
    ///   when a commit is no longer in the repository, ``GitError`` when it cannot be read.
    func commitSummaries(of record: ChangeSetRecord) throws -> [CommitSummary] {
        try record.commits.map { hex in
            let commit: Commit
            do {
                commit = try repository.commit(try objectID(hex, changeSetID: record.id), neededBy: "change set \(record.id)")
            } catch GitError.missingObject(_, _, shallow: false) {
                // A commit the store names is gone: history was rewritten and the commit pruned,
                // which is not damage that git fsck could find.
                throw ReviewError.commitGone(commit: hex, changeSetID: record.id)
            }
            return CommitSummary(
                id: hex, authorName: commit.author.name, authorEmail: commit.author.email,
                committerEmail: commit.committer.email, summary: commit.summary)
        }
    }
}

/// One commit of a change set, copied out of git so it can cross tasks.
public struct CommitSummary: Sendable, Hashable {
    /// The 40-hex commit id.
    public let id: String
    /// The author's name.
    public let authorName: String
    /// The author's e-mail address; a reviewer with this address cannot approve the change set.
    public let authorEmail: String
    /// The committer's e-mail address; it excludes a reviewer likewise.
    public let committerEmail: String
    /// The first line of the message.
    public let summary: String
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

    /// The stored CloudFormation-shaped change set of a stack change set; `nil` for a policy one.
    ///
    /// - Throws: ``ReviewError/unreadableChangeSet(changeSetID:reason:)`` when the JSON does not decode.
    public func stackChangeSet() throws -> ChangeSet? {
        guard kind == .stack, planFailure == nil else { return nil }
        do {
            return try JSONDecoder().decode(ChangeSet.self, from: Data(json.utf8))
        } catch {
            throw ReviewError.unreadableChangeSet(changeSetID: id, reason: "\(error)")
        }
    }

    /// Why the stack could not be planned, for a change set recorded FAILED at its creation; nil
    /// for every other change set, including one whose apply failed.
    public var planFailure: PlanFailure? {
        guard kind == .stack, status == .failed else { return nil }
        return try? JSONDecoder().decode(PlanFailure.self, from: Data(json.utf8))
    }

    /// The exact text a reviewer signs to give `verdict` on this change set; no git access needed.
    public func approvalText(for verdict: ApprovalVerdict) -> String {
        ApprovalText.make(changeSetID: id, target: reviewTarget, digest: digest, verdict: verdict)
    }
}

public import Foundation
public import TollgateCore
import TollgateGit
public import TollgateStore

/// The guard rules of the policy in force run over the templates of one commit (the branch's
/// tip by default): what `tollgate check` and `tollgate guard report` show.
public struct GuardCheck: Sendable {
    /// The commit whose `Policies/guards/` decided.
    public let policyCommit: String
    /// The commit whose templates were checked.
    public let commit: String
    /// One report per stack checked, by stack name; each names its template by its path.
    public let reports: [GuardReport]

    /// Whether an enforced, unwaived error fails on some stack.
    public var blocks: Bool { reports.contains(where: \.blocks) }

    /// Checks `stacks` (every stack when nil) at `commit` under the policy in force in `store`.
    ///
    /// - Throws: ``ReviewError/noPolicyInForce`` before `tollgate init`, ``PlanError/stackNotFound(name:commit:known:)``
    ///   for a stack the commit does not have, ``GitError``, ``LayoutError``.
    public static func run(
        store: any StoreReader, repository: ManagedRepository, stacks: [String]? = nil, commit: String? = nil, at now: Date
    ) async throws -> GuardCheck {
        let policy = try await PolicyInForce.load(from: store, repository: repository)
        return try await run(policy: policy, repository: repository, stacks: stacks, commit: commit ?? repository.tipCommit, at: now)
    }

    /// Checks `stacks` at `commit` under `policy`.
    ///
    /// - Throws: as ``run(store:repository:stacks:commit:at:)``, without the store's errors.
    public static func run(policy: PolicyInForce, repository: ManagedRepository, stacks: [String]?, commit revision: String, at now: Date) async throws -> GuardCheck {
        let (commit, sources) = try await repository.read { git in
            let commit = try git.commitID(revision)
            let known = try git.stackNames(at: commit)
            for name in stacks ?? [] where !known.contains(name) {
                throw PlanError.stackNotFound(name: name, commit: commit.short, known: known)
            }
            return (commit.hex, try (stacks ?? known).compactMap { try git.stackSource($0, at: commit) })
        }
        // The rules are pure and need no repository, so they run off the pool.
        let reports = sources.map { source in
            policy.policy.guards.check(
                stack: source.name, template: String(decoding: source.template, as: UTF8.self),
                fileName: source.templatePath, at: now)
        }
        return GuardCheck(policyCommit: policy.commit, commit: commit, reports: reports)
    }
}

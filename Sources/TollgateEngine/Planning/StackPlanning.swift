public import TollgateCore
public import TollgateStore
import TollgateGit

/// One stack planned at one commit: the change set a sync would record, and the guard rules of the
/// policy in force run over the stack's template.
public struct StackPlan: Sendable {
    /// The change set from the stack's recorded state to the commit.
    public let changeSet: ChangeSet
    /// The guard rules' results; nil before `tollgate init` or when the commit removes the stack.
    public let guards: GuardCheck?
}

/// Plans one stack at a commit against the state recorded in the store, writing nothing: what
/// `tollgate plan` shows.
public struct StackPlanning: Sendable {
    /// The store that holds the stack's recorded state and the policy in force.
    public let store: any StoreReader
    /// The clock that decides which guard waivers still hold.
    public let clock: any WallClock

    /// Creates the use case over `store`, reading time from `clock`.
    public init(store: any StoreReader, clock: any WallClock = SystemWallClock()) {
        self.store = store
        self.clock = clock
    }

    /// The change set of stack `stack` at `revision` (the branch's tip when nil), with the guard
    /// results under the policy in force.
    ///
    /// - Throws: ``PlanError/policiesNotAStack`` for the reserved `Policies` name,
    ///   ``PlanError/stackNotFound(name:commit:known:)`` when neither the commit nor the store has the
    ///   stack, ``GitError`` for an unknown revision, and the template and configuration errors that
    ///   name the file, line and column.
    public func plan(stack: String, at revision: String?, repository: ManagedRepository) async throws -> StackPlan {
        guard !StackLayout.isReservedName(stack) else { throw PlanError.policiesNotAStack }
        let state = try await store.stackState(stack)
        let base = try state?.snapshot()
        let (commit, changeSet, hasTemplate) = try await repository.read { git in
            let commit = try git.commitID(revision)
            guard let changeSet = try git.changeSet(for: stack, at: commit, against: base) else {
                throw PlanError.stackNotFound(name: stack, commit: commit.short, known: try git.stackNames(at: commit))
            }
            return (commit, changeSet, try git.stackSource(stack, at: commit) != nil)
        }
        // The guard rules of the policy in force, as the review will apply them; none before init.
        var guards: GuardCheck?
        if try await store.policyInForce() != nil, hasTemplate {
            guards = try await GuardCheck.run(store: store, repository: repository, stacks: [stack], commit: commit.hex, at: clock.now())
        }
        return StackPlan(changeSet: changeSet, guards: guards)
    }
}

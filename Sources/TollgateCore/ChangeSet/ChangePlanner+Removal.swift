extension ChangePlanner {
    /// The change set that removes every resource of a stack whose template was deleted.
    ///
    /// The target is a template with nothing in it, so every recorded resource is listed with
    /// Action `Remove` and its deletion policy, and every parameter, output and tag disappears;
    /// reviewers approve a deletion like any other destructive change.
    ///
    /// - Parameters:
    ///   - stackName: the stack's name, part of the digest.
    ///   - commit: the commit that deleted the template, part of the digest.
    ///   - base: the recorded state, which the removal takes away.
    /// - Throws: nothing in practice, since an empty target has no resource whose type could change;
    ///   the signature follows ``plan(stackName:commit:base:target:)``.
    public func planRemoval(stackName: String, commit: String, base: StackSnapshot) throws -> ChangeSet {
        let nothing = StackSnapshot(
            template: Template(fileName: "(stack \(stackName) deleted at \(commit))"),
            parameters: ResolvedParameters(values: [:]))
        return try plan(stackName: stackName, commit: commit, base: base, target: nothing)
    }
}

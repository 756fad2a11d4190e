public import TollgateCore
public import TollgateStore

extension StackStateRecord {
    /// The recorded state as the planner's base side: the applied template parsed again, with the
    /// parameter values and tags it was applied with.
    ///
    /// - Throws: ``TemplateError`` naming the stack's recorded state when the stored template no
    ///   longer parses, which means the store was edited by hand.
    public func snapshot() throws -> StackSnapshot {
        let template = try TemplateParser.parse(template, fileName: "recorded state of stack \(stack) (version \(stateVersion))")
        return StackSnapshot(template: template, parameters: ResolvedParameters(values: parameters), tags: tags)
    }
}

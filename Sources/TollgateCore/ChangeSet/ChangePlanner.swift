import Foundation

/// Predicts, offline, the change set CloudFormation would create for a stack update.
///
/// The planner compares the base snapshot (what was applied; nil for a new stack) with the
/// target snapshot resource by resource, after evaluating what is known before deployment
/// (parameters, conditions, `Fn::If`, `AWS::NoValue`). A property change requires
/// recreation when the resource type's schema lists the property as create-only (see
/// ``ReplacementTable``). Changes then flow along references in dependency order: a
/// replaced resource changes every resource that refers to it through `Ref`, `Fn::GetAtt` or
/// `Fn::Sub`, and a modified one every resource that reads its attributes, with Evaluation
/// `Dynamic`, as CloudFormation reports them. The planner is a pure function of its inputs.
public struct ChangePlanner: Sendable {
    /// The create-only property data used to predict replacement.
    public let replacementTable: ReplacementTable

    /// A planner using the generated replacement data, or a given table in tests.
    public init(replacementTable: ReplacementTable = .shared) {
        self.replacementTable = replacementTable
    }

    /// Computes the change set that turns `base` into `target`.
    ///
    /// - Parameters:
    ///   - stackName: the stack's name, part of the digest.
    ///   - commit: the commit the target was read from, part of the digest.
    ///   - base: the recorded state, or nil when the stack does not exist yet (`CREATE`).
    ///   - target: the state under review.
    /// - Throws: ``ChangePlanError/resourceTypeChanged(_:)`` when a logical id changes type.
    ///
    /// - Parameter providerChanges: what the deploying service said it would do beyond an earlier
    ///   plan of the same commit (CloudFormation's own change set), shown and bound by the digest
    ///   so that reviewers approve them too.
    public func plan(
        stackName: String, commit: String, base: StackSnapshot?, target: StackSnapshot, providerChanges: [ProviderChange] = []
    ) throws -> ChangeSet {
        let base = try base.map(Self.expandingLoops)
        let target = try Self.expandingLoops(target)
        let baseSnapshot = base ?? StackSnapshot(
            template: Template(fileName: "(new stack)"), parameters: ResolvedParameters(values: [:]))
        let before = try Self.resolver(for: baseSnapshot)
        let after = try Self.resolver(for: target)
        // A resource whose condition is known only at apply time may exist: it is compared, and
        // its change says that CloudFormation decides (see `existenceNote`).
        let oldResources = Dictionary(
            try baseSnapshot.template.resources.filter { before.mayExist(condition: $0.condition) }
                .map { ($0.logicalID, try before.evaluatingAttributes(of: $0)) },
            uniquingKeysWith: { first, _ in first })
        let newList = try target.template.resources.filter { after.mayExist(condition: $0.condition) }
            .map { try after.evaluatingAttributes(of: $0) }
        let newResources = Dictionary(newList.map { ($0.logicalID, $0) }, uniquingKeysWith: { first, _ in first })

        let typeChanges = newList.compactMap { resource -> ResourceTypeChange? in
            guard let old = oldResources[resource.logicalID], old.type != resource.type else { return nil }
            return ResourceTypeChange(logicalID: resource.logicalID, location: resource.location, before: old.type, after: resource.type)
        }
        guard typeChanges.isEmpty else { throw ChangePlanError.resourceTypeChanged(typeChanges) }

        let comparison = ResourceComparison(
            table: replacementTable, before: before, after: after,
            noEcho: baseSnapshot.parameters.noEcho.union(target.parameters.noEcho),
            stackTagsChanged: base != nil && !baseSnapshot.tags.hasSameBytes(as: target.tags),
            targetResources: newList)
        var changesByID: [String: ResourceChange] = [:]
        for logicalID in Self.dependencyOrder(newList.map(\.logicalID), references: comparison.references(of:)) {
            guard let resource = newResources[logicalID] else { continue }
            if let old = oldResources[logicalID] {
                let change: ResourceChange?
                do {
                    change = try comparison.modification(from: old, to: resource, changes: changesByID)
                } catch let exceeded as EvaluationLimitExceeded {
                    throw ChangePlanError.valuesTooLarge(
                        location: resource.location, owner: "resource '\(logicalID)'", problem: exceeded.problem)
                }
                if let change { changesByID[logicalID] = change }
            } else {
                changesByID[logicalID] = ResourceChange(action: .add, logicalResourceId: logicalID, resourceType: resource.type)
            }
        }

        for resource in newList {
            guard let note = Self.existenceNote(old: oldResources[resource.logicalID], new: resource, before: before, after: after)
            else { continue }
            var change = changesByID[resource.logicalID]
                ?? ResourceChange(action: .modify, logicalResourceId: resource.logicalID, resourceType: resource.type)
            if change.action == .modify, let old = oldResources[resource.logicalID] {
                // A resource that may be deleted rather than replaced is shown with its DeletionPolicy.
                let mayBeDeleted = change.replacement != .true && after.existence(condition: resource.condition) == .unknown
                change.replacement = max(change.replacement ?? .false, .conditional)
                change.policyAction = mayBeDeleted
                    ? .removal(deletionPolicy: old.deletionPolicy)
                    : .replacement(updateReplacePolicy: resource.updateReplacePolicy ?? old.updateReplacePolicy)
            }
            change.note = [change.note, note].compactMap { $0 }.joined(separator: " ")
            changesByID[resource.logicalID] = change
        }

        var changes = newList.compactMap { changesByID[$0.logicalID] }.map(Change.init(resourceChange:))
        for old in baseSnapshot.template.resources where oldResources[old.logicalID] != nil && newResources[old.logicalID] == nil {
            var removal = ResourceChange(action: .remove, logicalResourceId: old.logicalID, resourceType: old.type)
            removal.policyAction = .removal(deletionPolicy: oldResources[old.logicalID]?.deletionPolicy)
            removal.note = Self.existenceNote(old: old, new: nil, before: before, after: after)
            changes.append(Change(resourceChange: removal))
        }

        let templateChanges = TemplateComparison(
            base: baseSnapshot, target: target, before: before, after: after
        ).changes()
        var warnings: [String] = []
        var unknown: [String] = []
        if !target.parameters.unknown.isEmpty {
            unknown.append(
                "parameters \(target.parameters.unknown.sorted().joined(separator: ", ")) have no value and no Default: "
                    + "they are read as values known only at apply time, so what depends on them is Dynamic; "
                    + "plan and sync need a value.")
        }
        for warning in target.parameters.warnings + target.template.warnings + unknown where !warnings.contains(warning) {
            warnings.append(warning)
        }
        var changeSet = ChangeSet(
            changeSetType: base == nil ? .create : .update, stackName: stackName, commit: commit, digest: "",
            parameters: target.template.parameters.compactMap { parameter in
                target.parameters.displayValue(of: parameter.name).map {
                    ParameterValue(parameterKey: parameter.name, parameterValue: $0)
                }
            },
            tags: target.tags.keys.sorted().map { StackTag(key: $0, value: target.tags[$0] ?? "") },
            changes: changes, templateChanges: templateChanges,
            transforms: target.template.allTransforms.map(TransformUse.init(name:)), warnings: warnings)
        changeSet.providerChanges = providerChanges
        changeSet.digest = try Self.digest(of: changeSet, base: base, target: target)
        return changeSet
    }

    /// The resolver of one side; its conditions are evaluated at once, so their limit errors surface here.
    private static func resolver(for snapshot: StackSnapshot) throws -> ValueResolver {
        do {
            return try ValueResolver(
                template: snapshot.template, parameters: snapshot.parameters.values, unknownParameters: snapshot.parameters.unknown)
        } catch let exceeded as EvaluationLimitExceeded {
            throw ChangePlanError.valuesTooLarge(
                location: SourceLocation(fileName: snapshot.template.fileName, line: 1, column: 1),
                owner: "the template's Conditions", problem: exceeded.problem)
        }
    }

    /// Says that CloudFormation decides at apply time whether a resource exists, when its condition
    /// depends on parameters with no value on either side and that need not decide both sides alike;
    /// nil when its existence is known, or is the same unknown on both sides.
    static func existenceNote(
        old: TemplateResource?, new: TemplateResource?, before: ValueResolver, after: ValueResolver
    ) -> String? {
        let oldExistence = old.map { before.existence(condition: $0.condition) }
        let newExistence = new.map { after.existence(condition: $0.condition) }
        guard oldExistence == .unknown || newExistence == .unknown else { return nil }
        if oldExistence == .unknown, newExistence == .unknown, let condition = new?.condition, old?.condition == condition,
            before.decidesAlike(condition, as: after)
        {
            return nil
        }
        var clauses: [String] = []
        var parameters: Set<String> = []
        for (resource, resolver, side) in [(old, before, "before"), (new, after, "after")] {
            guard let resource, let condition = resource.condition, resolver.existence(condition: condition) == .unknown else {
                continue
            }
            clauses.append("condition \(condition) (\(side))")
            let reference = TemplateValue.map(TemplateMap([("Condition", .string(condition))]))
            parameters.formUnion(resolver.referencedParameters(in: reference).intersection(resolver.unknownParameters))
        }
        return "Whether this resource exists depends on \(clauses.joined(separator: " and ")), which reads parameters "
            + "with no value (\(parameters.sorted().joined(separator: ", "))): CloudFormation decides at apply time "
            + "whether it is created, kept or deleted."
    }

    /// The snapshot with its `Fn::ForEach` loops expanded with its own parameter values.
    private static func expandingLoops(_ snapshot: StackSnapshot) throws -> StackSnapshot {
        guard snapshot.template.transformNames.contains(TemplateLoop.transform) else { return snapshot }
        var expanded = snapshot
        expanded.template = try LoopExpansion(resolver: try resolver(for: snapshot)).expand(snapshot.template)
        return expanded
    }

    /// Logical ids ordered so that every resource comes after the resources it refers to.
    static func dependencyOrder(_ logicalIDs: [String], references: (String) -> [String]) -> [String] {
        let known = Set(logicalIDs)
        var visited: Set<String> = []
        var order: [String] = []
        order.reserveCapacity(logicalIDs.count)
        func visit(_ id: String) {
            guard known.contains(id), visited.insert(id).inserted else { return }
            for dependency in references(id) { visit(dependency) }
            order.append(id)
        }
        for id in logicalIDs { visit(id) }
        return order
    }

    /// What the digest covers: the stack, the commit, both states and every change.
    private struct DigestInput: Encodable {
        struct State: Encodable {
            var template: String
            var parameters: [String: String]
            var tags: [String: String]
        }

        var stack: String
        var commit: String
        var changeSetType: ChangeSetType
        var base: State?
        var target: State
        var changes: [Change]
        var templateChanges: [TemplateChange]
        /// Absent when the template has no transform, so that digests of such change sets
        /// stay what they were before transforms entered the change set.
        var transforms: [TransformUse]?
        /// Absent unless the service showed more than an earlier plan, for the same reason.
        var providerChanges: [ProviderChange]?
    }

    /// Hex SHA-256 over the canonical JSON of ``DigestInput``. NoEcho values enter masked, so
    /// the digest, which is stored and shown, reveals nothing about them.
    private static func digest(of changeSet: ChangeSet, base: StackSnapshot?, target: StackSnapshot) throws -> String {
        func state(_ snapshot: StackSnapshot) -> DigestInput.State {
            var parameters: [String: String] = [:]
            for name in snapshot.parameters.values.keys {
                parameters[name] = snapshot.parameters.displayValue(of: name)
            }
            return DigestInput.State(template: snapshot.template.contentDigest, parameters: parameters, tags: snapshot.tags)
        }
        let input = DigestInput(
            stack: changeSet.stackName, commit: changeSet.commit, changeSetType: changeSet.changeSetType,
            base: base.map(state), target: state(target), changes: changeSet.changes,
            templateChanges: changeSet.templateChanges,
            transforms: changeSet.transforms.isEmpty ? nil : changeSet.transforms,
            providerChanges: changeSet.providerChanges.isEmpty ? nil : changeSet.providerChanges)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return CanonicalEncoding.sha256Hex(try encoder.encode(input))
    }
}

/// An output `Export` that a change set removes or renames while another stack still imports it
/// with `Fn::ImportValue`; CloudFormation would fail such an update half way, so Tollgate blocks
/// its approval up front.
public struct BrokenImport: Sendable, Hashable, Codable {
    /// The export's name as the recorded state resolves it.
    public var exportName: String
    /// The output that exported it.
    public var output: String
    /// The stacks whose recorded state imports it, sorted.
    public var importers: [String]

    /// Creates the value.
    public init(exportName: String, output: String, importers: [String]) {
        self.exportName = exportName
        self.output = output
        self.importers = importers
    }

    /// One sentence for `explain`.
    public var description: String {
        "the change removes or renames export \(exportName) (output \(output)), which stack\(importers.count == 1 ? "" : "s") "
            + "\(importers.joined(separator: ", ")) still import\(importers.count == 1 ? "s" : ""); change the importing stacks first"
    }
}

/// Which export names a stack offers and which it imports, from its snapshots.
///
/// Names are resolved offline, as the planner resolves values: parameters, `AWS::StackName`,
/// `Fn::Sub`, `Fn::Join`, `Fn::If` on known conditions. A name that cannot be resolved offline
/// (say it uses `AWS::AccountId`) is compared as written, so the same expression still matches.
public enum ExportUsage {
    /// The exports `stack`'s change from `base` to `target` removes (or renames) that one of
    /// `others` (stack name to recorded snapshot) still imports; `target` nil removes the stack.
    public static func brokenImports(stack: String, base: StackSnapshot?, target: StackSnapshot?, others: [String: StackSnapshot]) -> [BrokenImport] {
        brokenImports(stack: stack, removed: removedExports(stack: stack, base: base, target: target), others: others)
    }

    /// The exports (name to output) that `stack`'s change from `base` to `target` removes or
    /// renames; only a change with some needs the other stacks' states looked at.
    public static func removedExports(stack: String, base: StackSnapshot?, target: StackSnapshot?) -> [String: String] {
        guard let base else { return [:] }
        let before = exports(stack: stack, snapshot: base)
        guard !before.isEmpty else { return [:] }
        let after = target.map { exports(stack: stack, snapshot: $0) } ?? [:]
        return before.filter { after[$0.key] == nil }
    }

    /// The exports in `removed` (name to output, from ``removedExports(stack:base:target:)``)
    /// that one of `others` still imports.
    public static func brokenImports(stack: String, removed: [String: String], others: [String: StackSnapshot]) -> [BrokenImport] {
        guard !removed.isEmpty else { return [] }
        var importers: [String: [String]] = [:]
        for (name, snapshot) in others.sorted(by: { $0.key < $1.key }) where name != stack {
            for imported in imports(stack: name, snapshot: snapshot) where removed[imported] != nil {
                importers[imported, default: []].append(name)
            }
        }
        return importers.keys.sorted().map { name in
            BrokenImport(exportName: name, output: removed[name] ?? "", importers: importers[name] ?? [])
        }
    }

    /// `stacks` (each name with the snapshot it will have, nil when it is removed), in the order
    /// they would otherwise be applied, reordered so that a stack comes after every other listed
    /// stack whose exports it imports: CloudFormation refuses an import of an export that does not
    /// exist yet. A cycle keeps the given order.
    public static func applyOrder(_ stacks: [(name: String, snapshot: StackSnapshot?)]) -> [String] {
        let exported = stacks.map { item in item.snapshot.map { Set(exports(stack: item.name, snapshot: $0).keys) } ?? [] }
        let imported = stacks.map { item in item.snapshot.map { imports(stack: item.name, snapshot: $0) } ?? [] }
        var remaining = Array(stacks.indices)
        var order: [String] = []
        while !remaining.isEmpty {
            let ready = remaining.first { index in
                !remaining.contains { other in other != index && !exported[other].isDisjoint(with: imported[index]) }
            } ?? remaining[0]
            order.append(stacks[ready].name)
            remaining.removeAll { $0 == ready }
        }
        return order
    }

    /// Export name to output name.
    static func exports(stack: String, snapshot: StackSnapshot) -> [String: String] {
        guard let resolver = resolver(stack: stack, snapshot: snapshot) else { return [:] }
        var result: [String: String] = [:]
        for output in snapshot.template.outputs where resolver.mayExist(condition: output.condition) {
            guard let written = output.exportName, let name = Self.name(written, resolver: resolver) else { continue }
            result[name] = output.name
        }
        return result
    }

    /// The export names the stack imports anywhere in its active resources and outputs.
    static func imports(stack: String, snapshot: StackSnapshot) -> Set<String> {
        guard let resolver = resolver(stack: stack, snapshot: snapshot) else { return [] }
        var names = Set<String>()
        func visit(_ value: TemplateValue, depth: Int) {
            guard depth < 200 else { return }
            switch value {
            case .function(.importValue, let argument):
                if let name = Self.name(argument, resolver: resolver) { names.insert(name) }
            case .function(_, let argument):
                visit(argument, depth: depth + 1)
            case .list(let items):
                for item in items { visit(item, depth: depth + 1) }
            case .map(let map):
                for (_, item) in map.pairs { visit(item, depth: depth + 1) }
            case .string, .number, .bool, .null:
                break
            }
        }
        for resource in snapshot.template.resources where resolver.mayExist(condition: resource.condition) {
            visit(.map(resource.properties), depth: 0)
            if let expression = resource.propertiesExpression { visit(expression, depth: 0) }
        }
        for output in snapshot.template.outputs where resolver.mayExist(condition: output.condition) {
            visit(output.value, depth: 0)
        }
        return names
    }

    private static func resolver(stack: String, snapshot: StackSnapshot) -> ValueResolver? {
        var parameters = snapshot.parameters.values
        parameters["AWS::StackName"] = stack
        return try? ValueResolver(template: snapshot.template, parameters: parameters, unknownParameters: snapshot.parameters.unknown)
    }

    /// The name a value resolves to, or its written form when it does not resolve to text.
    private static func name(_ value: TemplateValue, resolver: ValueResolver) -> String? {
        guard let resolved = (try? resolver.resolve(value)) ?? nil else { return nil }
        if let text = resolved.scalarText { return text }
        return "\(resolved)"
    }
}

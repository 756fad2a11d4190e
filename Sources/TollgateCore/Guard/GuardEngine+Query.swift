extension GuardEngine {
    /// Runs a query from the context's root value.
    func query(_ query: GuardQuery, in context: GuardContext) throws -> [GuardQueryResult] {
        try retrieve(query.parts, from: 0, current: context.root, in: context.with(keyCase: nil))
    }

    private func unresolved(_ current: GuardNode, _ parts: [GuardQueryPart], from index: Int, _ miss: GuardMiss) -> [GuardQueryResult] {
        [.unresolved(GuardUnresolved(traversedTo: current, parts: parts, index: index, miss: miss))]
    }

    private func child(_ node: GuardNode, _ key: String, _ value: GuardValue) -> GuardNode {
        GuardNode(value: value, chain: node.chain.appending(key))
    }

    /// One step of a query, following cfn-guard's `query_retrieval`.
    func retrieve(_ parts: [GuardQueryPart], from index: Int, current: GuardNode, in context: GuardContext) throws -> [GuardQueryResult] {
        guard index < parts.count else { return [.resolved(current)] }
        if index == 0, case .variable(let name) = parts[0] {
            var results: [GuardQueryResult] = []
            for value in try variable(name, from: context.scope) {
                switch value {
                case .unresolved:
                    results.append(value)
                case .resolved(let node), .literal(let node):
                    var next = 1
                    if parts.count > 1, case .allIndices = parts[1] { next = 2 }
                    if next < parts.count {
                        results += try retrieve(parts, from: next, current: node, in: context.with(root: node))
                    } else {
                        results.append(value)
                    }
                }
            }
            return results
        }
        switch parts[index] {
        case .this:
            return try retrieve(parts, from: index + 1, current: current, in: context)
        case .key(let key):
            if let number = Int32(key) {
                return try element(Int(number), of: current, parts, index, in: context)
            }
            guard case .map(let map) = current.value else {
                return unresolved(current, parts, from: index, .notStruct(key))
            }
            if let value = map[key] {
                return try retrieve(parts, from: index + 1, current: child(current, key, value), in: context)
            }
            for (keyCase, converted) in spellings(of: key) where context.keyCase == nil || context.keyCase == keyCase {
                if let value = map[converted] {
                    return try retrieve(
                        parts, from: index + 1, current: child(current, converted, value), in: context.with(keyCase: keyCase))
                }
            }
            return unresolved(current, parts, from: index, .noKey(key))
        case .variable(let name):
            guard case .map(let map) = current.value else {
                return unresolved(current, parts, from: index, .notStruct("%" + name))
            }
            var results: [GuardQueryResult] = []
            for keyResult in try variable(name, from: context.scope) {
                guard let keyValue = keyResult.resolvedValue else {
                    results += unresolved(current, parts, from: index, .unresolvedKeys(name))
                    continue
                }
                let keys: [GuardValue]
                if case .list(let items) = keyValue { keys = items } else { keys = [keyValue] }
                for key in keys {
                    guard case .string(let text) = key else {
                        throw GuardEvaluationFailure(problem: "%\(name) holds \(key.typeName), not text, as a key")
                    }
                    if let value = map[text] {
                        results += try retrieve(parts, from: index + 1, current: child(current, text, value), in: context)
                    } else {
                        results += unresolved(current, parts, from: index, .noKey(text))
                    }
                }
            }
            return results
        case .index(let position):
            return try element(position, of: current, parts, index, in: context)
        case .allIndices(let name):
            switch current.value {
            case .list(let items):
                return try accumulate(items, of: current, parts, index, in: context)
            case .map(let map):
                guard let name else { return try retrieve(parts, from: index + 1, current: current, in: context) }
                return try accumulate(map, of: current, parts, index, capture: name, in: context)
            default:
                return try retrieve(parts, from: index + 1, current: current, in: context)
            }
        case .allValues(let name):
            switch current.value {
            case .list(let items):
                return try accumulate(items, of: current, parts, index, in: context)
            case .map(let map):
                return try accumulate(map, of: current, parts, index, capture: name, in: context)
            default:
                return try retrieve(parts, from: index + 1, current: current, in: context)
            }
        case .filter(let name, let conjunctions):
            return try filter(conjunctions, capture: name, current: current, parts, index, in: context)
        case .mapKeyFilter(_, let comparison, let operand):
            guard case .map(let map) = current.value else {
                return unresolved(current, parts, from: index, .notKeysFilterable)
            }
            let expected: [GuardQueryResult]
            if case .query(let query) = operand {
                expected = try retrieve(query.parts, from: 0, current: current, in: context.with(keyCase: nil))
            } else {
                expected = try resolve(operand, in: context)
            }
            var results: [GuardQueryResult] = []
            for key in map.keys {
                guard try keyMatches(key, comparison, expected), let value = map[key] else { continue }
                results += try retrieve(parts, from: index + 1, current: child(current, key, value), in: context)
            }
            return results
        }
    }

    private func element(_ position: Int, of current: GuardNode, _ parts: [GuardQueryPart], _ index: Int, in context: GuardContext) throws -> [GuardQueryResult] {
        guard case .list(let items) = current.value else {
            return unresolved(current, parts, from: index, .notList(position))
        }
        // cfn-guard reads a negative index as its absolute value.
        let checked = position.magnitude
        guard checked < items.count else {
            return unresolved(current, parts, from: index, .outOfBounds(position))
        }
        return try retrieve(parts, from: index + 1, current: child(current, String(checked), items[Int(checked)]), in: context)
    }

    private func accumulate(_ items: [GuardValue], of current: GuardNode, _ parts: [GuardQueryPart], _ index: Int, in context: GuardContext) throws -> [GuardQueryResult] {
        guard !items.isEmpty else {
            return unresolved(current, parts, from: index, .noEntries)
        }
        var results: [GuardQueryResult] = []
        for (position, item) in items.enumerated() {
            let node = child(current, String(position), item)
            results += try retrieve(parts, from: index + 1, current: node, in: context.with(root: node))
        }
        return results
    }

    private func accumulate(_ map: GuardMap, of current: GuardNode, _ parts: [GuardQueryPart], _ index: Int, capture name: String?, in context: GuardContext) throws -> [GuardQueryResult] {
        guard !map.isEmpty else {
            return unresolved(current, parts, from: index, .noEntries)
        }
        var results: [GuardQueryResult] = []
        for key in map.keys {
            guard let value = map[key] else { continue }
            if let name { captureKey(name, key: key, from: context.scope) }
            let node = child(current, key, value)
            results += try retrieve(parts, from: index + 1, current: node, in: context.with(root: node))
        }
        return results
    }

    private func passes(_ conjunctions: [[GuardClause]], on node: GuardNode, in context: GuardContext) throws -> Bool {
        try quietlyEvaluate(conjunctions, in: context.with(root: node)) == .pass
    }

    private func filter(
        _ conjunctions: [[GuardClause]], capture name: String?, current: GuardNode, _ parts: [GuardQueryPart], _ index: Int,
        in context: GuardContext
    ) throws -> [GuardQueryResult] {
        var previousSpreads = false
        if index > 0 {
            switch parts[index - 1] {
            case .allValues, .allIndices: previousSpreads = true
            default: break
            }
        }
        switch current.value {
        case .map(let map):
            if previousSpreads {
                guard try passes(conjunctions, on: current, in: context) else { return [] }
                return try retrieve(parts, from: index + 1, current: current, in: context)
            }
            var results: [GuardQueryResult] = []
            for key in map.keys {
                guard let value = map[key] else { continue }
                let node = child(current, key, value)
                guard try passes(conjunctions, on: node, in: context) else { continue }
                if let name { captureKey(name, key: key, from: context.scope) }
                results += try retrieve(parts, from: index + 1, current: node, in: context.with(root: node))
            }
            return results
        case .list(let items):
            var results: [GuardQueryResult] = []
            for (position, item) in items.enumerated() {
                let node = child(current, String(position), item)
                guard try passes(conjunctions, on: node, in: context) else { continue }
                results += try retrieve(parts, from: index + 1, current: node, in: context)
            }
            return results
        default:
            if index > 0, case .allIndices = parts[index - 1] {
                guard try passes(conjunctions, on: current, in: context) else { return [] }
                return try retrieve(parts, from: index + 1, current: current, in: context)
            }
            return unresolved(current, parts, from: index, .notFilterable)
        }
    }

    /// Whether a map key satisfies `keys == value`, `keys in [...]` or their negations.
    private func keyMatches(_ key: String, _ comparison: GuardComparison, _ expected: [GuardQueryResult]) throws -> Bool {
        let keyValue = GuardValue.string(key)
        var candidates: [GuardValue] = []
        for result in expected {
            guard let value = result.resolvedValue else { continue }
            if case .list(let items) = value { candidates += items } else { candidates.append(value) }
        }
        var found = false
        for candidate in candidates {
            let equal: Bool
            do {
                equal = try comparer.equal(keyValue, candidate)
            } catch is GuardNotComparable {
                equal = false
            }
            if equal {
                found = true
                break
            }
        }
        return found != comparison.negated
    }
}

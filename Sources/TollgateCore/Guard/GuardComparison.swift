/// Two values of types Guard does not compare (an int and a string, a map and a number).
struct GuardNotComparable: Error {
    var reason: String
}

/// The result of comparing one pairing of left and right values.
enum GuardCompared {
    case value(lhs: GuardNode, rhs: GuardNode)
    case valueIn(lhs: GuardNode, rhs: GuardNode)
    case listIn(diff: [GuardValue], lhs: GuardNode, rhs: GuardNode)
    case queryIn(diff: [GuardNode], lhs: [GuardNode], rhs: [GuardNode])
}

/// One outcome of a binary comparison, before it becomes PASS or FAIL.
enum GuardComparisonOutcome {
    case lhsUnresolved(GuardUnresolved)
    case rhsUnresolved(GuardUnresolved, lhs: GuardNode)
    case notComparable(lhs: GuardNode, rhs: GuardNode, reason: String)
    case success(GuardCompared)
    case failure(GuardCompared)
}

/// Guard's comparison semantics, following cfn-guard 3's operators: how lists on either side
/// are spread, how `in` treats strings (substring) and lists (membership), and how `!=` and
/// `not in` invert the result.
struct GuardComparer {
    let regexes: GuardRegexCache

    // MARK: Scalar comparisons

    func order(_ first: GuardValue, _ second: GuardValue) throws -> Int {
        switch (first, second) {
        case (.null, .null): return 0
        case (.int(let a), .int(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.string(let a), .string(let b)):
            // Byte order, as Rust compares strings.
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : (a == b ? 0 : 1)
        case (.float(let a), .float(let b)):
            guard !a.isNaN, !b.isNaN else { throw GuardNotComparable(reason: "NaN is not comparable") }
            return a < b ? -1 : (a > b ? 1 : 0)
        case (.char(let a), .char(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        default:
            throw GuardNotComparable(reason: "\(first.typeName) and \(second.typeName) are not comparable")
        }
    }

    /// `==`, with regular expressions matching strings and ranges holding numbers; throws
    /// ``GuardNotComparable`` for values of unrelated types.
    func equal(_ first: GuardValue, _ second: GuardValue) throws -> Bool {
        switch (first, second) {
        case (.string(let text), .regex(let pattern)), (.regex(let pattern), .string(let text)):
            return try regexes.matches(pattern, text)
        case (.string(let a), .string(let b)): return a == b
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            for key in a.keys {
                guard let left = a[key], let right = b[key] else { return false }
                if try !equal(left, right) { return false }
            }
            return true
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for (left, right) in zip(a, b) where try !equal(left, right) { return false }
            return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.regex(let a), .regex(let b)): return a == b
        case (.int, .range(let range)), (.float, .range(let range)), (.char, .range(let range)):
            return range.contains(first)
        default:
            return try order(first, second) == 0
        }
    }

    /// Equality that never throws, as Rust's `PartialEq` for values: used for membership.
    func same(_ first: GuardValue, _ second: GuardValue) -> Bool {
        switch (first, second) {
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            return a.keys.allSatisfy { key in
                guard let left = a[key], let right = b[key] else { return false }
                return same(left, right)
            }
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let text), .regex(let pattern)), (.regex(let pattern), .string(let text)):
            return (try? regexes.matches(pattern, text)) ?? false
        case (.regex(let a), .regex(let b)): return a == b
        case (.int, .range(let range)), (.float, .range(let range)), (.char, .range(let range)):
            return range.contains(first)
        default:
            return (try? order(first, second)) == 0
        }
    }

    // MARK: Spreading results

    private func elements(_ node: GuardNode) -> [GuardNode] {
        guard case .list(let items) = node.value else { return [node] }
        return items.enumerated().map { GuardNode(value: $1, chain: node.chain.appending(String($0))) }
    }

    private func selected(_ results: [GuardQueryResult], unresolved: (GuardUnresolved) -> Void) -> [GuardNode] {
        var nodes: [GuardNode] = []
        for result in results {
            switch result {
            case .resolved(let node), .literal(let node): nodes.append(node)
            case .unresolved(let missing): unresolved(missing)
            }
        }
        return nodes
    }

    private func literal(_ results: [GuardQueryResult]) -> GuardNode? {
        guard results.count == 1, case .literal(let node) = results[0] else { return nil }
        return node
    }

    private func match(_ lhs: GuardNode, _ rhs: GuardNode, _ compare: (GuardValue, GuardValue) throws -> Bool) throws -> GuardComparisonOutcome {
        do {
            return try compare(lhs.value, rhs.value)
                ? .success(.value(lhs: lhs, rhs: rhs)) : .failure(.value(lhs: lhs, rhs: rhs))
        } catch let notComparable as GuardNotComparable {
            return .notComparable(lhs: lhs, rhs: rhs, reason: notComparable.reason)
        }
    }

    // MARK: Operators

    /// Compares every left value with the right values; nil when either side is empty (SKIP).
    func compare(_ comparison: GuardComparison, lhs: [GuardQueryResult], rhs: [GuardQueryResult]) throws -> [GuardComparisonOutcome]? {
        guard !lhs.isEmpty, !rhs.isEmpty else { return nil }
        let outcomes: [GuardComparisonOutcome]
        switch comparison.comparator {
        case .equal: outcomes = try equalOperation(lhs, rhs)
        case .in: outcomes = try inOperation(lhs, rhs)
        case .less: outcomes = try ordered(lhs, rhs) { try order($0, $1) < 0 }
        case .lessOrEqual: outcomes = try ordered(lhs, rhs) { try order($0, $1) <= 0 }
        case .greater: outcomes = try ordered(lhs, rhs) { try order($0, $1) > 0 }
        case .greaterOrEqual: outcomes = try ordered(lhs, rhs) { try order($0, $1) >= 0 }
        default: return []
        }
        guard comparison.negated else { return outcomes }
        return outcomes.map { invert($0, lhsCount: lhs.count, rhsCount: rhs.count, isEqual: comparison.comparator == .equal) }
    }

    private func ordered(_ lhs: [GuardQueryResult], _ rhs: [GuardQueryResult], _ compare: (GuardValue, GuardValue) throws -> Bool) throws -> [GuardComparisonOutcome] {
        var outcomes: [GuardComparisonOutcome] = []
        let left = selected(lhs) { outcomes.append(.lhsUnresolved($0)) }.flatMap(elements)
        let right = selected(rhs) { missing in outcomes.append(contentsOf: left.map { .rhsUnresolved(missing, lhs: $0) }) }
            .flatMap(elements)
        for each in left {
            for other in right { outcomes.append(try match(each, other, compare)) }
        }
        return outcomes
    }

    private func equalOperation(_ lhs: [GuardQueryResult], _ rhs: [GuardQueryResult]) throws -> [GuardComparisonOutcome] {
        var outcomes: [GuardComparisonOutcome] = []
        switch (literal(lhs), literal(rhs)) {
        case (.some(let left), .some(let right)):
            outcomes.append(try match(left, right, equal))
        case (.some(let left), .none):
            let right = selected(rhs) { outcomes.append(.rhsUnresolved($0, lhs: left)) }
            for each in right {
                if left.value.isList {
                    outcomes.append(try match(left, each, equal))
                } else {
                    for element in elements(each) { outcomes.append(try match(left, element, equal)) }
                }
            }
        case (.none, .some(let right)):
            let left = selected(lhs) { outcomes.append(.lhsUnresolved($0)) }
            if case .list(let items) = right.value {
                for each in left {
                    if each.value.isScalar && items.count == 1 {
                        outcomes.append(try match(each, GuardNode(value: items[0], chain: right.chain), equal))
                    } else {
                        outcomes.append(try match(each, right, equal))
                    }
                }
            } else {
                for each in left {
                    for element in elements(each) { outcomes.append(try match(element, right, equal)) }
                }
            }
        case (.none, .none):
            let left = selected(lhs) { outcomes.append(.lhsUnresolved($0)) }
            let right = selected(rhs) { missing in outcomes.append(contentsOf: left.map { .rhsUnresolved(missing, lhs: $0) }) }
            let diff = left.count > right.count
                ? left.filter { each in !right.contains { same($0.value, each.value) } }
                : right.filter { each in !left.contains { same($0.value, each.value) } }
            let compared = GuardCompared.queryIn(diff: diff, lhs: left, rhs: right)
            outcomes.append(diff.isEmpty ? .success(compared) : .failure(compared))
        }
        return outcomes
    }

    private func stringIn(_ lhs: GuardNode, _ rhs: GuardNode) -> GuardComparisonOutcome {
        guard case .string(let needle) = lhs.value, case .string(let haystack) = rhs.value else {
            return .notComparable(lhs: lhs, rhs: rhs, reason: "\(lhs.value.typeName) is not text")
        }
        let found = needle.isEmpty || haystack.contains(needle)
        return found ? .success(.value(lhs: lhs, rhs: rhs)) : .failure(.value(lhs: lhs, rhs: rhs))
    }

    private func containedIn(_ lhs: GuardNode, _ rhs: GuardNode) throws -> GuardComparisonOutcome {
        if case .list(let leftItems) = lhs.value {
            guard case .list(let rightItems) = rhs.value else {
                return .notComparable(lhs: lhs, rhs: rhs, reason: "a list cannot be in \(rhs.value.typeName)")
            }
            if let first = rightItems.first, first.isList {
                let found = rightItems.contains { same($0, lhs.value) }
                return found
                    ? .success(.listIn(diff: [], lhs: lhs, rhs: rhs)) : .failure(.listIn(diff: [lhs.value], lhs: lhs, rhs: rhs))
            }
            let diff = leftItems.filter { each in !rightItems.contains { same($0, each) } }
            let compared = GuardCompared.listIn(diff: diff, lhs: lhs, rhs: rhs)
            return diff.isEmpty ? .success(compared) : .failure(compared)
        }
        if case .list(let rightItems) = rhs.value {
            let found = rightItems.contains { same($0, lhs.value) }
            return found ? .success(.valueIn(lhs: lhs, rhs: rhs)) : .failure(.valueIn(lhs: lhs, rhs: rhs))
        }
        return try match(lhs, rhs, equal)
    }

    private func inOperation(_ lhs: [GuardQueryResult], _ rhs: [GuardQueryResult]) throws -> [GuardComparisonOutcome] {
        var outcomes: [GuardComparisonOutcome] = []
        switch (literal(lhs), literal(rhs)) {
        case (.some(let left), .some(let right)):
            let asText = stringIn(left, right)
            if case .success = asText { outcomes.append(asText) } else { outcomes.append(try containedIn(left, right)) }
        case (.some(let left), .none):
            let right = selected(rhs) { outcomes.append(.rhsUnresolved($0, lhs: left)) }
            if right.contains(where: { $0.value.isList }) {
                for each in right { outcomes.append(try containedIn(left, each)) }
            } else if case .list(let items) = left.value {
                let diff = items.enumerated()
                    .map { GuardNode(value: $1, chain: left.chain.appending(String($0))) }
                    .filter { each in !right.contains { same($0.value, each.value) } }
                let compared = GuardCompared.queryIn(diff: diff, lhs: [left], rhs: right)
                outcomes.append(diff.isEmpty ? .success(compared) : .failure(compared))
            } else {
                for each in right { outcomes.append(try containedIn(left, each)) }
            }
        case (.none, .some(let right)):
            let left = selected(lhs) { outcomes.append(.lhsUnresolved($0)) }
            for each in left {
                if case .string = right.value {
                    for element in elements(each) { outcomes.append(stringIn(element, right)) }
                } else {
                    outcomes.append(try containedIn(each, right))
                }
            }
        case (.none, .none):
            let left = selected(lhs) { outcomes.append(.lhsUnresolved($0)) }
            let right = selected(rhs) { missing in outcomes.append(contentsOf: left.map { .rhsUnresolved(missing, lhs: $0) }) }
            var diff: [GuardNode] = []
            for each in left {
                var found = false
                for other in right {
                    if case .success = try containedIn(each, other) {
                        found = true
                        break
                    }
                }
                if !found { diff.append(each) }
            }
            let compared = GuardCompared.queryIn(diff: diff, lhs: left, rhs: right)
            outcomes.append(diff.isEmpty ? .success(compared) : .failure(compared))
        }
        return outcomes
    }

    /// `!=` and `not in`: what succeeded fails and the reverse; unresolved and incomparable
    /// values fail either way, as in cfn-guard.
    private func invert(_ outcome: GuardComparisonOutcome, lhsCount: Int, rhsCount: Int, isEqual: Bool) -> GuardComparisonOutcome {
        switch outcome {
        case .failure(.queryIn(let diff, let lhs, let rhs)):
            let base = rhsCount >= lhsCount && isEqual ? rhs : lhs
            let reverse = base.filter { each in !diff.contains { same($0.value, each.value) } }
            let compared = GuardCompared.queryIn(diff: reverse, lhs: lhs, rhs: rhs)
            return reverse.isEmpty ? .success(compared) : .failure(compared)
        case .failure(.listIn(let diff, let lhs, let rhs)):
            guard case .list(let items) = lhs.value else { return .success(.listIn(diff: [], lhs: lhs, rhs: rhs)) }
            let reverse = items.filter { each in !diff.contains { same($0, each) } }
            let compared = GuardCompared.listIn(diff: reverse, lhs: lhs, rhs: rhs)
            return reverse.isEmpty ? .success(compared) : .failure(compared)
        case .failure(let other):
            return .success(other)
        case .success(.queryIn(_, let lhs, let rhs)):
            return .failure(.queryIn(diff: lhs, lhs: lhs, rhs: rhs))
        case .success(.listIn(_, let lhs, let rhs)):
            guard case .list(let items) = lhs.value else { return .failure(.listIn(diff: [], lhs: lhs, rhs: rhs)) }
            return .failure(.listIn(diff: items, lhs: lhs, rhs: rhs))
        case .success(let other):
            return .failure(other)
        case .lhsUnresolved, .rhsUnresolved, .notComparable:
            return outcome
        }
    }
}

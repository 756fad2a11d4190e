/// The outcome of a rule or clause, as Guard reports it.
public enum GuardStatus: String, Sendable, Codable, CaseIterable {
    /// Every clause that applied holds.
    case pass = "PASS"
    /// At least one clause that applied does not hold.
    case fail = "FAIL"
    /// Nothing applied: the `when` conditions did not hold or the queries found nothing.
    case skip = "SKIP"
}

/// One clause that did not hold, with where in the document it failed.
public struct GuardClauseFailure: Sendable, Equatable {
    /// The rule the clause belongs to.
    public var rule: String
    /// The logical id of the resource the failing value belongs to, when it is inside `Resources`.
    public var resource: String?
    /// The path of the failing value (`/Resources/Bucket/Properties/BucketName`); empty when the
    /// query found nothing at all.
    public var path: String
    /// The line of the failing value in the document, when known.
    public var line: Int?
    /// What was checked and what was found.
    public var message: String
    /// The rule author's `<< message >>`, when there is one.
    public var customMessage: String?
    /// Where the clause is written in the rule file.
    public var clause: SourceLocation
}

/// The status of one rule of a file against one document.
public struct GuardRuleResult: Sendable, Equatable {
    /// The rule's name.
    public var name: String
    /// PASS, FAIL or SKIP.
    public var status: GuardStatus
    /// The clauses that failed, when the status is FAIL.
    public var failures: [GuardClauseFailure]
}

/// What a query step produced: a value found in the document, a literal from the rules, or
/// the place where the query could not go on.
enum GuardQueryResult {
    case resolved(GuardNode)
    case literal(GuardNode)
    case unresolved(GuardUnresolved)

    var isUnresolved: Bool {
        if case .unresolved = self { return true }
        return false
    }

    /// The value, or the last value reached for an unresolved query.
    var node: GuardNode {
        switch self {
        case .resolved(let node), .literal(let node): return node
        case .unresolved(let unresolved): return unresolved.traversedTo
        }
    }

    /// The value, when the query resolved.
    var resolvedValue: GuardValue? {
        switch self {
        case .resolved(let node), .literal(let node): return node.value
        case .unresolved: return nil
        }
    }
}

/// Where a query stopped and why; the texts are built only when a report needs them.
struct GuardUnresolved {
    var traversedTo: GuardNode
    var parts: [GuardQueryPart]
    var index: Int
    var miss: GuardMiss

    /// The part of the query that could not be followed.
    var remaining: String {
        GuardQuery(parts: Array(parts[min(index, parts.count)...]), matchAll: true).rendered
    }

    /// Why the query stopped, naming the place.
    var reason: String {
        let place = traversedTo.path.isEmpty ? "/" : traversedTo.path
        switch miss {
        case .noKey(let key): return "no key \(key) at \(place)"
        case .notStruct(let key): return "\(place) is \(traversedTo.value.typeName), not a struct with key \(key)"
        case .notList(let position): return "\(place) is \(traversedTo.value.typeName), not a list to index with \(position)"
        case .outOfBounds(let position): return "index \(position) is out of bounds at \(place)"
        case .noEntries: return "no entries at \(place)"
        case .unresolvedKeys(let name): return "the keys in %\(name) did not resolve"
        case .notFilterable: return "a filter needs a struct or a list at \(place)"
        case .notKeysFilterable: return "a keys filter needs a struct at \(place)"
        }
    }
}

/// The ways a query step can fail to go on.
enum GuardMiss {
    case noKey(String)
    case notStruct(String)
    case notList(Int)
    case outOfBounds(Int)
    case noEntries
    case unresolvedKeys(String)
    case notFilterable
    case notKeysFilterable
}

/// Walks the audit trail entry by entry and finds the first place where it was tampered with.
///
/// It keeps only the last hash and sequence, so a trail of any length is checked in constant memory
/// while it streams out of the store. Feed it every entry in sequence order with ``check(_:)``, then
/// call ``finish()``.
///
/// A trail may also be checked in two parts at once, each by its own verifier: the later part's
/// starts at its first entry (``init(expectedHead:startingAt:)``), and ``finish(after:)`` checks
/// the link between the parts and gives the verdict one verifier fed both parts in order gives.
public struct AuditChainVerifier: Sendable {
    /// The head hash exported earlier (`tollgate audit head`), which must still be in the chain.
    public let expectedHead: String?
    /// How many entries passed so far.
    public private(set) var verifiedCount: Int = 0
    /// The sequence of the last entry that passed, or 0 before the first.
    public private(set) var lastSequence: Int64 = 0
    /// The hash of the last entry that passed, or ``AuditEntry/genesisHash`` before the first.
    public private(set) var headHash: String = AuditEntry.genesisHash
    private var expectedHeadSeen = false
    private var defect: AuditDefect?
    /// The sequence and previous hash of the first entry of a later part, taken as given.
    private var start: (sequence: Int64, previousHash: String)?
    /// One buffer for every entry's canonical encoding, so that a long trail allocates none.
    private var scratch: [UInt8] = []

    /// Creates a verifier; pass `expectedHead` to catch a trail whose tail was cut off or which was
    /// rewritten as a whole, neither of which leaves a broken link behind.
    public init(expectedHead: String? = nil) {
        self.expectedHead = expectedHead?.lowercased()
    }

    /// Creates the verifier of a later part of the trail, whose first entry is `first`: its link to
    /// the entry before it is taken as given until ``finish(after:)`` checks it. Feed it `first` too.
    public init(expectedHead: String? = nil, startingAt first: AuditEntry) {
        self.init(expectedHead: expectedHead)
        lastSequence = first.sequence - 1
        headHash = first.previousHash
        start = (first.sequence, first.previousHash)
    }

    /// Checks the next entry and returns the first defect found, after which it checks nothing more.
    @discardableResult
    public mutating func check(_ entry: AuditEntry) -> AuditDefect? {
        if let defect { return defect }
        if let broken = linkDefect(sequence: entry.sequence, previousHash: entry.previousHash) {
            defect = broken
        } else if !entry.hashMatchesContent(scratch: &scratch) {
            defect = AuditDefect(sequence: entry.sequence, kind: .contentMismatch)
        } else {
            verifiedCount += 1
            lastSequence = entry.sequence
            headHash = entry.hash
            if entry.hash == expectedHead { expectedHeadSeen = true }
        }
        return defect
    }

    /// Whether an entry with `sequence` and `previousHash` comes next, as the first two tests of ``check(_:)``.
    private func linkDefect(sequence: Int64, previousHash: String) -> AuditDefect? {
        let expected = lastSequence + 1
        if sequence != expected {
            return AuditDefect(sequence: expected, kind: sequence > expected ? .missing(next: sequence) : .outOfOrder(found: sequence))
        }
        return previousHash == headHash ? nil : AuditDefect(sequence: sequence, kind: .brokenLink)
    }

    /// The verdict over the `earlier` part of the trail and this later part (made with
    /// ``init(expectedHead:startingAt:)``, or fed nothing), including the link between them.
    public func finish(after earlier: AuditChainVerifier) -> AuditVerification {
        guard let start else { return earlier.finish() }
        var joined = earlier
        if joined.defect == nil { joined.defect = joined.linkDefect(sequence: start.sequence, previousHash: start.previousHash) }
        guard joined.defect == nil else { return joined.finish() }
        joined.defect = defect
        joined.verifiedCount += verifiedCount
        joined.lastSequence = lastSequence
        joined.headHash = headHash
        joined.expectedHeadSeen = joined.expectedHeadSeen || expectedHeadSeen
        return joined.finish()
    }

    /// The verdict over all entries checked, including the check against ``expectedHead``.
    public func finish() -> AuditVerification {
        if let defect { return .tampered(defect, verifiedCount: verifiedCount) }
        if let expectedHead, !expectedHeadSeen {
            let defect = AuditDefect(sequence: lastSequence + 1, kind: .headNotFound(expectedHead))
            return .tampered(defect, verifiedCount: verifiedCount)
        }
        return .intact(count: verifiedCount, head: headHash)
    }
}

/// Verifies a whole trail held in memory; see ``AuditChainVerifier`` for trails that stream.
public enum AuditChain: Sendable {
    /// Checks `entries`, in sequence order, against each other and against `expectedHead`.
    public static func verify(_ entries: some Sequence<AuditEntry>, expectedHead: String? = nil) -> AuditVerification {
        var verifier = AuditChainVerifier(expectedHead: expectedHead)
        for entry in entries {
            if verifier.check(entry) != nil { break }
        }
        return verifier.finish()
    }
}

/// The verdict on an audit trail.
public enum AuditVerification: Sendable, Equatable {
    /// Every entry links to the one before it and matches its hash; `head` is the last hash
    /// (``AuditEntry/genesisHash`` for an empty trail).
    case intact(count: Int, head: String)
    /// The trail was changed; `verifiedCount` entries before the defect passed.
    case tampered(AuditDefect, verifiedCount: Int)
}

/// The first place where an audit trail fails verification.
public struct AuditDefect: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong there.
    public enum Kind: Sendable, Equatable {
        /// The entry's content does not match its hash: it was edited.
        case contentMismatch
        /// The entry does not name the hash of the entry before it: entries were deleted, inserted or reordered.
        case brokenLink
        /// No entry has this sequence number; the next one found has `next`: entries were deleted.
        case missing(next: Int64)
        /// An entry with an earlier sequence number `found` appears here: entries were reordered or duplicated.
        case outOfOrder(found: Int64)
        /// The exported head hash is nowhere in the chain: its tail was cut off or the whole chain was rewritten.
        case headNotFound(String)
    }

    /// The first sequence number that is bad.
    public let sequence: Int64
    /// What is wrong with it.
    public let kind: Kind

    /// Creates a defect at `sequence`.
    public init(sequence: Int64, kind: Kind) {
        self.sequence = sequence
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .contentMismatch:
            return "Audit entry \(sequence) does not match its hash: it was edited after it was written."
        case .brokenLink:
            return "Audit entry \(sequence) does not link to the entry before it: entries were deleted, inserted or reordered."
        case .missing(let next):
            return "Audit entry \(sequence) is missing (the next entry is \(next)): entries were deleted."
        case .outOfOrder(let found):
            return "Audit entry \(found) appears where entry \(sequence) belongs: entries were reordered or duplicated."
        case .headNotFound(let head):
            return "The exported head \(head) is not in the audit trail (it ends before sequence \(sequence)): entries were cut from its end or the whole trail was rewritten."
        }
    }
}

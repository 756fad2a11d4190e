import Crypto

/// What the audit trail says every derived table holds, kept small enough to check a trail of
/// millions of entries in little memory.
///
/// A trail too long for even that is summarised in parts: the store writes out what the summary
/// holds (``drain(into:)``) and starts again empty, and later merges the parts in order (the `merge`
/// functions). An entry about a row the summary no longer holds then leaves a partial row, which
/// the merge lays over the earlier part's row as applying the entry to it would have.
///
/// The tables that grow with the trail (change sets, verdicts, attributed commits, executions)
/// keep per row only what the table check compares, the fields it prints as 16-byte
/// ``Fingerprint``s, and the entry that last set them; the few stack states, policy revisions and
/// scan cursors are kept whole, as ``AuditReplay`` keeps them. A row whose fingerprint differs is
/// compared again field by field against an ``AuditReplay`` of the entries about it alone, so that
/// the disagreement is named exactly as a replay of the whole trail names it.
public struct AuditTableSummary: Sendable {
    /// The first 16 bytes of a SHA-256 over length-prefixed values: equal only for equal values.
    public struct Fingerprint: Hashable, Sendable {
        /// The first 8 bytes, big-endian.
        public let high: UInt64
        /// The next 8 bytes, big-endian.
        public let low: UInt64

        /// The fingerprint with these bytes, as read back from where ``high`` and ``low`` were written.
        public init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }

        /// The fingerprint of `values` in order; nil and the empty text differ.
        public init(_ values: String?...) {
            var bytes: [UInt8] = []
            for value in values { Self.append(value, to: &bytes) }
            self.init(bytes: bytes)
        }

        /// The fingerprint of values already written with ``append(_:to:)``.
        init(bytes: [UInt8]) {
            (high, low) = SHA256.hash(data: bytes).withUnsafeBytes { digest in
                (UInt64(bigEndian: digest.loadUnaligned(as: UInt64.self)),
                 UInt64(bigEndian: digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
        }

        /// The fingerprint of the empty text, which most status reasons are.
        static let emptyText = Fingerprint("")

        /// Writes `value` as a marker byte, its UTF-8 length in 8 bytes and its bytes, so that no
        /// two lists of values write the same bytes.
        static func append(_ value: String?, to bytes: inout [UInt8]) {
            guard let value else {
                bytes.append(0)
                return
            }
            bytes.append(1)
            let count = UInt64(value.utf8.count)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: count >> UInt64(shift))) }
            bytes.append(contentsOf: value.utf8)
        }
    }

    /// A change set as its entries describe it: its status in full, the rest fingerprinted.
    public struct ChangeSet: Sendable, Equatable {
        /// The recorded creation fields, in the order of ``CreationField``.
        public var creation: Fingerprint
        /// The status reason, where none counts as the empty text (as the check compares it).
        public var reason: Fingerprint
        /// The entry that last set these values.
        public var sequence: Int64
        /// The status its last entry gave it.
        public var status: ChangeSetStatus
        /// Which of ``CreationField`` the creation entry recorded; only those are compared.
        public var recorded: CreationFields
        /// Whether a creation entry set these values, rather than only a transition of a change
        /// set the summary did not hold.
        public var isCreated: Bool
        /// Whether the table check found its row.
        public var isSeen = false

        /// A change set row as a part of the summary held it.
        public init(creation: Fingerprint, reason: Fingerprint, sequence: Int64, status: ChangeSetStatus, recorded: CreationFields, isCreated: Bool) {
            self.creation = creation
            self.reason = reason
            self.sequence = sequence
            self.status = status
            self.recorded = recorded
            self.isCreated = isCreated
        }
    }

    /// The values of a change set row that its creation entry may record.
    public enum CreationField: Int, CaseIterable, Sendable {
        case stack, kind, targetCommit, digest, baseStateVersion, commits, bodySHA256
    }

    /// A set of ``CreationField``s.
    public struct CreationFields: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Whether `field` is in the set.
        public func contains(_ field: CreationField) -> Bool { rawValue & 1 << field.rawValue != 0 }
    }

    /// A reviewer's verdict: approve or reject in full, the rest fingerprinted.
    public struct Verdict: Sendable, Equatable {
        /// The recorded digest and signature fingerprint (where recorded) and the reason.
        public var fingerprint: Fingerprint
        /// The entry that recorded the verdict.
        public var sequence: Int64
        /// Approve, or reject.
        public var approve: Bool
        /// Whether the entry recorded a digest, which only then is compared.
        public var hasDigest: Bool
        /// Whether the entry recorded a signature fingerprint, which only then is compared.
        public var hasSignature: Bool
        /// Whether the table check found its row.
        public var isSeen = false

        /// A verdict as a part of the summary held it.
        public init(fingerprint: Fingerprint, sequence: Int64, approve: Bool, hasDigest: Bool, hasSignature: Bool) {
            self.fingerprint = fingerprint
            self.sequence = sequence
            self.approve = approve
            self.hasDigest = hasDigest
            self.hasSignature = hasSignature
        }
    }

    /// The key of a verdict: a change set and a reviewer.
    public struct VerdictKey: Hashable, Sendable, Comparable {
        /// The change set.
        public var changeSetID: String
        /// The reviewer, the actor of the entry.
        public var reviewer: String

        /// Creates the key of `reviewer`'s verdict on `changeSetID`.
        public init(changeSetID: String, reviewer: String) {
            self.changeSetID = changeSetID
            self.reviewer = reviewer
        }

        public static func < (lhs: VerdictKey, rhs: VerdictKey) -> Bool {
            (lhs.changeSetID, lhs.reviewer) < (rhs.changeSetID, rhs.reviewer)
        }
    }

    /// An execution as its entries describe it; what it holds is short enough to keep whole.
    public struct Execution: Sendable, Equatable {
        /// The change set it applies.
        public var changeSetID: String?
        /// How it ended, or nil while it runs.
        public var result: String?
        /// The entry that last set these values.
        public var sequence: Int64
        /// Whether an entry recorded its start, rather than only the end of an execution the
        /// summary did not hold.
        public var isStarted: Bool
        /// Whether the table check found its row.
        public var isSeen = false

        /// An execution as a part of the summary held it.
        public init(changeSetID: String?, result: String?, sequence: Int64, isStarted: Bool) {
            self.changeSetID = changeSetID
            self.result = result
            self.sequence = sequence
            self.isStarted = isStarted
        }
    }

    /// A commit attributed to a stack, keyed by the fingerprint of the stack and the commit.
    public struct Attribution: Sendable, Equatable {
        /// The merge commit that brought it, or none.
        public var mergedBy: Fingerprint
        /// The entry that attributed it.
        public var sequence: Int64
        /// Whether the table check found its row.
        public var isSeen = false

        /// An attribution as a part of the summary held it.
        public init(mergedBy: Fingerprint, sequence: Int64) {
            self.mergedBy = mergedBy
            self.sequence = sequence
        }
    }

    /// Change sets by id.
    public var changeSets: [String: ChangeSet] = [:]
    /// Verdicts by change set and reviewer.
    public var verdicts: [VerdictKey: Verdict] = [:]
    /// Executions by id.
    public var executions: [String: Execution] = [:]
    /// Attributions by ``attributionKey(stack:commit:)``; the first entry to attribute a commit counts.
    public var attributions: [Fingerprint: Attribution] = [:]
    /// Change sets that a creation superseded, if still open, while the summary did not hold them.
    public private(set) var supersededIfOpen: Set<String> = []
    /// Stack states, policy revisions and scan cursors, which stay few, kept whole.
    public private(set) var few = AuditReplay()
    /// Whether ``drain(into:)`` wrote rows out: a row missing here may then be in a part written out.
    public private(set) var isDrained = false

    /// How many rows the summary holds, which its memory grows with.
    public var rowCount: Int {
        changeSets.count + verdicts.count + executions.count + attributions.count + supersededIfOpen.count
    }

    /// An empty summary, before the first entry.
    public init() {}

    /// An empty summary of a later part of the trail, summarised beside the part before it: like
    /// a drained summary, it notes what its entries do to rows it does not hold.
    public static func laterPart() -> AuditTableSummary {
        var summary = AuditTableSummary()
        summary.isDrained = true
        return summary
    }

    /// `list` with its words separated by single spaces, as splitting it at spaces and joining
    /// the words again makes it; a list already written so, as the store writes every commit
    /// list, is returned as it is rather than copied.
    static func singleSpaced(_ list: String) -> String {
        var afterSpace = true
        for byte in list.utf8 {
            let isSpace = byte == UInt8(ascii: " ")
            if isSpace, afterSpace { return list.split(separator: " ").joined(separator: " ") }
            afterSpace = isSpace
        }
        return afterSpace && !list.isEmpty ? list.split(separator: " ").joined(separator: " ") : list
    }

    /// The key of the attribution of `commit` to `stack`.
    public static func attributionKey(stack: String, commit: String) -> Fingerprint {
        Fingerprint(stack, commit)
    }

    /// The fingerprint a change set row's creation fields must have: `values` holds the row's value
    /// for every ``CreationField`` in order, nil where the row has none that compares.
    public static func creationFingerprint(_ values: [String?], recorded: CreationFields) -> Fingerprint {
        var bytes: [UInt8] = []
        for field in CreationField.allCases where recorded.contains(field) {
            Fingerprint.append(values[field.rawValue], to: &bytes)
        }
        return Fingerprint(bytes: bytes)
    }

    /// The fingerprint a verdict row must have, from its digest and signature fingerprint (read only
    /// when the entry recorded them) and its reason.
    public static func verdictFingerprint(digest: String?, signatureSHA256: String?, reason: String?) -> Fingerprint {
        Fingerprint(digest, signatureSHA256, reason)
    }

    private static func transition(_ record: inout ChangeSet, to status: ChangeSetStatus, reason: Fingerprint, sequence: Int64) {
        record.status = status
        record.reason = reason
        record.sequence = sequence
    }

    private static func finish(_ execution: inout Execution, result: String?, sequence: Int64) {
        execution.result = result
        execution.sequence = sequence
    }

    /// Applies the next entry of the trail, in sequence order, as ``AuditReplay/apply(_:)`` does.
    public mutating func apply(_ entry: AuditEntry) {
        let details = entry.detailValues
        switch entry.action {
        case .changeSetCreated:
            guard let id = entry.changeSetID else { return }
            if let superseded = details["supersedes"] { supersede(superseded) }
            let values: [String?] = [
                entry.stack, details["kind"], entry.commit, entry.digest,
                details["base_state_version"].flatMap { Int64($0) }.map { String($0) },
                details["commits"].map(Self.singleSpaced),
                details["body_sha256"],
            ]
            var recorded: UInt8 = 0
            for (index, value) in values.enumerated() where value != nil { recorded |= 1 << index }
            let fields = CreationFields(rawValue: recorded)
            changeSets[id] = ChangeSet(
                creation: Self.creationFingerprint(values, recorded: fields), reason: details["reason"].map { Fingerprint($0) } ?? .emptyText,
                sequence: entry.sequence, status: details["status"].flatMap(ChangeSetStatus.init(rawValue:)) ?? .pending,
                recorded: fields, isCreated: true)
        case .changeSetTransitioned:
            guard let id = entry.changeSetID, let to = details["to"].flatMap(ChangeSetStatus.init(rawValue:)) else { return }
            let reason = details["reason"].map { Fingerprint($0) } ?? .emptyText
            // One lookup of the id: the record is changed where it is kept.
            Self.transition(
                &changeSets[id, default: ChangeSet(creation: Self.creationFingerprint([], recorded: []), reason: reason,
                                                   sequence: entry.sequence, status: to, recorded: [], isCreated: false)],
                to: to, reason: reason, sequence: entry.sequence)
        case .approvalRecorded, .rejectionRecorded:
            guard let id = entry.changeSetID else { return }
            let signature = details["signature_sha256"]
            verdicts[VerdictKey(changeSetID: id, reviewer: entry.actor)] = Verdict(
                fingerprint: Self.verdictFingerprint(digest: entry.digest, signatureSHA256: signature, reason: details["reason"]),
                sequence: entry.sequence, approve: entry.action == .approvalRecorded, hasDigest: entry.digest != nil,
                hasSignature: signature != nil)
        case .commitsAttributed:
            guard let stack = entry.stack, let commits = details["commits"] else { return }
            var mergedBy: [Substring: Substring] = [:]
            for pair in (details["merged"] ?? "").split(separator: " ") {
                let parts = pair.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { mergedBy[parts[0]] = parts[1] }
            }
            for commit in commits.split(separator: " ") {
                let key = Self.attributionKey(stack: stack, commit: String(commit))
                if attributions[key] == nil {
                    attributions[key] = Attribution(mergedBy: Fingerprint(mergedBy[commit].map(String.init)), sequence: entry.sequence)
                }
            }
        case .executionStarted:
            guard let id = details["execution"] else { return }
            executions[id] = Execution(changeSetID: entry.changeSetID, result: nil, sequence: entry.sequence, isStarted: true)
        case .executionFinished:
            guard let id = details["execution"] else { return }
            Self.finish(
                &executions[id, default: Execution(changeSetID: entry.changeSetID, result: nil, sequence: entry.sequence, isStarted: false)],
                result: details["result"], sequence: entry.sequence)
        case .stateRecorded, .policyRevisionRecorded, .scanAdvanced:
            few.apply(entry)
        case .notificationRetried:
            // The outbox is delivery coordination, not a table derived from the trail (retention
            // deletes its delivered rows): the entry records who had a message sent again, and
            // no row is compared with it.
            return
        default:
            return
        }
    }

    /// Hands the summary to `write`, then forgets every row that grows with the trail, keeping
    /// the few kept whole, and with `keepingCapacity` the memory the rows took, for the rows to
    /// come. Later entries about rows written out leave partial rows (see the type's description).
    public mutating func drain(keepingCapacity: Bool = true, into write: (AuditTableSummary) throws -> Void) rethrows {
        try write(self)
        removeRows(keepingCapacity: keepingCapacity)
        isDrained = true
    }

    /// Forgets every row that grows with the trail; keeping their memory lets a summary merged
    /// from one part after another grow no further than the largest part.
    public mutating func removeRows(keepingCapacity: Bool = true) {
        changeSets.removeAll(keepingCapacity: keepingCapacity)
        verdicts.removeAll(keepingCapacity: keepingCapacity)
        executions.removeAll(keepingCapacity: keepingCapacity)
        attributions.removeAll(keepingCapacity: keepingCapacity)
        supersededIfOpen.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Lays the summary of the part of the trail after this one's over it, in the order a spill
    /// merges a part written out: supersessions, then rows.
    public mutating func append(_ later: AuditTableSummary) {
        for id in later.supersededIfOpen { supersede(id) }
        for (id, changeSet) in later.changeSets { merge(changeSet: id, changeSet) }
        for (key, verdict) in later.verdicts { merge(verdict: key, verdict) }
        for (id, execution) in later.executions { merge(execution: id, execution) }
        for (key, attribution) in later.attributions { merge(attribution: key, attribution) }
        few.layStatesAndCursors(of: later.few)
    }

    /// Lays a later part's change set row over this one's, as applying its entries would have.
    public mutating func merge(changeSet id: String, _ later: ChangeSet) {
        guard !later.isCreated, var record = changeSets[id] else {
            changeSets[id] = later
            return
        }
        Self.transition(&record, to: later.status, reason: later.reason, sequence: later.sequence)
        changeSets[id] = record
    }

    /// Supersedes change set `id` if it is still open; one the summary does not hold is noted once
    /// rows were drained, for the part that holds it.
    private mutating func supersede(_ id: String) {
        if changeSets[id] != nil {
            mergeSupersession(of: id)
        } else if isDrained {
            supersededIfOpen.insert(id)
        }
    }

    /// Applies a later part's supersession of `id`, made by a creation while that part did not hold `id`.
    public mutating func mergeSupersession(of id: String) {
        if let old = changeSets[id], old.status == .pending || old.status == .approved { changeSets[id]?.status = .superseded }
    }

    /// Lays a later part's verdict over this one's: the later entry recorded it.
    public mutating func merge(verdict key: VerdictKey, _ later: Verdict) {
        verdicts[key] = later
    }

    /// Lays a later part's execution row over this one's.
    public mutating func merge(execution id: String, _ later: Execution) {
        guard !later.isStarted, var record = executions[id] else {
            executions[id] = later
            return
        }
        Self.finish(&record, result: later.result, sequence: later.sequence)
        executions[id] = record
    }

    /// Keeps this part's attribution of a commit over a later part's: the first entry counts.
    public mutating func merge(attribution key: Fingerprint, _ later: Attribution) {
        if attributions[key] == nil { attributions[key] = later }
    }
}

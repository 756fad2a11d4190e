import Foundation
import Synchronization
public import TollgateCore

extension StateStore {
    /// Replays the whole audit trail and compares what it implies with every table it governs:
    /// change sets, verdicts, stack states, scan cursors, attributed commits and executions.
    ///
    /// - Returns: the first row that disagrees, naming the entry it contradicts; nil when every
    ///   table holds what the trail says. A writer that commits while the check runs can make the
    ///   two look apart, so a disagreement is checked once more against an unchanged trail head.
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func verifyTables() async throws -> TableDisagreement? {
        try await verifyTables(memory: .standard)
    }

    func verifyTables(memory: AuditCheckMemory) async throws -> TableDisagreement? {
        var found: TableDisagreement?
        for _ in 0..<2 {
            let head = try await auditHead()?.sequence
            found = try await read { reader in
                let pass = AuditPass(tablesOf: head ?? 0, memory: memory, location: location)
                try await pass.run(over: reader)
                return try await reader.firstDisagreement(after: pass)
            }
            let now = try await auditHead()?.sequence
            if found == nil || now == head { return found }
        }
        return found
    }

    /// ``verifyAuditTrail(expectedHead:)`` and, when the chain is intact, ``verifyTables()``, with
    /// one read of the trail for both.
    ///
    /// The trail is read in two halves at once, the later on a second connection where the store
    /// has only one (``openSideReader()``), each half checked for both: on a machine with two
    /// cores the read takes about half as long, and the halves' verdicts join into the verdict of
    /// one read in order (``AuditChainVerifier/finish(after:)``, ``AuditPass/append(_:)``).
    /// - Returns: the chain's verdict, and the first table row that disagrees with an intact
    ///   chain (nil when the chain is not intact or every table agrees).
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func verifyAuditTrailAndTables(expectedHead: String? = nil) async throws -> (AuditVerification, TableDisagreement?) {
        try await verifyAuditTrailAndTables(expectedHead: expectedHead, memory: .standard)
    }

    func verifyAuditTrailAndTables(expectedHead: String?, memory: AuditCheckMemory) async throws -> (AuditVerification, TableDisagreement?) {
        let side = try await openSideReader()
        do {
            let verdicts = try await verifyInHalves(beside: side ?? self, expectedHead: expectedHead, memory: memory)
            try await side?.close()
            return verdicts
        } catch {
            try? await side?.close()
            throw error
        }
    }

    private func verifyInHalves(
        beside other: any StateStore, expectedHead: String?, memory: AuditCheckMemory
    ) async throws -> (AuditVerification, TableDisagreement?) {
        let head = try await auditSequence() ?? 0
        let (earlier, later) = AuditPass.halves(of: head, expectedHead: expectedHead, memory: memory, location: location)
        let (earlierRead, laterRead) = await withTaskGroup(of: Result<Void, any Error>.self) { group in
            group.addTask { await Self.outcome { try await other.read { try await later.run(over: $0) } } }
            let earlierRead = await Self.outcome { try await self.read { try await earlier.run(over: $0) } }
            // What the later half finds cannot come first any more.
            if earlier.brokeChain { group.cancelAll() }
            return (earlierRead, await group.next() ?? .success(()))
        }
        try earlierRead.get()
        let verification = later.verifier.finish(after: earlier.verifier)
        if case .failure(let error) = laterRead {
            // The later half stopped at a row it could not read: only a defect before its first
            // entry or at its link, found without it, comes before that row.
            guard case .tampered(let defect, _) = verification else { throw error }
            if case .headNotFound = defect.kind { throw error }
            return (verification, nil)
        }
        guard case .intact = verification else { return (verification, nil) }
        try earlier.append(later)
        let (found, moved) = try await other.read { reader in
            let found = try await reader.firstDisagreement(after: earlier)
            return (found, try await reader.auditSequence() ?? 0 != head)
        }
        // A writer that committed since the trail was read can make the tables look ahead of it.
        if found != nil, moved { return (verification, try await other.verifyTables(memory: memory)) }
        return (verification, found)
    }

    private static func outcome(_ body: () async throws -> Void) async -> Result<Void, any Error> {
        do {
            try await body()
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// The change set `id`, after checking it against the audit entries that created and moved
    /// it: a record whose body, digest, commits or status an edit outside Tollgate changed is
    /// refused rather than shown or acted on.
    ///
    /// Its verdicts are checked the same way, so that a deleted or rewritten approval is caught.
    /// - Throws: ``StoreError/unknownChangeSet(_:)``, ``StoreError/tamperedRecord(location:disagreement:)``.
    public func checkedChangeSet(id: String) async throws -> ChangeSetRecord {
        try await read { reader in
            let record = try await reader.changeSet(id: id)
            if let disagreement = try await reader.disagreement(of: record) {
                throw StoreError.tamperedRecord(location: location, disagreement: disagreement)
            }
            return record
        }
    }
}

/// How much of the trail's summary a table check holds in memory, and how many entries it reads
/// at a time.
struct AuditCheckMemory: Sendable {
    /// Rows of the summary held before they are written out (about 150 bytes each).
    var rows: Int
    /// Entries read per page of the trail; the summary is written out only between pages.
    var pageSize: Int
    /// The folder the scratch files are made in; nil for `TMPDIR`.
    var scratchFolder: String?
    /// The partitions a summary is first written out to; nil to estimate them from the trail's
    /// length. Fewer than a trail needs makes the check split them again.
    var partitions: Int?

    /// About 8 MB of summary, which keeps `audit verify` of any trail under 64 MB.
    static let standard = AuditCheckMemory(rows: 50_000, pageSize: auditPageSize)
}

/// One read of the trail in sequence order, a page of entries at a time, each entry handed over
/// as it is read to the chain verifier, which stops at the first entry that breaks the chain, to
/// the table summary, or to both. A summary that outgrows its share of
/// ``AuditCheckMemory/rows`` is written out to an ``AuditTableSpill`` between pages, split into
/// enough partitions that each holds about that many rows for a trail of `entries` entries.
///
/// A pass may read one part of the trail: ``halves(of:expectedHead:memory:location:)`` makes two
/// that read theirs at once, and ``append(_:)`` then joins the later's summary to the earlier's.
///
/// Its state is the store's to read: outside the store the type only carries a pass from
/// reading the trail to comparing the tables. SQLiteNIO hands a page's entries over on one
/// thread, one after another, and the pass is read only between pages, which makes the unchecked
/// `Sendable` safe.
public final class AuditPass: @unchecked Sendable {
    private(set) var verifier: AuditChainVerifier
    var summary: AuditTableSummary
    private let checksChain: Bool
    private let summarises: Bool
    private let entries: Int64
    let memory: AuditCheckMemory
    /// Rows of the summary this pass holds before writing them out.
    private let heldRows: Int
    private let location: String
    private var spill: AuditTableSpill?
    private let partitioning: SpillPartitioning
    /// The sequence the pass reads after: the last entry read, or where its part starts.
    private var lastSequence: Int64
    /// The last sequence of its part; nil to read to the end of the trail.
    private let lastInPart: Int64?
    private let continuesEarlierPart: Bool
    private var readCount: Int64 = 0
    private var isStopped = false

    private init(
        checksChain: Bool, summarises: Bool, expectedHead: String?, entries: Int64, after first: Int64 = 0, through last: Int64? = nil,
        memory: AuditCheckMemory, heldRows: Int, partitioning: SpillPartitioning = SpillPartitioning(), location: String
    ) {
        verifier = AuditChainVerifier(expectedHead: expectedHead)
        summary = first > 0 ? .laterPart() : AuditTableSummary()
        self.checksChain = checksChain
        self.summarises = summarises
        self.entries = entries
        self.memory = memory
        self.heldRows = heldRows
        self.partitioning = partitioning
        self.location = location
        lastSequence = first
        lastInPart = last
        continuesEarlierPart = first > 0
    }

    /// A pass that checks the chain against `expectedHead`, in the store at `location`.
    convenience init(chainTo expectedHead: String?, memory: AuditCheckMemory = .standard, location: String) {
        self.init(checksChain: true, summarises: false, expectedHead: expectedHead, entries: 0, memory: memory, heldRows: memory.rows, location: location)
    }

    /// A pass that summarises the tables a trail of about `entries` entries implies, in the store
    /// at `location`.
    convenience init(tablesOf entries: Int64, memory: AuditCheckMemory = .standard, location: String) {
        self.init(checksChain: false, summarises: true, expectedHead: nil, entries: entries, memory: memory, heldRows: memory.rows, location: location)
    }

    /// Two passes that each check the chain and summarise the tables of one half of a trail whose
    /// last entry is `head`, to be read at once: each holds half of the summary's rows, and they
    /// write out to spills of the same partitions, which ``append(_:)`` joins.
    static func halves(of head: Int64, expectedHead: String?, memory: AuditCheckMemory, location: String) -> (AuditPass, AuditPass) {
        let middle = head / 2
        let partitioning = SpillPartitioning()
        let held = max(memory.rows / 2, 1)
        return (
            AuditPass(
                checksChain: true, summarises: true, expectedHead: expectedHead, entries: head, through: middle, memory: memory,
                heldRows: held, partitioning: partitioning, location: location),
            AuditPass(
                checksChain: true, summarises: true, expectedHead: expectedHead, entries: head, after: middle, through: head,
                memory: memory, heldRows: held, partitioning: partitioning, location: location)
        )
    }

    /// Whether an entry broke the chain, which ended the pass.
    var brokeChain: Bool { isStopped }

    /// Reads the whole trail from `reader`, or its part, or up to the first entry that breaks the chain.
    ///
    /// - Throws: the error of a row that cannot be read when no entry before it broke the chain;
    ///   one that did is the verdict.
    func run(over reader: some StoreReader) async throws {
        while !isStopped {
            try Task.checkCancellation()
            let limit = lastInPart.map { Int(min(Int64(memory.pageSize), max($0 - lastSequence, 0))) } ?? memory.pageSize
            if limit == 0 { return }
            let count: Int
            do {
                count = try await reader.forEachAuditEntry(after: lastSequence, limit: limit, withChainFields: checksChain) {
                    self.take($0)
                }
            } catch {
                if isStopped { return }
                throw error
            }
            if summarises, summary.rowCount > heldRows { try writeOut() }
            if count < limit { return }
        }
    }

    /// Appends the summary of `later`, the pass of the part of the trail after this one's, to
    /// this pass's: in memory when neither wrote out, else in the order the parts were made, this
    /// pass's first. Call it once both have read their parts.
    func append(_ later: AuditPass) throws {
        guard spill != nil || later.spill != nil else {
            summary.append(later.summary)
            return
        }
        let spill = try self.spill ?? makeSpill()
        self.spill = spill
        try summary.drain { try spill.write($0) }
        if let written = later.spill { try spill.append(contentsOf: written) }
        var rest = later.summary
        try rest.drain(keepingCapacity: false) { try spill.write($0) }
        // What is left of it is the stack states, policy revisions and scan cursors, kept whole.
        summary.append(rest)
    }

    /// The spill the summary was written out to, with its last part written too; nil when the
    /// whole summary stayed in memory.
    func spillForTables() throws -> AuditTableSpill? {
        guard let spill else { return nil }
        // The last part, with the memory the summary took: the comparison needs it.
        try summary.drain(keepingCapacity: false) { try spill.write($0) }
        return spill
    }

    /// Partitions compared at once, one task each; each holds ``AuditCheckMemory/rows`` divided
    /// among them, so that the check's memory does not grow with them.
    static let compareLanes = 2

    /// At most this many partitions, so that their buffers of at least 4 KiB each stay within
    /// ``AuditTableSpill/bufferedBytes``; a longer trail's partitions are split when compared.
    static let maximumPartitions = 512

    private func writeOut() throws {
        if spill == nil { spill = try makeSpill() }
        try summary.drain { try spill?.write($0) }
    }

    private func makeSpill() throws -> AuditTableSpill {
        try AuditTableSpill(
            partitionCount: partitioning.count(proposing: memory.partitions ?? estimatedPartitions()),
            under: memory.scratchFolder ?? NSTemporaryDirectory(), columns: SQLStoreTransaction.comparedColumns, location: location)
    }

    /// Enough partitions for each lane's share of ``AuditCheckMemory/rows`` rows: the rows so far, scaled
    /// to the whole trail, with a quarter more for rows that grow later. A partition that still
    /// outgrows it is split when it is compared.
    private func estimatedPartitions() -> Int {
        let read = Double(max(readCount, 1))
        let rows = Double(summary.rowCount) * max(Double(entries), read) / read * 1.25
        let partitions = (rows / Double(max(memory.rows / Self.compareLanes, 1))).rounded(.up)
        return Int(min(max(partitions, 2), Double(Self.maximumPartitions)))
    }

    private func take(_ entry: AuditEntry) {
        guard !isStopped else { return }
        lastSequence = entry.sequence
        readCount += 1
        if checksChain {
            if continuesEarlierPart, readCount == 1 {
                verifier = AuditChainVerifier(expectedHead: verifier.expectedHead, startingAt: entry)
            }
            if verifier.check(entry) != nil {
                isStopped = true
                return
            }
        }
        if summarises { summary.apply(entry) }
    }
}

/// The partition count of the spills of a trail's parts, fixed by the first part to write out, so
/// that the other part's spill has the same partitions and the two join partition by partition.
final class SpillPartitioning: Sendable {
    private let chosen = Mutex<Int?>(nil)

    /// The count fixed before, or `proposal` when this is the first call.
    func count(proposing proposal: @autoclosure () -> Int) -> Int {
        chosen.withLock { chosen in
            if let chosen { return chosen }
            let count = proposal()
            chosen = count
            return count
        }
    }
}

extension StoreReader {
    /// How `record` and its verdicts disagree with the audit entries about it, or nil when they
    /// hold what the trail says.
    ///
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func disagreement(of record: ChangeSetRecord) async throws -> TableDisagreement? {
        var replay = AuditReplay()
        for entry in try await auditEntries(AuditFilter(changeSetID: record.id)) { replay.apply(entry) }
        if let found = ChangeSetRecordCheck.disagreement(record, replay.changeSets[record.id]) { return found }
        let stored = try await approvals(changeSetID: record.id)
        return ChangeSetRecordCheck.disagreement(id: record.id, approvals: stored, replay.verdicts[record.id] ?? [:])
    }
}

/// Compares one stored change set with what its entries say.
enum ChangeSetRecordCheck {
    static func disagreement(_ record: ChangeSetRecord, _ expected: AuditReplay.ChangeSet?) -> TableDisagreement? {
        guard let expected else {
            return TableDisagreement(table: "change_sets", row: record.id, problem: "no entry records its creation", sequence: nil)
        }
        func problem(_ text: String) -> TableDisagreement {
            TableDisagreement(table: "change_sets", row: record.id, problem: text, sequence: expected.sequence)
        }
        if let body = expected.bodySHA256, auditFingerprint(record.json) != body {
            return problem("its stored body is not the one recorded")
        }
        if let digest = expected.digest, record.digest != digest { return problem("its digest is not the one recorded") }
        if let commits = expected.commits, record.commits != commits { return problem("its commit list is not the one recorded") }
        if record.status != expected.status {
            return problem("its status is \(record.status.rawValue), the trail says \(expected.status.rawValue)")
        }
        return nil
    }

    static func disagreement(id: String, approvals: [ApprovalRecord], _ expected: [String: AuditReplay.Verdict]) -> TableDisagreement? {
        let stored = Dictionary(approvals.map { ($0.reviewer, $0) }, uniquingKeysWith: { first, _ in first })
        for (reviewer, verdict) in expected.sorted(by: { $0.key < $1.key }) {
            guard let approval = stored[reviewer] else {
                return TableDisagreement(table: "approvals", row: "\(id)/\(reviewer)", problem: "the row is missing", sequence: verdict.sequence)
            }
            let same = (approval.verdict == .approve) == verdict.approve && verdict.digest.map { $0 == approval.digest } ?? true
                && verdict.signatureSHA256.map { $0 == approval.signature.map(auditFingerprint) } ?? true
            if !same {
                return TableDisagreement(table: "approvals", row: "\(id)/\(reviewer)", problem: "the verdict is not the one recorded", sequence: verdict.sequence)
            }
        }
        if let extra = approvals.first(where: { expected[$0.reviewer] == nil }) {
            return TableDisagreement(table: "approvals", row: "\(id)/\(extra.reviewer)", problem: "no entry records this verdict", sequence: nil)
        }
        return nil
    }
}

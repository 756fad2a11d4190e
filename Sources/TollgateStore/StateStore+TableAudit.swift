import Foundation
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

    /// ``verifyAuditTrail(expectedHead:)`` and, when the chain is intact, ``verifyTables()``.
    ///
    /// The two checks read the trail side by side, the table check on a second connection where
    /// the store has only one (``openSideReader()``): reading the trail twice costs about a quarter
    /// more work, and on a machine with two cores both checks end in about the time of the longer.
    /// - Returns: the chain's verdict, and the first table row that disagrees with an intact
    ///   chain (nil when the chain is not intact or every table agrees).
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func verifyAuditTrailAndTables(expectedHead: String? = nil) async throws -> (AuditVerification, TableDisagreement?) {
        try await verifyAuditTrailAndTables(expectedHead: expectedHead, memory: .standard)
    }

    func verifyAuditTrailAndTables(expectedHead: String?, memory: AuditCheckMemory) async throws -> (AuditVerification, TableDisagreement?) {
        let side = try await openSideReader()
        do {
            let verdicts = try await verifySideBySide(tables: side ?? self, expectedHead: expectedHead, memory: memory)
            try await side?.close()
            return verdicts
        } catch {
            try? await side?.close()
            throw error
        }
    }

    private func verifySideBySide(
        tables store: any StateStore, expectedHead: String?, memory: AuditCheckMemory
    ) async throws -> (AuditVerification, TableDisagreement?) {
        async let tables = store.verifyTables(memory: memory)
        let verification = try await verifyAuditTrail(expectedHead: expectedHead, memory: memory)
        // A broken chain is the verdict, whatever the table check finds or throws: leaving the
        // scope cancels it, and it stops at its next page.
        guard case .intact = verification else { return (verification, nil) }
        return (verification, try await tables)
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
/// as it is read to one of two checks: the chain verifier, which stops at the first entry that
/// breaks the chain, or the table summary. A summary that outgrows ``AuditCheckMemory/rows`` is
/// written out to an ``AuditTableSpill`` between pages, split into enough partitions that each
/// holds about that many rows for a trail of `entries` entries.
///
/// Its state is the store's to read: outside the store the type only carries a pass from
/// reading the trail to comparing the tables. SQLiteNIO hands a page's entries over on one
/// thread, one after another, and the pass is read only between pages, which makes the unchecked
/// `Sendable` safe.
public final class AuditPass: @unchecked Sendable {
    private(set) var verifier: AuditChainVerifier
    var summary = AuditTableSummary()
    private let checksChain: Bool
    private let entries: Int64
    let memory: AuditCheckMemory
    private let location: String
    private var spill: AuditTableSpill?
    private var lastSequence: Int64 = 0
    private var isStopped = false

    /// A pass that checks the chain against `expectedHead`, in the store at `location`.
    init(chainTo expectedHead: String?, memory: AuditCheckMemory = .standard, location: String) {
        verifier = AuditChainVerifier(expectedHead: expectedHead)
        checksChain = true
        entries = 0
        self.memory = memory
        self.location = location
    }

    /// A pass that summarises the tables a trail of about `entries` entries implies, in the store
    /// at `location`.
    init(tablesOf entries: Int64, memory: AuditCheckMemory = .standard, location: String) {
        verifier = AuditChainVerifier()
        checksChain = false
        self.entries = entries
        self.memory = memory
        self.location = location
    }

    /// Reads the whole trail from `reader`, or up to the first entry that breaks the chain.
    ///
    /// - Throws: the error of a row that cannot be read when no entry before it broke the chain;
    ///   one that did is the verdict.
    func run(over reader: some StoreReader) async throws {
        while !isStopped {
            try Task.checkCancellation()
            let count: Int
            do {
                count = try await reader.forEachAuditEntry(after: lastSequence, limit: memory.pageSize, withChainFields: checksChain) {
                    self.take($0)
                }
            } catch {
                if isStopped { return }
                throw error
            }
            if !checksChain, summary.rowCount > memory.rows { try writeOut() }
            if count < memory.pageSize { return }
        }
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
        if spill == nil {
            spill = try AuditTableSpill(
                partitionCount: memory.partitions ?? estimatedPartitions(), under: memory.scratchFolder ?? NSTemporaryDirectory(),
                columns: SQLStoreTransaction.comparedColumns, location: location)
        }
        try summary.drain { try spill?.write($0) }
    }

    /// Enough partitions for each lane's share of ``AuditCheckMemory/rows`` rows: the rows so far, scaled
    /// to the whole trail, with a quarter more for rows that grow later. A partition that still
    /// outgrows it is split when it is compared.
    private func estimatedPartitions() -> Int {
        let read = Double(max(lastSequence, 1))
        let rows = Double(summary.rowCount) * max(Double(entries), read) / read * 1.25
        let partitions = (rows / Double(max(memory.rows / Self.compareLanes, 1))).rounded(.up)
        return Int(min(max(partitions, 2), Double(Self.maximumPartitions)))
    }

    private func take(_ entry: AuditEntry) {
        guard !isStopped else { return }
        lastSequence = entry.sequence
        if !checksChain {
            summary.apply(entry)
        } else if verifier.check(entry) != nil {
            isStopped = true
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

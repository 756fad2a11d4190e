import Foundation
import TollgateCore

extension SQLStoreTransaction {
    /// The first row of a derived table that disagrees with what `pass` summarised of the trail,
    /// or nil when every table holds exactly what the trail implies.
    ///
    /// Tables are compared in a fixed order (change sets, verdicts, stack states, policy
    /// revisions, scan cursors, attributed commits, executions), each both ways: first the row
    /// that comes first in the table's key order among those the trail does not account for, then
    /// a row the trail implies that is missing. A pass that wrote its summary out (``AuditPass``)
    /// has the rows written beside it, and each partition is then compared on its own.
    func firstDisagreement(after pass: AuditPass) async throws -> TableDisagreement? {
        var findings = TableFindings()
        let decoder = JSONDecoder()
        let spill = try pass.spillForTables()
        for table in AuditedTable.allCases {
            var ordinal: Int64 = 0
            try await forEachRow(of: table) { row in
                ordinal += 1
                if let spill {
                    try spill.write(.row(table, ordinal: ordinal, row))
                } else {
                    try await check(row, of: table, ordinal: ordinal, against: &pass.summary, into: &findings, decoder: decoder)
                }
            }
        }
        if let spill {
            try spill.flush()
            try await compareSideBySide(spill, rows: pass.memory.rows / AuditPass.compareLanes, into: &findings)
        } else {
            findings.takeMissing(pass.summary)
        }
        return try await first(of: findings, few: pass.summary.few)
    }

    /// Compares the partitions of `spill` in ``AuditPass/compareLanes`` tasks at once, each
    /// taking every other partition with a summary of its own of at most about `rows` rows: the
    /// partitions share nothing, and the database is read only to name a disagreement.
    private func compareSideBySide(_ spill: AuditTableSpill, rows: Int, into findings: inout TableFindings) async throws {
        let lanes = AuditPass.compareLanes
        try await withThrowingTaskGroup(of: TableFindings.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var found = TableFindings()
                    var part = AuditTableSummary()
                    let partitions = stride(from: lane, to: spill.partitionCount, by: lanes)
                    try await compare(spill, partitions: partitions, rows: rows, merging: &part, into: &found, decoder: JSONDecoder())
                    return found
                }
            }
            for try await found in group { findings.take(found) }
        }
    }

    /// Compares the rows of each partition of `spill` with the summary written beside them,
    /// merged into `part` first: all of it was written before the first row. `part` is emptied
    /// for each partition and keeps its memory. A partition with more than twice `rows` records
    /// of the summary is split again first, up to ``maximumSplits`` times (records of one key
    /// cannot be split apart).
    private func compare(
        _ spill: AuditTableSpill, partitions: some Sequence<Int>, rows: Int, merging part: inout AuditTableSummary, into findings: inout TableFindings,
        decoder: JSONDecoder
    ) async throws {
        for partition in partitions {
            let count = spill.summaryRecordCount(partition)
            if count > 2 * max(rows, 1), spill.level < Self.maximumSplits {
                let split = try spill.split(partition, into: min(count / max(rows, 1) + 1, AuditPass.maximumPartitions))
                try await compare(split, partitions: 0..<split.partitionCount, rows: rows, merging: &part, into: &findings, decoder: decoder)
                continue
            }
            part.removeRows()
            let records = try spill.records(of: partition)
            while let record = try records.next() {
                switch record {
                case .changeSet(let id, let changeSet): part.merge(changeSet: id, changeSet)
                case .supersession(let id): part.mergeSupersession(of: id)
                case .verdict(let key, let verdict): part.merge(verdict: key, verdict)
                case .execution(let id, let execution): part.merge(execution: id, execution)
                case .attribution(let key, let attribution): part.merge(attribution: key, attribution)
                case .row(let table, let ordinal, let row):
                    try await check(row, of: table, ordinal: ordinal, against: &part, into: &findings, decoder: decoder)
                }
            }
            findings.takeMissing(part)
        }
    }

    /// How many times a partition is split at most.
    static let maximumSplits = 3

    /// The finding to report, in the order of the tables.
    private func first(of findings: TableFindings, few: AuditReplay) async throws -> TableDisagreement? {
        if let found = findings.rows[.changeSets]?.disagreement { return found }
        if let missing = findings.missingChangeSet {
            return TableDisagreement(table: "change_sets", row: missing.id, problem: "the row is missing", sequence: missing.sequence)
        }
        if let found = findings.rows[.verdicts]?.disagreement { return found }
        if let missing = findings.missingVerdict {
            return TableDisagreement(
                table: "approvals", row: "\(missing.key.changeSetID)/\(missing.key.reviewer)", problem: "the row is missing",
                sequence: missing.sequence)
        }
        if let found = try await stackStateDisagreement(few) { return found }
        if let found = try await policyRevisionDisagreement(few) { return found }
        if let found = try await cursorDisagreement(few) { return found }
        if let found = findings.rows[.attributions]?.disagreement { return found }
        if let missing = findings.missingAttribution {
            // The summary keeps fingerprints only: the entry that attributed the commit names it.
            var name = "a commit attributed by audit entry \(missing.sequence)"
            if let entry = try await auditEntries(after: missing.sequence - 1, limit: 1).first, let stack = entry.stack,
               let commit = entry.detailValues["commits"]?.split(separator: " ").map(String.init)
                   .first(where: { AuditTableSummary.attributionKey(stack: stack, commit: $0) == missing.key }) {
                name = "\(stack) \(commit)"
            }
            return TableDisagreement(table: "stack_commits", row: name, problem: "the row is missing", sequence: missing.sequence)
        }
        if let found = findings.rows[.executions]?.disagreement { return found }
        if let missing = findings.missingExecution {
            return TableDisagreement(table: "executions", row: missing.id, problem: "the row is missing", sequence: missing.sequence)
        }
        return nil
    }

    /// Compares one row, at `ordinal` in its table's key order, with `part`, unless a row before
    /// it disagrees already; marks the row of `part` it found.
    private func check(
        _ row: SQLRow, of table: AuditedTable, ordinal: Int64, against part: inout AuditTableSummary,
        into findings: inout TableFindings, decoder: JSONDecoder
    ) async throws {
        if let found = findings.rows[table], found.ordinal < ordinal { return }
        let disagreement: TableDisagreement?
        switch table {
        case .changeSets: disagreement = try await changeSetDisagreement(row, &part, decoder: decoder)
        case .verdicts: disagreement = try await verdictDisagreement(row, &part)
        case .attributions: disagreement = try Self.attributionDisagreement(row, &part)
        case .executions: disagreement = try Self.executionDisagreement(row, &part)
        }
        if let disagreement { findings.rows[table] = (ordinal, disagreement) }
    }

    private func changeSetDisagreement(
        _ row: SQLRow, _ part: inout AuditTableSummary, decoder: JSONDecoder
    ) async throws -> TableDisagreement? {
        let id = try row.text("id")
        guard let expected = part.changeSets[id] else {
            return TableDisagreement(table: "change_sets", row: id, problem: "no entry records its creation", sequence: nil)
        }
        part.changeSets[id]?.isSeen = true
        // Every column is read, in the order of the full comparison, so that a damaged row fails alike.
        let status = try row.text("status")
        let values: [String?] = [
            try row.text("stack"), try row.text("kind"), try row.text("target_commit"), try row.text("digest"),
            String(try row.integer("base_state_version")),
            Self.joinedCommits(try row.text("commits"), decoder: decoder),
            try row.text("body_sha256"),
        ]
        let reason = try row.optionalText("status_reason") ?? ""
        if status == expected.status.rawValue, AuditTableSummary.Fingerprint(reason) == expected.reason,
           AuditTableSummary.creationFingerprint(values, recorded: expected.recorded) == expected.creation {
            return nil
        }
        guard let full = try await replay(ofChangeSet: id).changeSets[id],
              let stored = try await session.query("SELECT * FROM change_sets WHERE id = ?", [.text(id)]).first else { return nil }
        return try Self.changeSetDisagreement(stored, id: id, expected: full, decoder: decoder)
    }

    /// How a change set row differs from what its entries say, field by field.
    private static func changeSetDisagreement(
        _ row: SQLRow, id: String, expected: AuditReplay.ChangeSet, decoder: JSONDecoder
    ) throws -> TableDisagreement? {
        func differs(_ field: String, _ found: String?, _ wanted: String?) -> TableDisagreement? {
            guard let wanted, found != wanted else { return nil }
            return TableDisagreement(
                table: "change_sets", row: id, problem: "\(field) is \(found ?? "null"), the trail says \(wanted)",
                sequence: expected.sequence)
        }
        let checks: [TableDisagreement?] = [
            differs("status", try row.text("status"), expected.status.rawValue),
            differs("stack", try row.text("stack"), expected.stack),
            differs("kind", try row.text("kind"), expected.kind),
            differs("target commit", try row.text("target_commit"), expected.targetCommit),
            differs("digest", try row.text("digest"), expected.digest),
            differs("base state version", String(try row.integer("base_state_version")), expected.baseStateVersion.map(String.init)),
            differs(
                "commit list", Self.joinedCommits(try row.text("commits"), decoder: decoder),
                expected.commits?.joined(separator: " ")),
            differs("body (SHA-256)", auditFingerprint(try row.text("body")), expected.bodySHA256),
            differs("status reason", try row.optionalText("status_reason") ?? "", expected.statusReason.map { $0 } ?? ""),
        ]
        return checks.compactMap({ $0 }).first
    }

    private func verdictDisagreement(_ row: SQLRow, _ part: inout AuditTableSummary) async throws -> TableDisagreement? {
        let id = try row.text("change_set_id")
        let reviewer = try row.text("reviewer")
        let key = AuditTableSummary.VerdictKey(changeSetID: id, reviewer: reviewer)
        guard let expected = part.verdicts[key] else {
            return TableDisagreement(table: "approvals", row: "\(id)/\(reviewer)", problem: "no entry records this verdict", sequence: nil)
        }
        part.verdicts[key]?.isSeen = true
        let verdict = try row.text("verdict")
        if verdict != (expected.approve ? "approve" : "reject") {
            return TableDisagreement(
                table: "approvals", row: "\(id)/\(reviewer)",
                problem: "verdict is \(verdict), the trail says \(expected.approve ? "approve" : "reject")", sequence: expected.sequence)
        }
        let same = try? AuditTableSummary.verdictFingerprint(
            digest: expected.hasDigest ? row.text("digest") : nil,
            signatureSHA256: expected.hasSignature ? row.optionalText("signature_sha256") : nil,
            reason: row.optionalText("reason")) == expected.fingerprint
        if same == true { return nil }
        guard let full = try await replay(ofChangeSet: id).verdicts[id]?[reviewer],
              let stored = try await session.query(
                  "SELECT * FROM approvals WHERE change_set_id = ? AND reviewer = ?", [.text(id), .text(reviewer)]).first else { return nil }
        return try Self.verdictDisagreement(stored, key: "\(id)/\(reviewer)", expected: full)
    }

    /// How a verdict row's digest, signature or reason differs from what its entry says.
    private static func verdictDisagreement(_ row: SQLRow, key: String, expected: AuditReplay.Verdict) throws -> TableDisagreement? {
        if let digest = expected.digest, try row.text("digest") != digest {
            return TableDisagreement(table: "approvals", row: key, problem: "digest differs from the one approved", sequence: expected.sequence)
        }
        if let signature = expected.signatureSHA256, try row.optionalText("signature").map(auditFingerprint) != signature {
            return TableDisagreement(table: "approvals", row: key, problem: "signature differs from the one recorded", sequence: expected.sequence)
        }
        if try row.optionalText("reason") != expected.reason {
            return TableDisagreement(table: "approvals", row: key, problem: "reason differs from the one recorded", sequence: expected.sequence)
        }
        return nil
    }

    /// A replay of the entries about the change set `id` alone: its own, and the creations that
    /// superseded it. It holds what a replay of the whole trail holds for `id`, for naming exactly
    /// how a row that does not match its fingerprints differs.
    private func replay(ofChangeSet id: String) async throws -> AuditReplay {
        var replay = AuditReplay()
        var after: Int64 = 0
        while true {
            let page = try await auditEntries(after: after, limit: auditPageSize)
            for entry in page where entry.changeSetID == id || entry.detailValues["supersedes"] == id { replay.apply(entry) }
            guard let last = page.last, page.count == auditPageSize else { return replay }
            after = last.sequence
        }
    }

    private func stackStateDisagreement(_ replay: AuditReplay) async throws -> TableDisagreement? {
        var seen: Set<String> = []
        let found = try await firstRow(of: "stack_states", orderedBy: ["stack"]) { row in
            let stack = try row.text("stack")
            seen.insert(stack)
            guard let expected = replay.stackStates[stack] else {
                return TableDisagreement(table: "stack_states", row: stack, problem: "no entry records this state", sequence: nil)
            }
            if let commit = expected.commit, try row.text("commit_id") != commit {
                return TableDisagreement(table: "stack_states", row: stack, problem: "commit is \(try row.text("commit_id")), the trail says \(commit)", sequence: expected.sequence)
            }
            if let version = expected.stateVersion, try row.integer("state_version") != version {
                return TableDisagreement(
                    table: "stack_states", row: stack, problem: "state version is \(try row.integer("state_version")), the trail says \(version)",
                    sequence: expected.sequence)
            }
            if (try row.integer("removed") != 0) != expected.removed {
                return TableDisagreement(table: "stack_states", row: stack, problem: "removal flag differs from the trail", sequence: expected.sequence)
            }
            if let content = expected.contentSHA256,
               Self.stateFingerprint(
                   template: try row.text("template"), parameters: try row.text("parameters"), tags: try row.text("tags"),
                   outputs: try row.text("outputs")) != content {
                return TableDisagreement(
                    table: "stack_states", row: stack, problem: "template, parameters, tags or outputs differ from what was recorded", sequence: expected.sequence)
            }
            return nil
        }
        if let found { return found }
        if let missing = replay.stackStates.filter({ !seen.contains($0.key) }).min(by: { $0.value.sequence < $1.value.sequence }) {
            return TableDisagreement(table: "stack_states", row: missing.key, problem: "the row is missing", sequence: missing.value.sequence)
        }
        return nil
    }

    /// Older stores kept only the revision in force, so only that one must have its row; every row
    /// present must match its entry.
    private func policyRevisionDisagreement(_ replay: AuditReplay) async throws -> TableDisagreement? {
        var seen: Set<Int64> = []
        for row in try await session.query("SELECT * FROM policy_revisions ORDER BY revision", []) {
            let revision = try row.integer("revision")
            seen.insert(revision)
            guard let expected = replay.policyRevisions[revision] else {
                return TableDisagreement(table: "policy_revisions", row: String(revision), problem: "no entry records this revision", sequence: nil)
            }
            func differs(_ field: String, _ found: String?, _ wanted: String?) -> TableDisagreement? {
                guard found != wanted else { return nil }
                return TableDisagreement(
                    table: "policy_revisions", row: String(revision), problem: "\(field) is \(found ?? "null"), the trail says \(wanted ?? "null")",
                    sequence: expected.sequence)
            }
            let checks: [TableDisagreement?] = [
                expected.commit.flatMap { differs("commit", try? row.text("commit_id"), $0) },
                differs("actor", try row.text("actor"), expected.actor),
                expected.isLegacy ? nil : differs("change set", try row.optionalText("change_set_id"), expected.changeSetID),
            ]
            if let found = checks.compactMap({ $0 }).first { return found }
        }
        if let newest = replay.policyRevisions.max(by: { $0.key < $1.key }), !seen.contains(newest.key) {
            return TableDisagreement(
                table: "policy_revisions", row: String(newest.key), problem: "the row of the revision in force is missing", sequence: newest.value.sequence)
        }
        if let missing = replay.policyRevisions.filter({ !$0.value.isLegacy && !seen.contains($0.key) }).min(by: { $0.key < $1.key }) {
            return TableDisagreement(table: "policy_revisions", row: String(missing.key), problem: "the row is missing", sequence: missing.value.sequence)
        }
        return nil
    }

    private func cursorDisagreement(_ replay: AuditReplay) async throws -> TableDisagreement? {
        var seen: Set<String> = []
        let found = try await firstRow(of: "scan_cursors", orderedBy: ["branch"]) { row in
            let branch = try row.text("branch")
            seen.insert(branch)
            guard let expected = replay.cursors[branch] else {
                return TableDisagreement(table: "scan_cursors", row: branch, problem: "no entry records this cursor", sequence: nil)
            }
            let commit = try row.text("commit_id")
            if commit != expected.commit {
                return TableDisagreement(
                    table: "scan_cursors", row: branch, problem: "cursor is at \(commit), the trail says \(expected.commit)", sequence: expected.sequence)
            }
            return nil
        }
        if let found { return found }
        if let missing = replay.cursors.filter({ !seen.contains($0.key) }).min(by: { $0.value.sequence < $1.value.sequence }) {
            return TableDisagreement(table: "scan_cursors", row: missing.key, problem: "the row is missing", sequence: missing.value.sequence)
        }
        return nil
    }

    private static func attributionDisagreement(_ row: SQLRow, _ part: inout AuditTableSummary) throws -> TableDisagreement? {
        let stack = try row.text("stack")
        let commit = try row.text("commit_id")
        let key = AuditTableSummary.attributionKey(stack: stack, commit: commit)
        guard let attribution = part.attributions[key] else {
            return TableDisagreement(table: "stack_commits", row: "\(stack) \(commit)", problem: "no entry attributes this commit", sequence: nil)
        }
        part.attributions[key]?.isSeen = true
        if AuditTableSummary.Fingerprint(try row.optionalText("merged_by")) != attribution.mergedBy {
            return TableDisagreement(
                table: "stack_commits", row: "\(stack) \(commit)", problem: "the merge that brought it differs from the trail",
                sequence: attribution.sequence)
        }
        return nil
    }

    private static func executionDisagreement(_ row: SQLRow, _ part: inout AuditTableSummary) throws -> TableDisagreement? {
        let id = try row.text("id")
        guard let expected = part.executions[id] else {
            return TableDisagreement(table: "executions", row: id, problem: "no entry records its start", sequence: nil)
        }
        part.executions[id]?.isSeen = true
        if let changeSet = expected.changeSetID, try row.text("change_set_id") != changeSet {
            return TableDisagreement(table: "executions", row: id, problem: "it names another change set than the trail", sequence: expected.sequence)
        }
        let result = try row.optionalText("result")
        if result != expected.result {
            return TableDisagreement(
                table: "executions", row: id, problem: "result is \(result ?? "null"), the trail says \(expected.result ?? "null")",
                sequence: expected.sequence)
        }
        return nil
    }

    /// The columns of each audited table that the check compares, in the order a compared row
    /// holds them. A change set's body and a verdict's signature are held as their SHA-256, the
    /// form in which entries record them, so that a row written out stays small.
    static let comparedColumns: [AuditedTable: SQLColumns] = Dictionary(uniqueKeysWithValues: AuditedTable.allCases.map {
        ($0, SQLColumns($0.comparedColumns))
    })

    /// Hands every row of `table` to `body` in the order of its key, as compared: with only the
    /// columns the check compares, `body` and `signature` replaced by their SHA-256.
    ///
    /// The statement names the columns it reads, so each row's values come in a known order and
    /// are taken by position: a million-row check looks no column name up.
    private func forEachRow(of table: AuditedTable, _ body: (SQLRow) async throws -> Void) async throws {
        let columns = Self.comparedColumns[table]!
        let compared = table.comparedColumns
        _ = try await firstRow(of: table.name, orderedBy: table.keyColumns, selecting: table.storedColumns) { row in
            var values: [SQLValue] = []
            values.reserveCapacity(compared.count)
            // The statement named every column, so every row has a value at each position.
            for (index, column) in compared.enumerated() {
                switch (column, row.values[index]) {
                case ("body_sha256", _): values.append(.text(auditFingerprint(try row.text(at: index, "body"))))
                case ("signature_sha256", .text(let signature)): values.append(.text(auditFingerprint(signature)))
                case (_, let value): values.append(value)
                }
            }
            try await body(SQLRow(columns: columns, values: values, location: row.location))
            return nil
        }
    }

    /// The first row of `table`, in the order of its key columns `keys`, for which `check` finds a
    /// disagreement, reading the columns `selected`. Rows are read a page at a time, each page
    /// after the last key of the one before, so that a table of any size is read in bounded memory.
    ///
    /// The next page is read while `check` takes the rows of this one, so that the database's
    /// thread and the checking one work side by side rather than in turn.
    private func firstRow(
        of table: String, orderedBy keys: [String], selecting selected: [String] = ["*"],
        _ check: (SQLRow) async throws -> TableDisagreement?
    ) async throws -> TableDisagreement? {
        let columns = keys.joined(separator: ", ")
        let selection = selected.joined(separator: ", ")
        let placeholders = keys.map { _ in "?" }.joined(separator: ", ")
        /// The page after the row with the key values `after` (the first page for none); nil
        /// reads nothing, after the last page.
        @Sendable func page(after: [SQLValue]?) async throws -> [SQLRow] {
            guard let after else { return [] }
            let condition = after.isEmpty ? "" : " WHERE (\(columns)) > (\(placeholders))"
            return try await session.query(
                "SELECT \(selection) FROM \(table)\(condition) ORDER BY \(columns) LIMIT \(Self.tablePageSize)", after)
        }
        var rows = try await page(after: [])
        while true {
            let after = try rows.count == Self.tablePageSize ? rows.last.map { last in try keys.map { try last.boundValue($0) } } : nil
            async let next = page(after: after)
            for row in rows {
                if let found = try await check(row) { return found }
            }
            guard after != nil else { return nil }
            rows = try await next
        }
    }

    /// A change set's commit list column as the space-separated list its entry records, nil when it
    /// is not a JSON array of strings. The plain shape the store writes, `["a","b"]` without escapes,
    /// is read without `JSONDecoder`, which the table check would otherwise run on every change set.
    static func joinedCommits(_ text: String, decoder: JSONDecoder) -> String? {
        let bytes = Array(text.utf8)
        plain: if bytes.count >= 2, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") {
            var joined: [UInt8] = []
            joined.reserveCapacity(bytes.count)
            var index = 1
            while index < bytes.count - 1 {
                if index > 1 {
                    guard bytes[index] == UInt8(ascii: ",") else { break plain }
                    joined.append(UInt8(ascii: " "))
                    index += 1
                    guard index < bytes.count - 1 else { break plain }
                }
                guard bytes[index] == UInt8(ascii: "\"") else { break plain }
                index += 1
                while index < bytes.count - 1, bytes[index] != UInt8(ascii: "\"") {
                    guard bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 else { break plain }
                    joined.append(bytes[index])
                    index += 1
                }
                guard index < bytes.count - 1 else { break plain }
                index += 1
            }
            return String(decoding: joined, as: UTF8.self)
        }
        return (try? decoder.decode([String].self, from: Data(text.utf8)))?.joined(separator: " ")
    }

    /// Rows per page of a table check: small enough that change set bodies never pile up.
    static let tablePageSize = 1_000

    /// The fingerprint a state entry keeps of the stored template, parameters and tags, over the
    /// columns' text; NUL cannot occur in any of them, so it separates them unambiguously.
    /// `outputs` count only when there are some, so that states recorded before outputs were kept
    /// keep their fingerprints.
    static func stateFingerprint(template: String, parameters: String, tags: String, outputs: String) -> String {
        auditFingerprint(template + "\u{0}" + parameters + "\u{0}" + tags + (outputs == "{}" ? "" : "\u{0}" + outputs))
    }
}

extension AuditedTable {
    /// The table's name in the schema.
    var name: String {
        switch self {
        case .changeSets: "change_sets"
        case .verdicts: "approvals"
        case .attributions: "stack_commits"
        case .executions: "executions"
        }
    }

    /// The columns the check reads the table in the order of.
    var keyColumns: [String] {
        switch self {
        case .changeSets, .executions: ["id"]
        case .verdicts: ["change_set_id", "reviewer"]
        case .attributions: ["stack", "position"]
        }
    }

    /// The columns the check compares; `body_sha256` and `signature_sha256` stand for the SHA-256
    /// of `body` and `signature`.
    var comparedColumns: [String] {
        switch self {
        case .changeSets:
            ["id", "status", "stack", "kind", "target_commit", "digest", "base_state_version", "commits", "body_sha256", "status_reason"]
        case .verdicts: ["change_set_id", "reviewer", "verdict", "digest", "signature_sha256", "reason"]
        case .attributions: ["stack", "commit_id", "merged_by"]
        case .executions: ["id", "change_set_id", "result"]
        }
    }

    /// The columns read for ``comparedColumns``, in their order (`body` and `signature` for their
    /// SHA-256), then the key columns not among them, which the next page starts after.
    var storedColumns: [String] {
        let read = comparedColumns.map { column in
            switch column {
            case "body_sha256": "body"
            case "signature_sha256": "signature"
            default: column
            }
        }
        return read + keyColumns.filter { !read.contains($0) }
    }
}

/// What a table check found so far: for each audited table, the first row in key order that
/// disagrees, and the row the trail implies that is missing and is reported first.
struct TableFindings: Sendable {
    var rows: [AuditedTable: (ordinal: Int64, disagreement: TableDisagreement)] = [:]
    /// The missing change set whose last entry came first.
    var missingChangeSet: (id: String, sequence: Int64)?
    /// The missing verdict first in key order.
    var missingVerdict: (key: AuditTableSummary.VerdictKey, sequence: Int64)?
    /// The missing attribution whose entry came first.
    var missingAttribution: (key: AuditTableSummary.Fingerprint, sequence: Int64)?
    /// The missing execution whose last entry came first.
    var missingExecution: (id: String, sequence: Int64)?

    /// Takes in what another check of other partitions found, keeping what is reported first.
    mutating func take(_ other: TableFindings) {
        for (table, found) in other.rows where found.ordinal < rows[table]?.ordinal ?? .max { rows[table] = found }
        if let missing = other.missingChangeSet { noteMissing(changeSet: missing.id, missing.sequence) }
        if let missing = other.missingVerdict { noteMissing(verdict: missing.key, missing.sequence) }
        if let missing = other.missingAttribution { noteMissing(attribution: missing.key, missing.sequence) }
        if let missing = other.missingExecution { noteMissing(execution: missing.id, missing.sequence) }
    }

    /// Takes in the rows of `part` that no table row matched.
    mutating func takeMissing(_ part: AuditTableSummary) {
        for (id, changeSet) in part.changeSets where !changeSet.isSeen { noteMissing(changeSet: id, changeSet.sequence) }
        for (key, verdict) in part.verdicts where !verdict.isSeen { noteMissing(verdict: key, verdict.sequence) }
        for (key, attribution) in part.attributions where !attribution.isSeen { noteMissing(attribution: key, attribution.sequence) }
        for (id, execution) in part.executions where !execution.isSeen { noteMissing(execution: id, execution.sequence) }
    }

    // Which missing row is reported: the change set, attribution or execution whose entry came
    // first, and the verdict first in key order.

    private mutating func noteMissing(changeSet id: String, _ sequence: Int64) {
        if sequence < missingChangeSet?.sequence ?? .max { missingChangeSet = (id, sequence) }
    }

    private mutating func noteMissing(verdict key: AuditTableSummary.VerdictKey, _ sequence: Int64) {
        if missingVerdict.map({ key < $0.key }) ?? true { missingVerdict = (key, sequence) }
    }

    private mutating func noteMissing(attribution key: AuditTableSummary.Fingerprint, _ sequence: Int64) {
        if sequence < missingAttribution?.sequence ?? .max { missingAttribution = (key, sequence) }
    }

    private mutating func noteMissing(execution id: String, _ sequence: Int64) {
        if sequence < missingExecution?.sequence ?? .max { missingExecution = (id, sequence) }
    }
}


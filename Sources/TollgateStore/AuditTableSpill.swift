import Foundation
import TollgateCore

/// What a table check of a long audit trail cannot hold in memory: the parts of the trail's
/// summary (``AuditTableSummary/drain(into:)``) and the rows of the tables it governs, split by key
/// into partitions of one scratch file each, so that the check then holds one partition at a time.
///
/// A row's partition follows from its key alone, so a change set's entries and its row meet in
/// the same file. Records are written in the order they were made, which the merge relies on. A
/// partition that turned out larger than estimated is split again the same way (``split(_:into:)``),
/// so that no partition held at once outgrows the memory the check was given.
///
/// The files live in a private folder (mode 0700) under `TMPDIR`, removed when the spill is
/// released; they hold only what the store holds, and no other process reads them.
///
/// One task writes a spill. Once ``flush()`` has written it out, several tasks may read or split
/// its partitions at once, which reads only what no longer changes and each partition's own file:
/// that makes the unchecked `Sendable` safe.
final class AuditTableSpill: @unchecked Sendable {
    /// How many partitions the rows are split into.
    let partitionCount: Int
    /// How many times the records were split before: a split hashes keys anew.
    let level: Int
    private let parent: String
    private let folder: String
    private let columns: [AuditedTable: SQLColumns]
    private let location: String
    private var buffers: [[UInt8]]
    /// Records of the summary (not table rows) written to each partition.
    private var summaryRecords: [Int]
    /// Bytes a partition gathers before they are appended to its file; the files are opened only
    /// to append, so that a thousand partitions never hold a thousand descriptors.
    private let bufferLimit: Int

    /// Makes a private scratch folder in `parent` for `partitionCount` partitions; rows read back
    /// have `columns` and name `location` in their errors.
    ///
    /// - Throws: ``StoreError/scratchFile(path:reason:)`` when the folder cannot be made.
    init(
        partitionCount: Int, under parent: String, columns: [AuditedTable: SQLColumns], location: String, level: Int = 0
    ) throws(StoreError) {
        self.partitionCount = partitionCount
        self.level = level
        self.parent = parent
        self.columns = columns
        self.location = location
        var template = Array((parent as NSString).appendingPathComponent("tollgate-audit-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .scratchFile(path: parent, reason: String(cString: strerror(errno)))
        }
        folder = String(cString: made)
        buffers = Array(repeating: [], count: partitionCount)
        summaryRecords = Array(repeating: 0, count: partitionCount)
        bufferLimit = max(4_096, Self.bufferedBytes / partitionCount)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Bytes buffered over all partitions at most.
    static let bufferedBytes = 2 << 20

    private func path(_ partition: Int) -> String {
        folder + "/\(partition)"
    }

    /// How many records of the summary `partition` holds, which the memory to merge them grows with.
    func summaryRecordCount(_ partition: Int) -> Int {
        summaryRecords[partition]
    }

    // MARK: Partitions

    /// The partition of a record: that of the key of the row it describes.
    func partition(of record: SpillRecord) throws -> Int {
        switch record {
        case .changeSet(let id, _), .supersession(let id): partition(hashing: id)
        case .verdict(let key, _): partition(hashing: key)
        case .execution(let id, _): partition(hashing: id)
        case .attribution(let key, _): partition(hashing: key)
        case .row(.changeSets, _, let row), .row(.executions, _, let row): partition(hashing: try row.text("id"))
        case .row(.verdicts, _, let row):
            partition(hashing: AuditTableSummary.VerdictKey(changeSetID: try row.text("change_set_id"), reviewer: try row.text("reviewer")))
        case .row(.attributions, _, let row):
            partition(hashing: AuditTableSummary.attributionKey(stack: try row.text("stack"), commit: try row.text("commit_id")))
        }
    }

    /// Swift's hash is seeded per process, which is all a spill needs: it is written and read by
    /// one. The level makes a split spread what one partition held.
    private func partition(hashing key: some Hashable) -> Int {
        var hasher = Hasher()
        hasher.combine(level)
        hasher.combine(key)
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(partitionCount))
    }

    // MARK: Writing

    /// Appends a drained part of the summary, each row to its partition: first the supersessions
    /// of change sets the part did not hold, which the part's own rows then override.
    func write(_ part: AuditTableSummary) throws {
        for id in part.supersededIfOpen { try write(.supersession(id: id)) }
        for (id, changeSet) in part.changeSets { try write(.changeSet(id: id, changeSet)) }
        for (key, verdict) in part.verdicts { try write(.verdict(key, verdict)) }
        for (id, execution) in part.executions { try write(.execution(id: id, execution)) }
        for (key, attribution) in part.attributions { try write(.attribution(key, attribution)) }
    }

    /// Appends `record` to its partition.
    func write(_ record: SpillRecord) throws {
        let partition = try partition(of: record)
        if case .row = record {} else { summaryRecords[partition] += 1 }
        try append(to: partition) { out in
            switch record {
            case .changeSet(let id, let changeSet):
                out.tag(.changeSet)
                out.string(id)
                out.fingerprint(changeSet.creation)
                out.fingerprint(changeSet.reason)
                out.integer(changeSet.sequence)
                out.string(changeSet.status.rawValue)
                out.byte(changeSet.recorded.rawValue)
                out.byte(changeSet.isCreated ? 1 : 0)
            case .supersession(let id):
                out.tag(.supersession)
                out.string(id)
            case .verdict(let key, let verdict):
                out.tag(.verdict)
                out.string(key.changeSetID)
                out.string(key.reviewer)
                out.fingerprint(verdict.fingerprint)
                out.integer(verdict.sequence)
                out.byte((verdict.approve ? 1 : 0) | (verdict.hasDigest ? 2 : 0) | (verdict.hasSignature ? 4 : 0))
            case .execution(let id, let execution):
                out.tag(.execution)
                out.string(id)
                out.optionalString(execution.changeSetID)
                out.optionalString(execution.result)
                out.integer(execution.sequence)
                out.byte(execution.isStarted ? 1 : 0)
            case .attribution(let key, let attribution):
                out.tag(.attribution)
                out.fingerprint(key)
                out.fingerprint(attribution.mergedBy)
                out.integer(attribution.sequence)
            case .row(let table, let ordinal, let row):
                out.tag(.row)
                out.byte(UInt8(table.rawValue))
                out.integer(ordinal)
                for value in row.values { out.value(value) }
            }
        }
    }

    /// Writes out what the partitions still buffer, and frees the buffers; call before reading them.
    func flush() throws(StoreError) {
        for partition in 0..<partitionCount where !buffers[partition].isEmpty { try flush(partition) }
        buffers = Array(repeating: [], count: partitionCount)
    }

    /// Splits `partition`'s records, in order, into a spill of `count` partitions of its own, and
    /// removes its file.
    func split(_ partition: Int, into count: Int) throws -> AuditTableSpill {
        let split = try AuditTableSpill(partitionCount: count, under: parent, columns: columns, location: location, level: level + 1)
        let records = try records(of: partition)
        while let record = try records.next() { try split.write(record) }
        try split.flush()
        unlink(path(partition))
        return split
    }

    /// Appends the records of `later`, the spill of the part of the trail after this one's, each
    /// partition's after this spill's own: the two were made with the same partitions.
    func append(contentsOf later: AuditTableSpill) throws(StoreError) {
        precondition(later.partitionCount == partitionCount && later.level == level, "spills of parts are joined partition by partition")
        try later.flush()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        for partition in 0..<partitionCount where later.summaryRecords[partition] > 0 {
            try flush(partition)
            try copy(later.path(partition), to: path(partition), through: &buffer)
            summaryRecords[partition] += later.summaryRecords[partition]
        }
    }

    /// Appends the file at `source` to the file at `target`.
    private func copy(_ source: String, to target: String, through buffer: inout [UInt8]) throws(StoreError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .scratchFile(path: source, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw .scratchFile(path: target, reason: String(cString: strerror(errno))) }
        defer { close(output) }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if count == 0 { return }
            if count < 0 {
                if errno == EINTR { continue }
                throw .scratchFile(path: source, reason: String(cString: strerror(errno)))
            }
            if let failure = buffer.withUnsafeBytes({ Self.writeAll(UnsafeRawBufferPointer(rebasing: $0[..<count]), to: output) }) {
                throw .scratchFile(path: target, reason: String(cString: strerror(failure)))
            }
        }
    }

    private func append(to partition: Int, _ write: (inout SpillRecordWriter) -> Void) throws(StoreError) {
        var writer = SpillRecordWriter(bytes: buffers[partition])
        buffers[partition] = []
        write(&writer)
        buffers[partition] = writer.bytes
        if buffers[partition].count >= bufferLimit { try flush(partition) }
    }

    private func flush(_ partition: Int) throws(StoreError) {
        let path = path(partition)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .scratchFile(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        if let failure = buffers[partition].withUnsafeBytes({ Self.writeAll($0, to: descriptor) }) {
            throw .scratchFile(path: path, reason: String(cString: strerror(failure)))
        }
        buffers[partition].removeAll(keepingCapacity: true)
    }

    /// Writes all of `bytes` to `descriptor`; returns the `errno` of a write that failed.
    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    // MARK: Reading

    /// The records of `partition` in the order they were written.
    func records(of partition: Int) throws(StoreError) -> SpillRecordReader {
        try SpillRecordReader(path: path(partition), columns: columns, location: location)
    }
}

/// The tables whose rows the table check compares with the trail's summary, in the order it checks them.
enum AuditedTable: Int, CaseIterable, Sendable {
    case changeSets, verdicts, attributions, executions
}

/// One record of a partition.
enum SpillRecord {
    case changeSet(id: String, AuditTableSummary.ChangeSet)
    case supersession(id: String)
    case verdict(AuditTableSummary.VerdictKey, AuditTableSummary.Verdict)
    case execution(id: String, AuditTableSummary.Execution)
    case attribution(AuditTableSummary.Fingerprint, AuditTableSummary.Attribution)
    case row(AuditedTable, ordinal: Int64, SQLRow)
}

private enum SpillTag: UInt8 {
    case changeSet = 1, supersession, verdict, execution, attribution, row
}

/// Writes records as tagged, length-prefixed fields, little-endian: the reader is this process.
private struct SpillRecordWriter {
    var bytes: [UInt8]

    mutating func tag(_ tag: SpillTag) { bytes.append(tag.rawValue) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func integer(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            integer(Int64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func optionalString(_ value: String?) {
        guard let value else { return byte(0) }
        byte(1)
        string(value)
    }

    mutating func fingerprint(_ value: AuditTableSummary.Fingerprint) {
        integer(Int64(bitPattern: value.high))
        integer(Int64(bitPattern: value.low))
    }

    mutating func value(_ value: SQLValue) {
        switch value {
        case .null: byte(0)
        case .text(let text): byte(1); string(text)
        case .integer(let number): byte(2); integer(number)
        }
    }
}

/// Reads a partition's records back a chunk of the file at a time.
final class SpillRecordReader {
    private let descriptor: Int32
    let path: String
    private let columns: [AuditedTable: SQLColumns]
    private let location: String
    /// The chunk of the file read last; bytes from `position` up to `end` are still to be read.
    private var buffer: [UInt8] = []
    private var position = 0
    private var end = 0
    private var isAtEndOfFile = false

    fileprivate init(path: String, columns: [AuditedTable: SQLColumns], location: String) throws(StoreError) {
        self.path = path
        self.columns = columns
        self.location = location
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        // A partition that no record fell into has no file.
        if descriptor < 0 && errno != ENOENT { throw .scratchFile(path: path, reason: String(cString: strerror(errno))) }
        self.descriptor = descriptor
        isAtEndOfFile = descriptor < 0
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The next record, or nil after the last.
    func next() throws(StoreError) -> SpillRecord? {
        guard try available(1) else { return nil }
        let tag = try byte()
        switch SpillTag(rawValue: tag) {
        case .changeSet:
            let id = try string()
            let creation = try fingerprint()
            let reason = try fingerprint()
            let sequence = try integer()
            guard let status = ChangeSetStatus(rawValue: try string()) else { throw damaged() }
            let recorded = AuditTableSummary.CreationFields(rawValue: try byte())
            let isCreated = try byte() == 1
            return .changeSet(id: id, AuditTableSummary.ChangeSet(
                creation: creation, reason: reason, sequence: sequence, status: status, recorded: recorded, isCreated: isCreated))
        case .supersession:
            return .supersession(id: try string())
        case .verdict:
            let key = AuditTableSummary.VerdictKey(changeSetID: try string(), reviewer: try string())
            let fingerprint = try fingerprint()
            let sequence = try integer()
            let flags = try byte()
            return .verdict(key, AuditTableSummary.Verdict(
                fingerprint: fingerprint, sequence: sequence, approve: flags & 1 != 0, hasDigest: flags & 2 != 0, hasSignature: flags & 4 != 0))
        case .execution:
            let id = try string()
            let changeSetID = try optionalString()
            let result = try optionalString()
            let sequence = try integer()
            let isStarted = try byte() == 1
            return .execution(id: id, AuditTableSummary.Execution(changeSetID: changeSetID, result: result, sequence: sequence, isStarted: isStarted))
        case .attribution:
            let key = try fingerprint()
            let mergedBy = try fingerprint()
            return .attribution(key, AuditTableSummary.Attribution(mergedBy: mergedBy, sequence: try integer()))
        case .row:
            guard let table = AuditedTable(rawValue: Int(try byte())), let columns = columns[table] else { throw damaged() }
            let ordinal = try integer()
            var values: [SQLValue] = []
            values.reserveCapacity(columns.positions.count)
            for _ in 0..<columns.positions.count { values.append(try value()) }
            return .row(table, ordinal: ordinal, SQLRow(columns: columns, values: values, location: location))
        case nil:
            throw damaged()
        }
    }

    /// A scratch file that does not read back as written was changed under the check.
    private func damaged() -> StoreError {
        .scratchFile(path: path, reason: "it no longer holds what the check wrote")
    }

    /// Whether `count` more bytes can be read, reading the next chunk of the file when needed:
    /// what is left of the buffer moves to its start and the file fills the rest.
    private func available(_ count: Int) throws(StoreError) -> Bool {
        while end - position < count {
            guard !isAtEndOfFile else { return false }
            let left = end - position
            let wanted = max(count, 1 << 16)
            if wanted > buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: wanted - buffer.count)) }
            let read = buffer.withUnsafeMutableBytes { bytes in
                memmove(bytes.baseAddress!, bytes.baseAddress! + position, left)
                return Glibc.read(descriptor, bytes.baseAddress! + left, bytes.count - left)
            }
            position = 0
            end = left
            if read < 0 {
                if errno == EINTR { continue }
                throw .scratchFile(path: path, reason: String(cString: strerror(errno)))
            }
            end += read
            if read == 0 { isAtEndOfFile = true }
        }
        return true
    }

    private func byte() throws(StoreError) -> UInt8 {
        guard try available(1) else { throw damaged() }
        defer { position += 1 }
        return buffer[position]
    }

    private func integer() throws(StoreError) -> Int64 {
        guard try available(8) else { throw damaged() }
        defer { position += 8 }
        return buffer.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: position, as: Int64.self)) }
    }

    private func string() throws(StoreError) -> String {
        let count = try integer()
        guard count >= 0, count <= Int64(Int32.max), try available(Int(count)) else { throw damaged() }
        defer { position += Int(count) }
        return String(decoding: buffer[position..<position + Int(count)], as: UTF8.self)
    }

    private func optionalString() throws(StoreError) -> String? {
        try byte() == 0 ? nil : try string()
    }

    private func fingerprint() throws(StoreError) -> AuditTableSummary.Fingerprint {
        AuditTableSummary.Fingerprint(high: UInt64(bitPattern: try integer()), low: UInt64(bitPattern: try integer()))
    }

    private func value() throws(StoreError) -> SQLValue {
        switch try byte() {
        case 0: return .null
        case 1: return .text(try string())
        case 2: return .integer(try integer())
        default: throw damaged()
        }
    }
}

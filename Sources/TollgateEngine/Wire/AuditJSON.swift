public import Foundation
public import TollgateCore

/// The JSON shape of an audit entry, shared by `tollgate audit --json` and the HTTP API.
///
/// Times are ISO 8601 text; `epochMilliseconds` is kept as well because it is what the hash covers,
/// so that an auditor can recompute every hash from the JSON alone.
public struct AuditEntryJSON: Codable, Sendable, Hashable {
    /// ``AuditEntry/sequence``.
    public var sequence: Int64
    /// ``AuditEntry/time``.
    public var time: Date
    /// ``AuditEntry/epochMilliseconds``, the time as the hash covers it.
    public var epochMilliseconds: Int64
    /// ``AuditEntry/actor``.
    public var actor: String
    /// ``AuditEntry/action``, written as its stored name.
    public var action: AuditAction
    /// ``AuditEntry/stack``.
    public var stack: String?
    /// ``AuditEntry/changeSetID``.
    public var changeSet: String?
    /// ``AuditEntry/commit``.
    public var commit: String?
    /// ``AuditEntry/digest``.
    public var digest: String?
    /// ``AuditEntry/details``.
    public var details: [String: String]
    /// ``AuditEntry/previousHash``.
    public var previousHash: String
    /// ``AuditEntry/hash``.
    public var hash: String

    /// Converts a stored entry.
    public init(_ entry: AuditEntry) {
        sequence = entry.sequence
        time = entry.time
        epochMilliseconds = entry.epochMilliseconds
        actor = entry.actor
        action = entry.action
        stack = entry.stack
        changeSet = entry.changeSetID
        commit = entry.commit
        digest = entry.digest
        details = entry.details
        previousHash = entry.previousHash
        hash = entry.hash
    }
}

/// The JSON shape of a verification verdict, for `tollgate audit verify --json`.
public struct AuditVerificationJSON: Codable, Sendable, Hashable {
    /// Whether the trail holds.
    public var status: AuditVerificationStatus
    /// How many entries passed before the first defect (all of them when intact).
    public var verifiedEntries: Int
    /// The last hash of an intact trail.
    public var head: String?
    /// The first bad sequence number of a tampered trail.
    public var firstBadSequence: Int64?
    /// What is wrong there, in words.
    public var problem: String?
    /// The first table row that disagrees with an intact trail, in words.
    public var tableDisagreement: String?

    /// Converts a verdict on the chain and, when the chain is intact, on the tables it governs.
    public init(_ verification: AuditVerification, tables: TableDisagreement? = nil) {
        switch verification {
        case .intact(let count, let head):
            status = tables == nil ? .intact : .tablesDisagree
            verifiedEntries = count
            self.head = head
            tableDisagreement = tables?.description
        case .tampered(let defect, let verifiedCount):
            status = .tampered
            verifiedEntries = verifiedCount
            firstBadSequence = defect.sequence
            problem = defect.description
        }
    }
}

/// The verdict of `tollgate audit verify`.
public enum AuditVerificationStatus: String, Codable, Sendable, Hashable {
    /// Every entry chains to the one before, and the tables agree with the trail.
    case intact
    /// The chain is intact but a table row disagrees with it: the store was edited outside Tollgate.
    case tablesDisagree = "tables-disagree"
    /// An entry does not chain: the trail was edited.
    case tampered
}

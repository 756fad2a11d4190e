public import Foundation
public import TollgateCore
public import TollgateStore

/// The `--json` answer of `tollgate init`.
public struct InitJSON: Codable, Sendable {
    /// The commit whose `Policies/` is now in force.
    public var commit: String
    /// Who trusted it.
    public var actor: String
    /// The ids of the people the trusted policy lists.
    public var people: [String]

    /// The answer for a trusted policy.
    public init(commit: String, actor: String, people: [String]) {
        self.commit = commit
        self.actor = actor
        self.people = people
    }
}

/// Where a bearer token stands.
public enum TokenState: String, Codable, Sendable {
    /// It may be used.
    case active
    /// Its lifetime is over.
    case expired
    /// It was revoked.
    case revoked
}

/// A token as `--json` shows it; `token` only in the answer of `token issue`.
public struct TokenJSON: Codable, Sendable {
    /// The token's id.
    public var id: String
    /// The reviewer it acts as.
    public var reviewer: String
    /// When it was issued.
    public var createdAt: Date
    /// When it expires, if ever.
    public var expiresAt: Date?
    /// When it was revoked, if it was.
    public var revokedAt: Date?
    /// Where it stands at `now`.
    public var state: TokenState
    /// The secret itself, shown once when issued.
    public var token: String?

    /// The token `record` as it stands at `now`, with its secret when it was just issued.
    public init(_ record: AccessTokenRecord, token: String?, now: Date = Date()) {
        id = record.id
        reviewer = record.reviewer
        createdAt = record.createdAt
        expiresAt = record.expiresAt
        revokedAt = record.revokedAt
        state = record.revokedAt != nil ? .revoked : (record.expiresAt.map { $0 <= now } ?? false) ? .expired : .active
        self.token = token
    }
}

/// The JSON answer of `tollgate audit head`.
public struct AuditHeadJSON: Codable, Sendable {
    /// The sequence number of the newest entry.
    public var sequence: Int64
    /// Its hash, which every later entry chains to.
    public var hash: String

    /// The head at `sequence` with `hash`.
    public init(sequence: Int64, hash: String) {
        self.sequence = sequence
        self.hash = hash
    }
}

/// The `--json` answer of `tollgate check`.
public struct GuardCheckJSON: Codable, Sendable {
    /// The commit whose `Policies/guards/` decided.
    public var policyCommit: String
    /// The commit whose templates were checked.
    public var commit: String
    /// Whether an enforced, unwaived error fails on some stack.
    public var blocks: Bool
    /// One report per stack.
    public var reports: [GuardReport]

    /// The answer for `check`.
    public init(_ check: GuardCheck) {
        policyCommit = check.policyCommit
        commit = check.commit
        blocks = check.blocks
        reports = check.reports
    }
}

/// The `--json` answer of `tollgate guard report`.
public struct GuardReportJSON: Codable, Sendable {
    /// The commit whose `Policies/guards/` decided.
    public var policyCommit: String
    /// The commit whose templates were checked.
    public var commit: String
    /// One row per rule, sorted by name.
    public var rules: [GuardRuleImpact]

    /// The answer for `check`, one row per rule that applies to some stack.
    public init(_ check: GuardCheck) {
        policyCommit = check.policyCommit
        commit = check.commit
        rules = GuardRuleImpact.rows(check)
    }
}

/// One rule's effect over every stack: where it blocks (or would block), warns, or is waived.
public struct GuardRuleImpact: Codable, Equatable, Sendable {
    /// The rule's name.
    public var rule: String
    /// The file under `Policies/guards/` that declares it.
    public var file: String
    /// How bad a failure is.
    public var severity: GuardSeverity
    /// Whether it blocks or only observes.
    public var mode: GuardMode
    /// Stacks where it fails with an unwaived error: blocked now if enforced, later if observed.
    public var wouldBlock: [String]
    /// Stacks where it fails with severity warning.
    public var warned: [String]
    /// Stacks where every failure is waived.
    public var waived: [String]

    /// One row per rule (and type restriction) that applies to some stack, sorted by rule name.
    public static func rows(_ check: GuardCheck) -> [GuardRuleImpact] {
        var rows: [String: GuardRuleImpact] = [:]
        for report in check.reports {
            for outcome in report.outcomes where rows[outcome.rule] == nil {
                rows[outcome.rule] = GuardRuleImpact(
                    rule: outcome.rule, file: outcome.file, severity: outcome.severity, mode: outcome.mode, wouldBlock: [], warned: [], waived: [])
            }
            for finding in report.findings {
                var row = rows[finding.rule] ?? GuardRuleImpact(
                    rule: finding.rule, file: finding.file, severity: finding.severity, mode: finding.mode, wouldBlock: [], warned: [], waived: [])
                if finding.wouldBlock {
                    if !row.wouldBlock.contains(report.stack) { row.wouldBlock.append(report.stack) }
                } else if finding.waiver != nil {
                    if !row.waived.contains(report.stack) { row.waived.append(report.stack) }
                } else if !row.warned.contains(report.stack) {
                    row.warned.append(report.stack)
                }
                rows[finding.rule] = row
            }
        }
        return rows.keys.sorted().compactMap { rows[$0] }
    }
}

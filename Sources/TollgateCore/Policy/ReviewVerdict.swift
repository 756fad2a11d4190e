public import Foundation

/// Where a change set stands in review.
public enum ReviewStatus: String, Sendable, Hashable, Codable {
    /// Some rule still lacks approvals.
    case pending = "PENDING"
    /// Every rule that applies is met.
    case approved = "APPROVED"
    /// A reviewer who may approve it rejected it.
    case rejected = "REJECTED"
    /// No approval can make it pass as it stands (no rule covers the stack, the proposed
    /// policy is malformed, or the stack policy denies it and there is no override rule).
    case unapprovable = "UNAPPROVABLE"
}

/// Why a recorded approval or rejection does not count; each says what the reviewer can do.
public enum ClaimProblem: Sendable, Hashable, CustomStringConvertible {
    /// The signature is malformed, in another namespace, or does not match the approval text.
    case invalidSignature(SignatureError)
    /// The claim was recorded for another digest of the change set.
    case otherDigest(signed: String, expected: String)
    /// The policy in force lists no reviewer with this key.
    case keyNotListed(fingerprint: String)
    /// The claim names one reviewer but was signed with another's key.
    case reviewerMismatch(claimed: String, keyHolder: String)
    /// The reviewer wrote or committed a commit of this change set.
    case authorOfChange(reviewer: String, email: String)
    /// The reviewer's approval already counts; a person counts once.
    case alreadyCounted(reviewer: String)
    /// No rule that applies names the reviewer.
    case notEligible(reviewer: String)
    /// A session approval attested by a server key the policy in force lists, which that policy
    /// does not let count here (see ``SessionApprovals``).
    case sessionApprovalRefused(reason: String)

    /// One sentence saying why the claim does not count.
    public var description: String {
        switch self {
        case let .invalidSignature(error):
            return error.description
        case let .otherDigest(signed, expected):
            return "approves digest \(signed), but the change set's digest is \(expected); an approval counts only for the digest it signed"
        case let .keyNotListed(fingerprint):
            return "signed by a key not listed for any reviewer in the policy in force (\(fingerprint))"
        case let .reviewerMismatch(claimed, keyHolder):
            return "recorded as '\(claimed)' but signed with a key of '\(keyHolder)'"
        case let .authorOfChange(reviewer, email):
            return "'\(reviewer)' authored or committed a commit of this change set (\(email)) and cannot approve it"
        case let .alreadyCounted(reviewer):
            return "'\(reviewer)' has already approved; a person counts once"
        case let .notEligible(reviewer):
            return "'\(reviewer)' is not named by any rule that applies to this change set"
        case let .sessionApprovalRefused(reason):
            return "a session approval attested by the server does not count: \(reason)"
        }
    }
}

/// What became of one recorded claim.
public struct ClaimVerdict: Sendable, Hashable {
    /// The claim's position in the list given to the evaluator.
    public let index: Int
    /// The holder of the signing key, when the key is listed.
    public let reviewerID: String?
    /// Approve or reject.
    public let verdict: ApprovalVerdict
    /// When the claim was recorded.
    public let time: Date
    /// The reason given with a rejection.
    public let reason: String?
    /// `nil` when the claim counts; otherwise why it does not.
    public let problem: ClaimProblem?

    /// Whether the approval or rejection takes effect.
    public var counts: Bool { problem == nil }
}

/// One requirement of a rule and how far it is met.
public struct RequirementVerdict: Sendable, Hashable {
    /// The requirement as in the policy in force.
    public let requirement: ApprovalRequirement
    /// People whose approvals fill this requirement.
    public let countedReviewers: [String]
    /// How many approvals are still needed.
    public let missing: Int
    /// Eligible people who have not approved yet and may still do so.
    public let canStillApprove: [String]

    /// Whether enough people approved.
    public var isSatisfied: Bool { missing == 0 }
}

/// One rule that applies to the change set, and how far it is met.
public struct RuleVerdict: Sendable, Hashable {
    /// Which part of approvals.yaml the rule comes from.
    public enum Kind: Sendable, Hashable {
        /// A rule's `require` list.
        case rule(name: String)
        /// A rule's `destructive` list, for destructive change sets.
        case destructive(name: String)
        /// `stack-policy-override`, when the stack policy denies part of the change set.
        case stackPolicyOverride
        /// `policy-changes`, for a change to `Policies/`.
        case policyChanges
        /// One approval more than the rule (or `policy-changes`) asks, from its own reviewers, because
        /// `commit-signatures: required` and some commits' authors are not proven.
        case unprovenCommits(rule: String, commits: [String])
    }

    /// Where the rule comes from.
    public let kind: Kind
    /// Its requirements, each with the people assigned to it.
    public let requirements: [RequirementVerdict]

    /// Whether every requirement is met.
    public var isSatisfied: Bool { requirements.allSatisfy(\.isSatisfied) }

    /// The rule as `explain` names it.
    public var title: String {
        switch kind {
        case let .rule(name): return "rule '\(name)'"
        case let .destructive(name): return "rule '\(name)', destructive changes"
        case .stackPolicyOverride: return "stack-policy-override"
        case .policyChanges: return "policy-changes"
        case let .unprovenCommits(rule, commits):
            let list = commits.map { String($0.prefix(7)) }.joined(separator: ", ")
            return "\(rule == "policy-changes" ? "policy-changes" : "rule '\(rule)'"), one more approval: commit-signatures is required and \(list) \(commits.count == 1 ? "is" : "are") unsigned or signed by a key nobody is listed for"
        }
    }
}

/// Whether the change windows and freezes let a change be applied at a given time.
public struct WindowVerdict: Sendable, Hashable {
    /// Whether changes may be applied now.
    public let isOpen: Bool
    /// What decided it, for `explain`.
    public let reasons: [String]
    /// When closed: the first moment a window opens again, within 400 days; nil when open or none.
    public let nextOpening: Date?

    /// Creates a verdict.
    public init(isOpen: Bool, reasons: [String], nextOpening: Date? = nil) {
        self.isOpen = isOpen
        self.reasons = reasons
        self.nextOpening = nextOpening
    }
}

/// The outcome of reviewing one change set under the policy in force at one moment: both the
/// decision (status, whether it can be applied now) and everything `tollgate explain` shows.
public struct ReviewVerdict: Sendable, Hashable {
    /// The change set reviewed.
    public let subject: ReviewSubject
    /// Where the change set stands.
    public let status: ReviewStatus
    /// Why the change set is ``ReviewStatus/unapprovable``; empty otherwise.
    public let problems: [String]
    /// Every rule that applies, in order.
    public let rules: [RuleVerdict]
    /// Every claim given, in the order given, with whether it counts.
    public let claims: [ClaimVerdict]
    /// Reviewers whose rejections count.
    public let rejectedBy: [String]
    /// The stack policy's verdict per resource change; empty without a stack policy.
    public let stackPolicyDecisions: [StackPolicyDecision]
    /// Whether the policy in force has a stack policy for the stack.
    public let hasStackPolicy: Bool
    /// Change windows and freezes at the evaluation time.
    public let window: WindowVerdict
    /// Whether every rule covering the stack allows applying it without being asked once
    /// approved; never for a new stack, whose first apply is always explicit.
    public let appliesAutomatically: Bool
    /// The guard rules' verdict on the target template under the policy in force; nil for a
    /// change to `Policies/`, a removed stack, or a policy without guard rules.
    public let guards: GuardReport?

    /// Approved and inside an open window: the applier may go ahead.
    public var canApplyNow: Bool {
        status == .approved && window.isOpen
    }

    /// What stands between the change set and being applied now; empty when it can be.
    public var blockers: [String] {
        var result: [String] = []
        switch status {
        case .approved: break
        case .pending: result.append("it is not approved yet")
        case .rejected: result.append("it was rejected by \(rejectedBy.joined(separator: ", "))")
        case .unapprovable: result.append(contentsOf: problems)
        }
        if !window.isOpen {
            result.append(contentsOf: window.reasons)
        }
        return result
    }

    /// The human-readable account `tollgate explain` prints, ending with a newline.
    ///
    /// Every value from the repository, the store or a reviewer is escaped with ``TerminalText``,
    /// so that a rejection reason or a stack name can never add or erase a line.
    public var explanation: String {
        let escape = TerminalText.escape
        var lines: [String] = []
        lines.append("Change set \(escape(subject.changeSetID)) (\(escape(subject.target.description))), digest \(escape(subject.digest))")
        lines.append("Status: \(status.rawValue)" + (subject.isDestructive ? " (destructive)" : ""))
        if !subject.opaqueTransforms.isEmpty {
            lines.append(
                "  destructive because the template runs \(subject.opaqueTransforms.joined(separator: ", ")), "
                    + "which may change any resource at apply time")
        }
        for problem in problems {
            lines.append("  cannot be approved: \(escape(problem))")
        }
        if !rules.isEmpty {
            lines.append("Rules:")
        }
        for rule in rules {
            lines.append("  \(escape(rule.title)): \(rule.isSatisfied ? "met" : "not met")")
            for requirement in rule.requirements {
                var line = "    \(escape("\(requirement.requirement)")): "
                if requirement.countedReviewers.isEmpty {
                    line += "no approvals yet"
                } else {
                    line += "approved by \(requirement.countedReviewers.map(escape).joined(separator: ", "))"
                }
                if requirement.missing > 0 {
                    let others = requirement.canStillApprove.map(escape).joined(separator: ", ")
                    if requirement.canStillApprove.isEmpty {
                        line += "; needs \(requirement.missing) more, but nobody left may approve"
                    } else if requirement.canStillApprove.count < requirement.missing {
                        line += "; needs \(requirement.missing) more, but only \(others) may still approve"
                    } else {
                        line += "; needs \(requirement.missing) more, from \(others)"
                    }
                }
                lines.append(line)
            }
        }
        if !claims.isEmpty {
            lines.append("Approvals and rejections:")
        }
        for claim in claims {
            let who = escape(claim.reviewerID ?? "unknown key")
            let action = claim.verdict == .approve ? "approved" : "rejected"
            let outcome = claim.problem.map { "does not count: \(escape("\($0)"))" } ?? "counts"
            let reason = claim.reason.map { " (\"\(escape($0))\")" } ?? ""
            lines.append("  \(who) \(action) at \(claim.time.formatted(.iso8601))\(reason): \(outcome)")
        }
        if hasStackPolicy {
            lines.append("Stack policy:")
            if stackPolicyDecisions.isEmpty {
                lines.append("  no resource changes to check")
            }
            for decision in stackPolicyDecisions {
                let change = decision.change
                let outcome: String = switch decision.outcome {
                case .allowed: "allowed"
                case let .denied(reason): "denied: \(escape(reason))"
                case .notGoverned: "not governed (new resource)"
                }
                lines.append("  \(escape(change.logicalID)) (\(escape(change.resourceType))) \(change.action.rawValue): \(outcome)")
            }
        }
        if let guards {
            lines.append("Guard rules (Policies/guards/ in force): \(guards.outcomes.count) appl\(guards.outcomes.count == 1 ? "ies" : "y"), \(guards.findings.count) failure\(guards.findings.count == 1 ? "" : "s")")
            for finding in guards.findings {
                lines.append("  \(escape(finding.summary)) [\(escape(finding.standing))]")
            }
        }
        lines.append("Change window: \(window.isOpen ? "open" : "closed")" + (window.reasons.isEmpty ? "" : ": " + window.reasons.map(escape).joined(separator: "; ")))
        let blockers = self.blockers
        lines.append(blockers.isEmpty ? "Can be applied now." : "Cannot be applied now: \(blockers.map(escape).joined(separator: "; ")).")
        if case .stack = subject.target {
            lines.append(appliesAutomatically
                ? "Once approved, the policy lets it be applied automatically."
                : "Once approved, the policy needs someone to start its apply.")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

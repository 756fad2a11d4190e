public import Foundation

/// The JSON shape of a ``ReviewVerdict``, for `tollgate explain --json` and the HTTP API, kept
/// apart from the verdict so that the wire format changes only on purpose.
public struct ReviewReport: Sendable, Hashable, Codable {
    /// One requirement of a rule.
    public struct Requirement: Sendable, Hashable, Codable {
        /// How many different people must approve.
        public let count: Int
        /// The people and groups as written in approvals.yaml.
        public let from: [String]
        /// People whose approvals fill the requirement.
        public let approvedBy: [String]
        /// How many approvals are still needed.
        public let missing: Int
        /// Who may still approve to fill it.
        public let canStillApprove: [String]
    }

    /// One rule that applies.
    public struct Rule: Sendable, Hashable, Codable {
        /// The rule as `explain` names it.
        public let title: String
        /// Whether every requirement is met.
        public let satisfied: Bool
        /// The rule's requirements in file order.
        public let requirements: [Requirement]
    }

    /// One recorded approval or rejection.
    public struct Claim: Sendable, Hashable, Codable {
        /// The holder of the signing key, when the key is listed.
        public let reviewer: String?
        /// Approve or reject.
        public let verdict: ApprovalVerdict
        /// When it was recorded.
        public let time: Date
        /// Whether it takes effect.
        public let counts: Bool
        /// The reason given with a rejection.
        public let reason: String?
        /// Why it does not count, when it does not.
        public let problem: String?
    }

    /// The stack policy's verdict on one resource change.
    public struct Resource: Sendable, Hashable, Codable {
        /// The resource's logical id.
        public let logicalId: String
        /// The resource type.
        public let resourceType: String
        /// What the change set does to the resource.
        public let action: ResourceAction
        /// `allowed`, `denied` or `not-governed`.
        public let outcome: String
        /// Which statement denied it, for a denial.
        public let reason: String?
    }

    /// The change windows and freezes at evaluation time.
    public struct Window: Sendable, Hashable, Codable {
        /// Whether changes may be applied now.
        public let open: Bool
        /// The windows and freezes that decided it.
        public let reasons: [String]
    }

    /// The change set's id.
    public let changeSet: String
    /// The stack's name, or nil for a change to `Policies/`.
    public let stack: String?
    /// The change set's content digest.
    public let digest: String
    /// PENDING, APPROVED, REJECTED or UNAPPROVABLE.
    public let status: ReviewStatus
    /// Whether destructive-change requirements apply.
    public let destructive: Bool
    /// Why no approval can make it pass, if so.
    public let problems: [String]
    /// Every rule that applies.
    public let rules: [Rule]
    /// Every recorded approval and rejection.
    public let claims: [Claim]
    /// Reviewers whose rejections count.
    public let rejectedBy: [String]
    /// Nil when the stack has no stack policy.
    public let stackPolicy: [Resource]?
    /// Change windows and freezes now.
    public let window: Window
    /// Approved and inside an open window.
    public let canApplyNow: Bool
    /// What stands between it and being applied now.
    public let blockers: [String]
    /// Whether it is applied without being asked once approved.
    public let appliesAutomatically: Bool
    /// The guard rules' verdict on the target template; nil when no guard rule applies.
    public let guards: GuardReport?
}

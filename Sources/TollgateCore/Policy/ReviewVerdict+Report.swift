extension ReviewVerdict {
    /// The verdict in its JSON shape.
    public var report: ReviewReport {
        let stack: String? = switch subject.target {
        case let .stack(name): name
        case .policies: nil
        }
        return ReviewReport(
            changeSet: subject.changeSetID,
            stack: stack,
            digest: subject.digest,
            status: status,
            destructive: subject.isDestructive,
            problems: problems,
            rules: rules.map { rule in
                ReviewReport.Rule(title: rule.title, satisfied: rule.isSatisfied, requirements: rule.requirements.map {
                    ReviewReport.Requirement(count: $0.requirement.count, from: $0.requirement.from, approvedBy: $0.countedReviewers, missing: $0.missing, canStillApprove: $0.canStillApprove)
                })
            },
            claims: claims.map {
                ReviewReport.Claim(reviewer: $0.reviewerID, verdict: $0.verdict, time: $0.time, counts: $0.counts, reason: $0.reason, problem: $0.problem?.description)
            },
            rejectedBy: rejectedBy,
            stackPolicy: hasStackPolicy ? stackPolicyDecisions.map { decision in
                let (outcome, reason): (String, String?) = switch decision.outcome {
                case .allowed: ("allowed", nil)
                case let .denied(why): ("denied", why)
                case .notGoverned: ("not-governed", nil)
                }
                return ReviewReport.Resource(logicalId: decision.change.logicalID, resourceType: decision.change.resourceType, action: decision.change.action, outcome: outcome, reason: reason)
            } : nil,
            window: ReviewReport.Window(open: window.isOpen, reasons: window.reasons),
            canApplyNow: canApplyNow,
            blockers: blockers,
            appliesAutomatically: appliesAutomatically,
            guards: guards
        )
    }
}

public import Foundation

/// Decides whether a change set is approved, rejected or still waiting, and whether it may be
/// applied at a given moment, under one ``PolicySet``.
///
/// The evaluator must be given the policy in force (the `Policies/` revision last applied), never
/// the one in the change under review; that is what keeps a change from approving itself. It
/// is pure: the same policy, subject, claims and time always give the same verdict, so the
/// applier can re-check right before applying.
public struct ApprovalEvaluator: Sendable {
    /// The policy in force.
    public let policy: PolicySet

    /// Creates an evaluator for the policy in force.
    public init(policy: PolicySet) {
        self.policy = policy
    }

    /// Evaluates `claims` for `subject` at `now`.
    ///
    /// Signatures are verified again here against the text for the subject's digest and the
    /// claim's verdict, with the keys the policy in force lists, so a key removed from the policy
    /// stops counting at once.
    public func evaluate(_ subject: ReviewSubject, claims: [ApprovalClaim], at now: Date) -> ReviewVerdict {
        var problems: [String] = []
        var rules: [(kind: RuleVerdict.Kind, requirements: [ApprovalRequirement])] = []
        var decisions: [StackPolicyDecision] = []
        var hasStackPolicy = false
        var matching: [ApprovalRule] = []
        var guards: GuardReport?

        switch subject.target {
        case .policies:
            rules.append((.policyChanges, policy.approvals.policyChanges))
            problems += subject.proposedPolicyProblems.map { "the proposed policy is invalid: \($0)" }
            for waiver in subject.proposedGuardWaivers where !waiver.isInForce(at: now) {
                let place = GuardWaiver.path + (waiver.line.map { ":\($0)" } ?? "")
                problems.append(
                    "the proposed policy is invalid: \(place): rule \(waiver.rule) is waived for \(waiver.stack)/\(waiver.resource) "
                        + "with an expiry (\(waiver.expires.formatted(.iso8601))) already past; remove the waiver or give a later date")
            }
        case let .stack(stack):
            matching = policy.approvals.rules(forStack: stack)
            if matching.isEmpty {
                problems.append("no rule in \(ApprovalPolicy.path) covers stack '\(stack)'; add one whose stacks match it")
            }
            for rule in matching {
                rules.append((.rule(name: rule.name), rule.require))
                if subject.isDestructive, !rule.destructive.isEmpty {
                    rules.append((.destructive(name: rule.name), rule.destructive))
                }
            }
            if let template = subject.targetTemplate, !policy.guards.isEmpty {
                let report = policy.guards.check(stack: stack, template: template.text, fileName: template.fileName, at: now)
                problems += report.findings.filter(\.blocks).map(\.summary)
                guards = report
            }
            problems += subject.brokenImports.map(\.description)
            if let stackPolicy = policy.stackPolicies[stack] {
                hasStackPolicy = true
                decisions = subject.resourceChanges.map(stackPolicy.evaluate)
                if decisions.contains(where: \.isDenied) {
                    if policy.approvals.stackPolicyOverride.isEmpty {
                        problems.append("the stack policy denies part of the change and \(ApprovalPolicy.path) has no stack-policy-override rule")
                    } else {
                        rules.append((.stackPolicyOverride, policy.approvals.stackPolicyOverride))
                    }
                }
            }
        }

        let (signers, unproven) = provenance(subject)
        if policy.approvals.commitSignatures == .required && !unproven.isEmpty {
            rules += rules.compactMap { rule -> (kind: RuleVerdict.Kind, requirements: [ApprovalRequirement])? in
                let name: String
                switch rule.kind {
                case let .rule(ruleName): name = ruleName
                case .policyChanges: name = "policy-changes"
                case .destructive, .stackPolicyOverride, .unprovenCommits: return nil
                }
                let requirement = ApprovalRequirement(
                    count: rule.requirements.map(\.count).reduce(0, +) + 1,
                    from: Self.unique(rule.requirements.flatMap(\.from)),
                    eligible: Self.unique(rule.requirements.flatMap(\.eligible)))
                return (.unprovenCommits(rule: name, commits: unproven), [requirement])
            }
        }
        let eligible = Set(rules.flatMap { $0.requirements.flatMap(\.eligible) })
        var excluded = excludedReviewers(subject)
        for (commit, signer) in signers where excluded[signer] == nil {
            excluded[signer] = "the signer of commit \(commit.prefix(7))"
        }
        var approvers: [String] = []
        var rejectedBy: [String] = []
        var verdicts: [ClaimVerdict] = []
        let ordered = claims.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
        for (index, claim) in ordered {
            let (reviewer, identityProblem) = identify(claim, subject: subject)
            var problem = identityProblem
            if problem == nil, let reviewer {
                if let email = excluded[reviewer.id] {
                    problem = .authorOfChange(reviewer: reviewer.id, email: email)
                } else if !eligible.contains(reviewer.id) {
                    problem = .notEligible(reviewer: reviewer.id)
                } else if claim.verdict == .approve {
                    if approvers.contains(reviewer.id) {
                        problem = .alreadyCounted(reviewer: reviewer.id)
                    } else {
                        approvers.append(reviewer.id)
                    }
                } else if !rejectedBy.contains(reviewer.id) {
                    rejectedBy.append(reviewer.id)
                }
            }
            verdicts.append(ClaimVerdict(index: index, reviewerID: reviewer?.id, verdict: claim.verdict, time: claim.time, reason: claim.reason, problem: problem))
        }
        verdicts.sort { $0.index < $1.index }

        let ruleVerdicts = rules.map { rule in
            evaluateRule(kind: rule.kind, requirements: rule.requirements, approvers: approvers, excluded: Set(excluded.keys))
        }
        let status: ReviewStatus
        if !rejectedBy.isEmpty {
            status = .rejected
        } else if !problems.isEmpty {
            status = .unapprovable
        } else if ruleVerdicts.allSatisfy(\.isSatisfied) {
            status = .approved
        } else {
            status = .pending
        }
        let automatic: Bool = switch subject.target {
        case .policies: false
        case .stack: !matching.isEmpty && matching.allSatisfy(\.automatic) && !subject.isNewStack
        }
        return ReviewVerdict(
            subject: subject,
            status: status,
            problems: problems,
            rules: ruleVerdicts,
            claims: verdicts,
            rejectedBy: rejectedBy,
            stackPolicyDecisions: decisions,
            hasStackPolicy: hasStackPolicy,
            window: window(for: subject.target, rules: matching, at: now),
            appliesAutomatically: automatic,
            guards: guards
        )
    }

    /// Whether the change windows and freezes that apply to `target` are open at `now`.
    ///
    /// Changes to `Policies/` touch no infrastructure, so windows and freezes do not hold them.
    public func window(for target: ReviewTarget, at now: Date) -> WindowVerdict {
        switch target {
        case .policies:
            return window(for: target, rules: [], at: now)
        case let .stack(stack):
            return window(for: target, rules: policy.approvals.rules(forStack: stack), at: now)
        }
    }

    private func window(for target: ReviewTarget, rules: [ApprovalRule], at now: Date) -> WindowVerdict {
        guard case .stack = target else {
            return WindowVerdict(isOpen: true, reasons: ["change windows do not apply to changes of Policies/"])
        }
        var reasons: [String] = []
        var isOpen = true
        for freeze in policy.approvals.freezes where freeze.contains(now) {
            isOpen = false
            reasons.append("frozen \(freeze)")
        }
        let lists: [(String, [ChangeWindow])] = [("the windows of \(ApprovalPolicy.path)", policy.approvals.windows)]
            + rules.map { ("the windows of rule '\($0.name)'", $0.windows) }
        for (name, windows) in lists where !windows.isEmpty {
            if let open = windows.first(where: { $0.contains(now) }) {
                reasons.append("inside \(open)")
            } else {
                isOpen = false
                reasons.append("outside \(name): \(windows.map(\.description).joined(separator: ", "))")
            }
        }
        guard !isOpen else { return WindowVerdict(isOpen: true, reasons: reasons) }
        let next = Self.nextOpening(after: now, windows: lists.map(\.1).filter { !$0.isEmpty }, freezes: policy.approvals.freezes)
        if let next {
            reasons.append("the next window opens at " + next.formatted(.iso8601))
        } else {
            reasons.append("no window opens in the next \(Self.openingHorizonDays) days")
        }
        return WindowVerdict(isOpen: false, reasons: reasons, nextOpening: next)
    }

    /// How far ahead ``nextOpening(after:windows:freezes:)`` looks.
    static let openingHorizonDays = 400

    /// The first moment after `now` when one window of each list is open and no freeze holds.
    ///
    /// That moment is always a window's opening or the day after a freeze ends, so only those are
    /// tried, in order, instead of stepping through time.
    static func nextOpening(after now: Date, windows lists: [[ChangeWindow]], freezes: [Freeze]) -> Date? {
        var candidates: [Date] = []
        for window in lists.joined() {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = window.timeZone
            let today = calendar.startOfDay(for: now)
            for offset in 0...openingHorizonDays {
                guard let day = calendar.date(byAdding: .day, value: offset, to: today),
                      let weekday = Weekday(calendarWeekday: calendar.component(.weekday, from: day)), window.days.contains(weekday),
                      let start = calendar.date(byAdding: .minute, value: window.startMinute, to: day), start > now
                else { continue }
                candidates.append(start)
            }
        }
        for freeze in freezes {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = freeze.timeZone
            if let last = calendar.date(from: DateComponents(year: freeze.last.year, month: freeze.last.month, day: freeze.last.day)),
               let thaw = calendar.date(byAdding: .day, value: 1, to: last), thaw > now {
                candidates.append(thaw)
            }
        }
        if lists.isEmpty { candidates.append(now) }
        return candidates.sorted().first { moment in
            !freezes.contains { $0.contains(moment) } && lists.allSatisfy { list in list.contains { $0.contains(moment) } }
        }
    }

    /// Who signed each covered commit with a key the policy in force lists, and the commits whose
    /// author is not proven that way (unsigned, signed otherwise, or by an unlisted key).
    private func provenance(_ subject: ReviewSubject) -> (signers: [(String, String)], unproven: [String]) {
        var signers: [(String, String)] = []
        var unproven: [String] = []
        for commit in subject.commitSignatures {
            guard let text = commit.signature, let signature = try? SSHSignature(armored: text),
                  let key = try? signature.verify(message: commit.signedData, namespace: CommitSignature.gitNamespace, allowedKeys: policy.reviewers.allKeys),
                  let holder = policy.reviewers.person(holding: key)
            else {
                unproven.append(commit.commit)
                continue
            }
            signers.append((commit.commit, holder.id))
        }
        return (signers, unproven)
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    /// Reviewers whose e-mail address appears as an author or committer, with that address.
    private func excludedReviewers(_ subject: ReviewSubject) -> [String: String] {
        var result: [String: String] = [:]
        for email in (subject.authorEmails.union(subject.committerEmails)).sorted() {
            if let reviewer = policy.reviewers.person(withEmail: email), result[reviewer.id] == nil {
                result[reviewer.id] = email
            }
        }
        return result
    }

    /// Finds who made a claim, or why it cannot be attributed to anyone.
    private func identify(_ claim: ApprovalClaim, subject: ReviewSubject) -> (Reviewer?, ClaimProblem?) {
        guard claim.digest == subject.digest else {
            return (nil, .otherDigest(signed: claim.digest, expected: subject.digest))
        }
        let reviewer: Reviewer
        switch claim.proof {
        case let .sshSignature(signature) where policy.approvals.sessionApprovals.isServerKey(signature.publicKey):
            let (holder, problem) = attestedReviewer(claim, signature: signature, subject: subject)
            guard let holder, problem == nil else { return (nil, problem) }
            reviewer = holder
        case let .sshSignature(signature):
            do {
                let key = try signature.verify(
                    message: Array(subject.approvalText(for: claim.verdict).utf8),
                    allowedKeys: policy.reviewers.allKeys
                )
                guard let holder = policy.reviewers.person(holding: key) else {
                    return (nil, .keyNotListed(fingerprint: key.fingerprint))
                }
                reviewer = holder
            } catch let .keyNotListed(fingerprint) {
                return (nil, .keyNotListed(fingerprint: fingerprint))
            } catch {
                return (policy.reviewers.person(holding: signature.publicKey), .invalidSignature(error))
            }
        case let .verifiedKey(fingerprint):
            guard let holder = policy.reviewers.person(withFingerprint: fingerprint) else {
                return (nil, .keyNotListed(fingerprint: fingerprint))
            }
            reviewer = holder
        }
        if let claimed = claim.reviewerID, claimed != reviewer.id {
            return (reviewer, .reviewerMismatch(claimed: claimed, keyHolder: reviewer.id))
        }
        return (reviewer, nil)
    }

    /// The reviewer a server attests approved in a signed-in session, once the policy in force
    /// allows session approvals for `subject` and the signature covers the attested text naming them.
    private func attestedReviewer(_ claim: ApprovalClaim, signature: SSHSignature, subject: ReviewSubject) -> (Reviewer?, ClaimProblem?) {
        guard policy.approvals.sessionApprovals.isAllowed else {
            return (nil, .sessionApprovalRefused(reason: "\(ApprovalPolicy.path) does not say session-approvals: true"))
        }
        guard case let .stack(stack) = subject.target else {
            return (nil, .sessionApprovalRefused(reason: "a change to Policies/ needs each reviewer's own signature"))
        }
        guard claim.verdict == .approve else {
            return (nil, .sessionApprovalRefused(reason: "a server attests approvals only"))
        }
        guard let id = claim.reviewerID, let holder = policy.reviewers.person(id: id) else {
            return (nil, .sessionApprovalRefused(reason: "it names '\(claim.reviewerID ?? "")', who is not listed in \(ReviewerDirectory.path)"))
        }
        do {
            let text = ApprovalText.attested(changeSetID: subject.changeSetID, stack: stack, digest: subject.digest, reviewer: holder.id)
            try signature.verify(message: Array(text.utf8))
        } catch {
            return (nil, .invalidSignature(error))
        }
        return (holder, nil)
    }

    /// Assigns approvers to the requirements of one rule so that each person fills at most one
    /// place, maximising the places filled (augmenting paths over a small bipartite graph).
    private func evaluateRule(kind: RuleVerdict.Kind, requirements: [ApprovalRequirement], approvers: [String], excluded: Set<String>) -> RuleVerdict {
        let slots = requirements.enumerated().flatMap { index, requirement in
            Array(repeating: index, count: requirement.count)
        }
        var owner = [Int?](repeating: nil, count: slots.count)

        func place(_ person: Int, visited: inout Set<Int>) -> Bool {
            for (slot, requirement) in slots.enumerated()
            where !visited.contains(slot) && requirements[requirement].eligible.contains(approvers[person]) {
                visited.insert(slot)
                if let current = owner[slot] {
                    if place(current, visited: &visited) {
                        owner[slot] = person
                        return true
                    }
                } else {
                    owner[slot] = person
                    return true
                }
            }
            return false
        }

        for person in approvers.indices {
            var visited: Set<Int> = []
            _ = place(person, visited: &visited)
        }
        let counted = Set(owner.compactMap { $0 }.map { approvers[$0] })
        let verdicts = requirements.enumerated().map { index, requirement in
            let filled = slots.indices.filter { slots[$0] == index }.compactMap { owner[$0] }.map { approvers[$0] }
            let others = requirement.eligible.filter { !counted.contains($0) && !excluded.contains($0) && !approvers.contains($0) }
            return RequirementVerdict(
                requirement: requirement,
                countedReviewers: filled,
                missing: requirement.count - filled.count,
                canStillApprove: others
            )
        }
        return RuleVerdict(kind: kind, requirements: verdicts)
    }
}

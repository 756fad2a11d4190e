import Foundation
import Mustache
import TollgateCore
import TollgateEngine
import TollgateStore

/// The page templates, parsed once, and the values each page is rendered from.
///
/// Models are plain structs read by mustache through reflection; every field is text the template
/// escapes, already formatted, so that no template needs logic.
struct WebPages: Sendable {
    private let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        // The templates are constants of this module; a parse failure is caught by every page test.
        let templates: [(String, String)] = [
            ("header", LayoutTemplates.header), ("footer", LayoutTemplates.footer), ("sign-in", SignInTemplate.text),
            ("stacks", StackListTemplate.text), ("change-set", ChangeSetTemplate.text), ("audit", AuditTemplate.text),
            ("error", ErrorTemplate.text),
        ]
        for (name, text) in templates {
            try? library.register(text, named: name)
        }
        self.library = library
    }

    /// The HTML of page `name` for `model`.
    func render(_ model: Any, page name: String) -> String {
        library.render(model, withTemplate: name) ?? "<!DOCTYPE html><title>Tollgate</title><p>The page \(name) cannot be shown.</p>"
    }

    /// How times show on the pages: UTC, to the second.
    static func time(_ date: Date?) -> String? {
        guard let date else { return nil }
        return ISO8601DateFormatter.string(from: date, timeZone: .gmt, formatOptions: [.withInternetDateTime])
    }
}

/// What the header of every page needs.
struct PageFrame {
    var title: String
    var reviewer: String?
    var csrf: String
    var notice: String?
    var problem: String?
}

struct SignInPage {
    var title = "Sign in"
    var reviewer: String?
    var csrf: String
    var next: String
    var notice: String?
    var problem: String?
}

struct StackListPage {
    struct Policy {
        struct Pending {
            var id: String
            var status: String
        }

        var revision: Int64
        var commit: String
        var actor: String
        var recordedAt: String?
        var pendingChangeSet: Pending?
    }

    struct Row {
        var stack: String
        var status: String
        var storedStatus: String?
        var stalled: Bool
        var changeSet: String?
        var failedChangeSet: String?
        var running: String?
        var startedAt: String?
        var finishedAt: String?
        var result: String?
    }

    var title = "Stacks"
    var reviewer: String?
    var csrf: String
    var notice: String?
    var problem: String?
    var query: String
    var policy: Policy?
    var stacks: [Row]

    init(frame: PageFrame, query: String, report: StatusReport) {
        reviewer = frame.reviewer
        csrf = frame.csrf
        notice = frame.notice
        problem = frame.problem
        self.query = query
        policy = report.policy.map { policy in
            Policy(
                revision: policy.revision, commit: String(policy.commit.prefix(12)), actor: policy.actor,
                recordedAt: WebPages.time(policy.recordedAt),
                pendingChangeSet: policy.pendingChangeSet.map { Policy.Pending(id: $0, status: policy.status?.rawValue ?? "") })
        }
        stacks = report.stacks.map { row in
            Row(
                stack: row.stack, status: row.status.rawValue, storedStatus: row.storedStatus?.rawValue, stalled: row.executionStalled,
                changeSet: row.pendingChangeSet, failedChangeSet: row.failedChangeSet,
                running: row.finishedAt == nil && row.startedAt != nil ? row.lastExecution : nil,
                startedAt: WebPages.time(row.startedAt), finishedAt: WebPages.time(row.finishedAt), result: row.result?.rawValue)
        }
    }
}

struct AuditPage {
    struct Entry {
        var sequence: Int64
        var time: String?
        var actor: String
        var action: String
        var stack: String?
        var changeSet: String?
        var commit: String?
        var details: String
    }

    var title = "Audit trail"
    var reviewer: String?
    var csrf: String
    var notice: String?
    var problem: String?
    var stack: String
    var actor: String
    var since: String
    var queryString: String
    var entries: [Entry]
}

struct ErrorPage {
    var title: String
    var reviewer: String?
    var csrf: String
    var notice: String?
    var problem: String?
    var heading: String
    var message: String
}

struct ChangeSetPage {
    struct Commit {
        var id: String
        var author: String
        var email: String
        var summary: String
        var mergedBy: String?
    }

    struct Detail {
        var property: String
        var before: String?
        var after: String?
        var recreation: String?
    }

    struct Change {
        var mark: String
        var severe: Bool
        var action: String
        var logicalID: String
        var resourceType: String
        var note: String?
        var details: [Detail]
    }

    struct Requirement {
        var rule: String
        var needs: String
        var counted: String
        var missing: Int
        var from: String
    }

    struct PolicyDecision {
        var resource: String
        var action: String
        var verdict: String
    }

    struct Review {
        var policyCommit: String
        var reviewStatus: String
        var canApplyNow: Bool
        var blockers: [String]
        var hasBlockers: Bool
        var requirements: [Requirement]
        var stackPolicy: [PolicyDecision]
        var hasStackPolicy: Bool
        var stackPolicyNote: String
        var window: String
        var explanation: String
    }

    struct Guard {
        var rule: String
        var resource: String?
        var message: String
        var standing: String
    }

    struct Approval {
        var reviewer: String
        var verdict: String
        var recordedAt: String?
        var reason: String?
    }

    struct Execution {
        var id: String
        var actor: String?
        var startedAt: String?
        var finishedAt: String?
        var result: String?
        var events: [String]
        var hasEvents: Bool
    }

    struct VerdictForm {
        var text: String
        var fileName: String
        var command: String
    }

    struct Forms {
        var approve: VerdictForm?
        var reject: VerdictForm?
        /// The one-click approval the server signs, where the policy in force allows it.
        var sessionApprove: Bool
        var note: String?
    }

    var title: String
    var reviewer: String?
    var csrf: String
    var notice: String?
    var problem: String?
    var id: String
    var kind: String
    var stack: String
    var status: String
    var storedStatus: String?
    var statusReason: String?
    var destructive: Bool
    var digest: String
    var targetCommit: String
    var createdAt: String?
    var commits: [Commit]
    var planFailure: String?
    var planLine: String?
    var changes: [Change]
    var warnings: [String]
    var hasWarnings: Bool
    var review: Review?
    var reviewNote: String
    var guards: [Guard]
    var hasGuards: Bool
    var approvals: [Approval]
    var executions: [Execution]
    /// APPROVED or APPLYING: an apply may run while the page is open, so it follows the events.
    var watchable: Bool
    /// APPROVED: the apply button is shown; the engine checks everything again when it is pressed.
    var applicable: Bool
    var forms: Forms?

    /// The page of `reviewed`; `serverSigns` says whether this server holds a key to sign session approvals.
    init(frame: PageFrame, reviewed: ReviewedChangeSetView, serverSigns: Bool) {
        let view = reviewed.view
        let evaluation = reviewed.evaluation
        let wire = ChangeSetJSON(view)
        title = "Change set \(wire.id)"
        reviewer = frame.reviewer
        csrf = frame.csrf
        notice = frame.notice
        problem = frame.problem
        id = wire.id
        kind = wire.kind.rawValue
        stack = wire.stack
        status = wire.status.rawValue
        storedStatus = wire.storedStatus?.rawValue
        statusReason = wire.statusReason
        destructive = evaluation?.verdict.subject.isDestructive ?? false
        digest = wire.digest
        targetCommit = wire.targetCommit
        createdAt = WebPages.time(wire.createdAt)
        commits = wire.commits.map {
            Commit(id: String($0.id.prefix(12)), author: $0.author, email: $0.email, summary: $0.summary, mergedBy: $0.mergedBy)
        }
        planFailure = wire.planFailure
        planLine = view.changes?.summary.line
        changes = Self.changes(view.changes)
        warnings = view.changes?.warnings ?? []
        hasWarnings = !warnings.isEmpty
        review = evaluation.map(Self.review)
        reviewNote = evaluation == nil
            ? "This change set is \(wire.status.rawValue); the review is closed."
            : ""
        let findings = (evaluation?.verdict.guards ?? view.guards)?.findings ?? []
        guards = findings.map { Guard(rule: $0.rule, resource: $0.resource, message: $0.customMessage ?? $0.message, standing: $0.standing) }
        hasGuards = !guards.isEmpty
        approvals = wire.approvals.map { Approval(reviewer: $0.reviewer, verdict: $0.verdict.rawValue, recordedAt: WebPages.time($0.recordedAt), reason: $0.reason) }
        executions = wire.executions.map {
            Execution(
                id: $0.id, actor: $0.actor, startedAt: WebPages.time($0.startedAt), finishedAt: WebPages.time($0.finishedAt), result: $0.result?.rawValue,
                events: $0.events, hasEvents: !$0.events.isEmpty)
        }
        watchable = view.record.status == .approved || view.record.status == .applying
        applicable = view.record.status == .approved && frame.reviewer != nil
        forms = Self.forms(
            id: wire.id, reviewer: frame.reviewer, evaluation: evaluation,
            sessionApprovals: serverSigns && reviewed.sessionApprovals.isAllowed && view.record.kind == .stack)
    }

    /// Replacements and removals first, each marked, then the rest in the plan's order.
    static func changes(_ changeSet: ChangeSet?) -> [Change] {
        let changes = (changeSet?.changes ?? []).map(\.resourceChange)
        func rank(_ change: ResourceChange) -> Int {
            switch (change.action, change.replacement) {
            case (.modify, .true?): 0
            case (.remove, _): 1
            case (.modify, .conditional?): 2
            default: 3
            }
        }
        let ordered = changes.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
        return ordered.map { change in
            let mark: String
            switch rank(change) {
            case 0: mark = "REPLACED"
            case 1: mark = "REMOVED"
            case 2: mark = "MAY BE REPLACED"
            default: mark = ""
            }
            return Change(
                mark: mark, severe: rank(change) < 3, action: change.action.rawValue, logicalID: change.logicalResourceId,
                resourceType: change.resourceType, note: change.note,
                details: change.details.map { detail in
                    let target = detail.target
                    return Detail(
                        property: target.name.map { "\(target.attribute.rawValue).\($0)" } ?? target.attribute.rawValue,
                        before: target.beforeValue, after: target.afterValue, recreation: target.requiresRecreation?.rawValue)
                })
        }
    }

    static func review(_ evaluation: ReviewEvaluation) -> Review {
        let verdict = evaluation.verdict
        var requirements: [Requirement] = []
        for rule in verdict.rules {
            for requirement in rule.requirements {
                requirements.append(Requirement(
                    rule: rule.title, needs: "\(requirement.requirement.count) from \(requirement.requirement.from.joined(separator: ", "))",
                    counted: requirement.countedReviewers.joined(separator: ", "), missing: requirement.missing,
                    from: requirement.missing > 0 ? requirement.canStillApprove.joined(separator: ", ") : ""))
            }
        }
        let decisions = verdict.stackPolicyDecisions.map { decision in
            let outcome: String
            switch decision.outcome {
            case .allowed: outcome = "allowed"
            case .denied(let reason): outcome = "DENIED: \(reason)"
            case .notGoverned: outcome = "not governed (added resource)"
            }
            return PolicyDecision(resource: "\(decision.change.logicalID) (\(decision.change.resourceType))", action: decision.change.action.rawValue, verdict: outcome)
        }
        var window = verdict.window.isOpen ? "open" : "closed"
        if !verdict.window.reasons.isEmpty { window += " (" + verdict.window.reasons.joined(separator: "; ") + ")" }
        if let next = WebPages.time(verdict.window.nextOpening) { window += "; opens at \(next)" }
        return Review(
            policyCommit: String(evaluation.policyCommit.prefix(12)), reviewStatus: verdict.status.rawValue, canApplyNow: verdict.canApplyNow,
            blockers: verdict.blockers, hasBlockers: !verdict.blockers.isEmpty, requirements: requirements, stackPolicy: decisions,
            hasStackPolicy: !decisions.isEmpty,
            stackPolicyNote: verdict.hasStackPolicy ? "The stack policy allows every change." : "The stack has no stack policy.",
            window: window, explanation: verdict.explanation)
    }

    /// The approve and reject forms for a PENDING change set, when the policy lets the signed-in
    /// reviewer give that verdict; with `sessionApprovals`, also the one-click approval the server signs.
    static func forms(id: String, reviewer: String?, evaluation: ReviewEvaluation?, sessionApprovals: Bool) -> Forms? {
        guard let reviewer, let evaluation, evaluation.changeSet.status == .pending else { return nil }
        let record = evaluation.changeSet
        let requirements = evaluation.verdict.rules.flatMap(\.requirements)
        let mayApprove = requirements.contains { $0.canStillApprove.contains(reviewer) }
        let named = requirements.contains { $0.requirement.eligible.contains(reviewer) }
        func form(_ verdict: ApprovalVerdict) -> VerdictForm {
            let file = "\(id)-\(verdict.rawValue).txt"
            return VerdictForm(
                text: record.approvalText(for: verdict), fileName: file,
                command: "ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n \(SSHSignature.tollgateNamespace) \(file)")
        }
        var note: String?
        if !named {
            note = "You (\(reviewer)) are not named by any rule that applies to this change set, so your verdict would not count."
        } else if !mayApprove {
            note = "Your approval cannot count here (you approved already, or you wrote one of its commits)."
        }
        return Forms(
            approve: mayApprove ? form(.approve) : nil, reject: named ? form(.reject) : nil,
            sessionApprove: mayApprove && sessionApprovals, note: note)
    }
}

public import Logging
public import TollgateCore
public import TollgateStore

/// Records approvals and rejections and explains where change sets stand, always under the
/// policy in force and never under the change being reviewed.
///
/// Git is read synchronously on the caller's task (a ``ManagedRepository`` must not be shared
/// between threads); the store is async. Time comes from the injected clock, so that tests pin
/// change windows and claim order.
public struct ReviewService: Sendable {
    /// The store that holds change sets, verdicts and the revision of `Policies/` in force.
    public let store: any StateStore
    /// The clock that decides whether change windows are open and orders new claims.
    public let clock: any WallClock
    /// Told of every verdict recorded.
    public let logger: Logger

    /// Creates the service over `store`, reading time from `clock` and telling `logger` what it records.
    public init(store: any StateStore, clock: any WallClock = SystemWallClock(), logger: Logger = .silent) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Where a change set stands under the policy in force, now.
    ///
    /// - Throws: ``StoreError/unknownChangeSet(_:)``, ``ReviewError/noPolicyInForce`` and the
    ///   errors of reading the change set from git.
    public func explain(changeSetID: String, repository: ManagedRepository) async throws -> ReviewEvaluation {
        let record = try await store.checkedChangeSet(id: changeSetID)
        let policy = try await PolicyInForce.load(from: store, repository: repository)
        let subject = try await subject(for: record, repository: repository)
        let claims = try Self.claims(try await store.approvals(changeSetID: record.id), changeSetID: record.id)
        let verdict = ApprovalEvaluator(policy: policy.policy).evaluate(subject, claims: claims, at: clock.now())
        return ReviewEvaluation(changeSet: record, policyCommit: policy.commit, verdict: verdict)
    }

    /// What `explain` computes for `record` under `policy` now, without the trail check that
    /// ``explain(changeSetID:repository:)`` makes (callers that list many change sets check them
    /// once themselves).
    ///
    /// - Throws: the errors of reading the change set from git and of reading its verdicts.
    public func currentVerdict(of record: ChangeSetRecord, policy: PolicyInForce, repository: ManagedRepository) async throws -> ReviewVerdict {
        let subject = try await subject(for: record, repository: repository)
        let claims = try Self.claims(try await store.approvals(changeSetID: record.id), changeSetID: record.id)
        return ApprovalEvaluator(policy: policy.policy).evaluate(subject, claims: claims, at: clock.now())
    }

    /// Records a signed approval or rejection, then moves the change set to APPROVED or REJECTED
    /// in the same transaction when the policy in force says so.
    ///
    /// The signature is verified here against the approval text of the change set's current
    /// digest and the keys of the policy in force; the reviewer is whoever holds the key. A
    /// verdict that would not count (its signer authored a commit of the change set, already
    /// approved, or is named by no rule that applies) is refused rather than stored.
    /// - Parameter reason: why the reviewer rejects; kept with the verdict and in the audit trail.
    /// - Parameter actingAs: the reviewer a front end knows the caller to be (a server's bearer
    ///   token); a signature made with another person's key is then refused, and nothing recorded.
    /// - Throws: ``ReviewError/signatureRefused(changeSetID:reason:)``,
    ///   ``ReviewError/verdictRefused(changeSetID:reason:)``, ``ReviewError/notReviewable(changeSetID:status:)``,
    ///   ``ReviewError/noPolicyInForce``, ``StoreError``.
    public func record(
        _ verdict: ApprovalVerdict, changeSetID: String, signature: SSHSignature, reason: String? = nil,
        actingAs: String? = nil, repository: ManagedRepository
    ) async throws -> ReviewEvaluation {
        let record = try await store.checkedChangeSet(id: changeSetID)
        guard record.status == .pending else { throw ReviewError.notReviewable(changeSetID: record.id, status: record.status) }
        let policy = try await PolicyInForce.load(from: store, repository: repository)
        let subject = try await subject(for: record, repository: repository)
        let reviewer: Reviewer
        do {
            let key = try signature.verify(message: Array(subject.approvalText(for: verdict).utf8), allowedKeys: policy.policy.reviewers.allKeys)
            guard let holder = policy.policy.reviewers.person(holding: key) else {
                throw SignatureError.keyNotListed(fingerprint: key.fingerprint)
            }
            reviewer = holder
        } catch {
            throw ReviewError.signatureRefused(changeSetID: record.id, reason: Self.refusal(error, signature: signature, subject: subject, verdict: verdict))
        }
        if let actingAs, reviewer.id != actingAs {
            throw ReviewError.signatureRefused(
                changeSetID: record.id, reason: "it is made with the key of \(reviewer.id), but the request acts as \(actingAs); each reviewer signs with their own key")
        }
        return try await commitVerdict(verdict, record: record, subject: subject, policy: policy, signature: signature, reviewer: reviewer.id, reason: reason)
    }

    /// Records a verdict already attributed to `reviewer` in one transaction with the transition
    /// the policy in force calls for, after checking that it counts; `attestation`, when given,
    /// is appended to the trail in the same transaction, right after the verdict's own entry.
    ///
    /// - Throws: ``ReviewError/notReviewable(changeSetID:status:)``,
    ///   ``ReviewError/policyChangedMeanwhile(changeSetID:)``, ``ReviewError/verdictRefused(changeSetID:reason:)``, ``StoreError``.
    func commitVerdict(
        _ verdict: ApprovalVerdict, record: ChangeSetRecord, subject: ReviewSubject, policy: PolicyInForce, signature: SSHSignature,
        reviewer: String, reason: String?, attestation: AuditEvent? = nil
    ) async throws -> ReviewEvaluation {
        let evaluator = ApprovalEvaluator(policy: policy.policy)
        let armored = signature.armored
        let (stored, evaluation) = try await store.transaction { tx in
            let current = try await tx.changeSet(id: record.id)
            guard current.status == .pending else { throw ReviewError.notReviewable(changeSetID: current.id, status: current.status) }
            guard current.digest == record.digest, try await tx.policyInForce()?.commit == policy.commit else {
                throw ReviewError.policyChangedMeanwhile(changeSetID: record.id)
            }
            let earlier = try await tx.approvals(changeSetID: record.id)
            let now = clock.now()
            let claim = ApprovalClaim(verdict: verdict, digest: record.digest, proof: .sshSignature(signature), reviewerID: reviewer, time: now, reason: reason)
            let outcome = evaluator.evaluate(subject, claims: try Self.claims(earlier, changeSetID: record.id) + [claim], at: now)
            if let problem = outcome.claims.last?.problem {
                throw ReviewError.verdictRefused(changeSetID: record.id, reason: problem.description)
            }
            _ = try await tx.recordVerdict(ApprovalRecord(
                changeSetID: record.id, reviewer: reviewer, verdict: Verdict(verdict), digest: record.digest,
                signature: armored, reason: reason))
            if let attestation {
                _ = try await tx.appendAudit(attestation)
            }
            var stored = current
            switch outcome.status {
            case .approved:
                // Waived guard failures stay in the audit trail with the approval they let through.
                let waived = outcome.guards?.findings.filter { $0.waiver != nil }.map { "\($0.summary) [\($0.standing)]" } ?? []
                let note = waived.isEmpty ? "" : "; guard failures waived: " + waived.joined(separator: "; ")
                stored = try await tx.transition(
                    changeSetID: record.id, to: .approved, actor: reviewer, reason: "approved under the policy of commit \(policy.commit.prefix(7))\(note)")
            case .rejected:
                stored = try await tx.transition(changeSetID: record.id, to: .rejected, actor: reviewer, reason: reason ?? "rejected by \(outcome.rejectedBy.joined(separator: ", "))")
            case .pending, .unapprovable:
                break
            }
            return (stored, outcome)
        }
        logger.info("verdict recorded", metadata: [
            "changeset.id": "\(record.id)", "review.reviewer": "\(reviewer)", "review.verdict": "\(verdict)",
            "changeset.status": "\(stored.status.rawValue)",
        ])
        return ReviewEvaluation(changeSet: stored, policyCommit: policy.commit, verdict: evaluation)
    }

    /// The subject of `record`; a stack is new when the store has no state for it. The exports
    /// it would remove are checked against the recorded states of the other stacks.
    func subject(for record: ChangeSetRecord, repository: ManagedRepository) async throws -> ReviewSubject {
        guard record.kind == .stack else { return try await repository.read { try $0.reviewSubject(for: record, isNewStack: false) } }
        let own = try await store.stackState(record.stack).flatMap { $0.isRemoved ? nil : $0 }
        let removed = try await repository.read { try $0.removedExports(of: record, state: own) }
        var broken: [BrokenImport] = []
        if !removed.isEmpty {
            // Only a change that removes an export needs every other stack's recorded state; a
            // recorded template that no longer parses cannot be shown to import anything.
            var others: [String: StackSnapshot] = [:]
            for other in try await store.stackStates() where !other.isRemoved && other.stack != record.stack {
                others[other.stack] = try? other.snapshot()
            }
            broken = ExportUsage.brokenImports(stack: record.stack, removed: removed, others: others)
        }
        return try await repository.read { [broken] git in try git.reviewSubject(for: record, isNewStack: own == nil, brokenImports: broken) }
    }

    /// The stored verdicts as claims the evaluator checks again.
    static func claims(_ approvals: [ApprovalRecord], changeSetID: String) throws -> [ApprovalClaim] {
        try approvals.map { approval in
            guard let text = approval.signature else {
                throw ReviewError.unreadableApproval(changeSetID: changeSetID, reviewer: approval.reviewer, reason: "no signature was stored")
            }
            let signature: SSHSignature
            do {
                signature = try SSHSignature(armored: text)
            } catch {
                throw ReviewError.unreadableApproval(changeSetID: changeSetID, reviewer: approval.reviewer, reason: "\(error)")
            }
            return ApprovalClaim(
                verdict: ApprovalVerdict(approval.verdict), digest: approval.digest, proof: .sshSignature(signature),
                reviewerID: approval.reviewer, time: approval.recordedAt, reason: approval.reason)
        }
    }

    /// Why a signature was refused; a signature that matches another digest's text says so,
    /// since signing an older version of a change set is the common mistake.
    private static func refusal(_ error: any Error, signature: SSHSignature, subject: ReviewSubject, verdict: ApprovalVerdict) -> String {
        switch error as? SignatureError {
        case .keyNotListed(let fingerprint):
            return ClaimProblem.keyNotListed(fingerprint: fingerprint).description + "; sign with a key listed for you in Policies/reviewers.yaml"
        case .doesNotMatchMessage:
            let other: ApprovalVerdict = verdict == .approve ? .reject : .approve
            if (try? signature.verify(message: Array(subject.approvalText(for: other).utf8))) != nil {
                return "it signs the text to \(other.rawValue), not to \(verdict.rawValue)"
            }
            return "it does not sign this change set's approval text (digest \(subject.digest)); it was made for another change set, another digest or another verdict, or was altered: sign the text that tollgate show \(subject.changeSetID) --approval-text prints"
        default:
            return "\(error)"
        }
    }
}

/// A change set and its review under the policy in force at one moment.
public struct ReviewEvaluation: Sendable {
    /// The change set as stored after the operation.
    public let changeSet: ChangeSetRecord
    /// The commit whose `Policies/` decided.
    public let policyCommit: String
    /// The evaluator's verdict: status, rules, claims, stack policy and window.
    public let verdict: ReviewVerdict
}

extension Verdict {
    /// The store's form of a reviewer's verdict.
    init(_ verdict: ApprovalVerdict) {
        self = verdict == .approve ? .approve : .reject
    }
}

extension ApprovalVerdict {
    /// The core's form of a stored verdict.
    init(_ verdict: Verdict) {
        self = verdict == .approve ? .approve : .reject
    }
}

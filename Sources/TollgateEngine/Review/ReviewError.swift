public import TollgateCore

/// Every way reviewing a change set can fail, each naming the change set, file or commit concerned.
public enum ReviewError: TollgateError, Sendable, Equatable {
    /// `tollgate init` has not trusted a first policy yet.
    case noPolicyInForce
    /// `tollgate init` ran before; trusting again must be asked for.
    case alreadyTrusted(commit: String)
    /// An act outside review must be signed here (replacing the policy in force, or any act under
    /// `operators-must-sign: true`); `text` is what to sign.
    case operatorSignatureRequired(act: String, text: String)
    /// The operator's signature does not verify, or its key is not listed.
    case operatorSignatureRefused(act: String, reason: String)
    /// The commit to trust is not on the branch Tollgate follows.
    case notOnBranch(commit: String, branch: String)
    /// The commit to trust has no files under `Policies/`.
    case noPolicyFiles(commit: String)
    /// The policy at the commit to trust, or the policy in force, has a mistake.
    case invalidPolicy(commit: String, error: PolicyError)
    /// A policy file is not UTF-8 text.
    case unreadablePolicyFile(path: String, commit: String)
    /// A stored value names a commit that is not a 40-hex id.
    case malformedCommitID(String, changeSetID: String?)
    /// A commit a change set covers is no longer in the repository.
    case commitGone(commit: String, changeSetID: String)
    /// A stack change set's stored JSON is not a change set.
    case unreadableChangeSet(changeSetID: String, reason: String)
    /// A stored verdict's signature cannot be read back.
    case unreadableApproval(changeSetID: String, reviewer: String, reason: String)
    /// The signature given does not verify for the change set, or its key is not in the policy in force.
    case signatureRefused(changeSetID: String, reason: String)
    /// The signature verifies, but the verdict would not count.
    case verdictRefused(changeSetID: String, reason: String)
    /// The change set's status accepts no verdicts.
    case notReviewable(changeSetID: String, status: ChangeSetStatus)
    /// The policy in force changed between reading it and recording the verdict.
    case policyChangedMeanwhile(changeSetID: String)
    /// Only a policy change set can make new rules take effect.
    case notAPolicyChangeSet(changeSetID: String)
    /// A policy change set must be applied before its rules take effect.
    case policyChangeNotApplied(changeSetID: String, status: ChangeSetStatus)

    public var description: String {
        switch self {
        case .noPolicyInForce:
            return "No policy is in force yet; run tollgate init first to trust the current Policies/."
        case .alreadyTrusted(let commit):
            return "The policy of commit \(commit.prefix(7)) is in force already; change Policies/ through a reviewed change set."
        case .operatorSignatureRequired(let act, _):
            return "\(act) must be signed by a key that the policy lists."
        case .operatorSignatureRefused(let act, let reason):
            return "The signature for \(act) is refused: \(reason)."
        case .notOnBranch(let commit, let branch):
            return "Commit \(commit.prefix(7)) is not on branch \(branch); only a policy that was merged to \(branch) can be trusted."
        case .noPolicyFiles(let commit):
            return "Commit \(commit.prefix(7)) has no Policies/ files to trust; add Policies/reviewers.yaml and Policies/approvals.yaml first."
        case .invalidPolicy(let commit, let error):
            return "The policy at commit \(commit.prefix(7)) is invalid: \(error)."
        case .unreadablePolicyFile(let path, let commit):
            return "\(commit.prefix(7)):\(path) is not UTF-8 text; save it as UTF-8."
        case .malformedCommitID(let id, let changeSetID):
            return "The stored commit id '\(id)'\(changeSetID.map { " of change set \($0)" } ?? "") is not a 40-digit hex id; the store was edited outside tollgate."
        case .commitGone(let commit, let id):
            return "Commit \(commit.prefix(10)) of change set \(id) is no longer in the repository: the branch's history was rewritten and the commit pruned (or this is another clone); fetch it back, or cancel the change set and sync again."
        case .unreadableChangeSet(let id, let reason):
            return "Change set \(id) cannot be read back: \(reason)."
        case .unreadableApproval(let id, let reviewer, let reason):
            return "The verdict of \(reviewer) on change set \(id) has an unreadable signature: \(reason)."
        case .signatureRefused(let id, let reason):
            return "The signature is refused for change set \(id): \(reason)."
        case .verdictRefused(let id, let reason):
            return "The verdict on change set \(id) would not count: \(reason)."
        case .notReviewable(let id, let status):
            return "Change set \(id) is \(status.rawValue) and takes no verdicts any more."
        case .policyChangedMeanwhile(let id):
            return "The policy in force changed while the verdict on change set \(id) was being recorded; run the command again."
        case .notAPolicyChangeSet(let id):
            return "Change set \(id) changes a stack, not Policies/, so it cannot put a new policy in force."
        case .policyChangeNotApplied(let id, let status):
            return "Policy change set \(id) is \(status.rawValue); its rules take effect only once it is applied."
        }
    }
}

extension ReviewError {
    public var kind: ErrorKind {
        switch self {
        case .noPolicyInForce, .alreadyTrusted, .notReviewable, .policyChangedMeanwhile, .policyChangeNotApplied: .conflict
        case .notOnBranch, .noPolicyFiles, .invalidPolicy, .unreadablePolicyFile, .notAPolicyChangeSet: .invalidInput
        case .operatorSignatureRequired, .operatorSignatureRefused, .signatureRefused, .verdictRefused: .refused
        case .malformedCommitID, .commitGone, .unreadableChangeSet, .unreadableApproval: .unavailable
        }
    }

    public var remedy: ErrorRemedy? {
        switch self {
        case .alreadyTrusted: .trustAgainOnPurpose
        case .operatorSignatureRequired: .signOperatorAct
        default: nil
        }
    }
}

public import Foundation

/// What the evaluator needs to know about one change set, and nothing more, so that approval
/// logic stays independent of how the engine stores change sets.
public struct ReviewSubject: Sendable, Hashable {
    /// The change set's id, as named in the approval text.
    public let changeSetID: String
    /// The stack it changes, or `Policies/`.
    public let target: ReviewTarget
    /// The change set's content digest; an approval counts only for the digest it signed.
    public let digest: String
    /// Its resource changes, for the destructive rule and the stack policy.
    public let resourceChanges: [GuardedChange]
    /// Whether the change set deletes the whole stack.
    public let isStackDeletion: Bool
    /// Macros the target template runs (``ChangeSet/opaqueTransforms``): they may change
    /// anything, so a change set with one is always destructive.
    public let opaqueTransforms: [String]
    /// Whether the stack has never been applied; a first apply is never automatic.
    public let isNewStack: Bool
    /// E-mail addresses of the authors of the commits in the change set.
    public let authorEmails: Set<String>
    /// E-mail addresses of the committers of the commits in the change set.
    public let committerEmails: Set<String>
    /// The signature of each covered commit, as git stores it, for proving who wrote it.
    public let commitSignatures: [CommitSignature]
    /// For a change to `Policies/`: the problems of the proposed files
    /// (``PolicySet/problems(in:)``); any problem makes the change set unapprovable.
    public let proposedPolicyProblems: [PolicyError]
    /// For a change to `Policies/`: the waivers of the proposed `Policies/guards/waivers.yaml`; one
    /// already expired at evaluation time makes the change set unapprovable.
    public let proposedGuardWaivers: [GuardWaiver]
    /// For a stack change set: the target template, which the guard rules of the policy in force
    /// check; nil when the change set removes the stack.
    public let targetTemplate: ReviewTemplate?
    /// Exports the change set removes or renames while other stacks import them; any makes the
    /// change set unapprovable.
    public let brokenImports: [BrokenImport]

    /// Creates a subject; e-mail addresses are compared without case.
    public init(
        changeSetID: String,
        target: ReviewTarget,
        digest: String,
        resourceChanges: [GuardedChange] = [],
        isStackDeletion: Bool = false,
        opaqueTransforms: [String] = [],
        isNewStack: Bool = false,
        authorEmails: Set<String> = [],
        committerEmails: Set<String> = [],
        commitSignatures: [CommitSignature] = [],
        proposedPolicyProblems: [PolicyError] = [],
        proposedGuardWaivers: [GuardWaiver] = [],
        targetTemplate: ReviewTemplate? = nil,
        brokenImports: [BrokenImport] = []
    ) {
        self.proposedGuardWaivers = proposedGuardWaivers
        self.targetTemplate = targetTemplate
        self.brokenImports = brokenImports
        self.commitSignatures = commitSignatures
        self.changeSetID = changeSetID
        self.target = target
        self.digest = digest
        self.resourceChanges = resourceChanges
        self.isStackDeletion = isStackDeletion
        self.opaqueTransforms = opaqueTransforms
        self.isNewStack = isNewStack
        self.authorEmails = Set(authorEmails.map { $0.lowercased() })
        self.committerEmails = Set(committerEmails.map { $0.lowercased() })
        self.proposedPolicyProblems = proposedPolicyProblems
    }

    /// Whether a rule's `destructive` requirements apply: any replacement (true or
    /// conditional), any removal, the deletion of the stack, or a macro in the template.
    public var isDestructive: Bool {
        isStackDeletion || !opaqueTransforms.isEmpty || resourceChanges.contains { $0.action.isDestructive }
    }

    /// The exact text a reviewer signs to give `verdict` on this change set.
    public func approvalText(for verdict: ApprovalVerdict) -> String {
        ApprovalText.make(changeSetID: changeSetID, target: target, digest: digest, verdict: verdict)
    }
}

/// The text of a change set's target template and the name messages give it (`commit:path`).
public struct ReviewTemplate: Sendable, Hashable {
    /// The name messages give the template.
    public let fileName: String
    /// The template's text.
    public let text: String

    /// Creates the value.
    public init(fileName: String, text: String) {
        self.fileName = fileName
        self.text = text
    }
}

/// One covered commit and the signature git stores with it (`gpgsig`), if any.
///
/// Commits signed with `git -c gpg.format=ssh` carry an SSHSIG in the `git` namespace over the
/// commit object without its signature header; the evaluator verifies it against the keys of the
/// policy in force, so a key removed from the policy stops proving authorship at once.
public struct CommitSignature: Sendable, Hashable {
    /// The 40-hex commit id.
    public let commit: String
    /// The signature text (an armored SSH signature, or a GPG one Tollgate cannot check); nil
    /// when the commit is unsigned.
    public let signature: String?
    /// The bytes the signature covers.
    public let signedData: [UInt8]

    /// Creates the record of one commit's signature.
    public init(commit: String, signature: String?, signedData: [UInt8]) {
        self.commit = commit
        self.signature = signature
        self.signedData = signedData
    }

    /// The namespace in which git signs commits and tags with SSH keys.
    public static let gitNamespace = "git"
}

/// How a claimed approval or rejection proves who gave it.
public enum ApprovalProof: Sendable, Hashable {
    /// An SSHSIG over ``ReviewSubject/approvalText(for:)``, checked again at every evaluation
    /// against the keys of the policy in force.
    case sshSignature(SSHSignature)
    /// A key whose signature the caller has already checked (for example the server, against a
    /// session bound to that key); it counts only while the policy in force lists the key.
    case verifiedKey(fingerprint: String)
}

/// One approval or rejection as recorded, before the evaluator decides whether it counts.
public struct ApprovalClaim: Sendable, Hashable {
    /// Approve or reject.
    public let verdict: ApprovalVerdict
    /// The digest the reviewer acted on.
    public let digest: String
    /// The proof of identity.
    public let proof: ApprovalProof
    /// The reviewer id recorded with the claim, if any; it must be the key's holder.
    public let reviewerID: String?
    /// When the claim was recorded; earlier claims count first.
    public let time: Date
    /// The reason given with a rejection, shown by `explain`.
    public let reason: String?

    /// Creates a claim as recorded by `tollgate approve` or `tollgate reject`.
    public init(verdict: ApprovalVerdict, digest: String, proof: ApprovalProof, reviewerID: String? = nil, time: Date, reason: String? = nil) {
        self.verdict = verdict
        self.digest = digest
        self.proof = proof
        self.reviewerID = reviewerID
        self.time = time
        self.reason = reason
    }
}

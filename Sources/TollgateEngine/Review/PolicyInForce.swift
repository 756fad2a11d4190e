public import TollgateCore
import TollgateGit
public import TollgateStore

/// The policy that decides reviews: the `Policies/` revision last trusted by `tollgate init` or
/// put in force by applying a policy change set, never the revision of the change under review.
///
/// The store keeps every revision put in force in its own table (``PolicyRevisionRecord``), each
/// with a revision number and an audit entry.
public struct PolicyInForce: Sendable {
    /// The commit whose `Policies/` files are in force.
    public let commit: String
    /// Those files, parsed.
    public let policy: PolicySet

    /// Creates the value from a revision already read.
    public init(commit: String, policy: PolicySet) {
        self.commit = commit
        self.policy = policy
    }

    /// Reads the revision in force recorded in `store` and parses its files from `repository`.
    ///
    /// - Throws: ``ReviewError/noPolicyInForce`` before `tollgate init`,
    ///   ``ReviewError/invalidPolicy(commit:error:)`` if the files no longer parse, ``GitError``
    ///   when the commit is missing from the repository.
    public static func load(from store: any StoreReader, repository: ManagedRepository) async throws -> PolicyInForce {
        guard let revision = try await store.policyInForce() else { throw ReviewError.noPolicyInForce }
        return try await read(commit: revision.commit, repository: repository)
    }

    /// Parses the `Policies/` files of `commit`.
    ///
    /// - Throws: ``ReviewError/invalidPolicy(commit:error:)`` naming file, line and field.
    static func read(commit: String, repository: ManagedRepository) async throws -> PolicyInForce {
        if let kept = repository.policy(parsedAt: commit) { return PolicyInForce(commit: commit, policy: kept) }
        let files = try await repository.read { try $0.policyFiles(at: try objectID(commit, changeSetID: nil)) }
        let policy: PolicySet
        do {
            policy = try PolicySet.parse(files: files)
        } catch {
            throw ReviewError.invalidPolicy(commit: commit, error: error)
        }
        repository.keep(policy, parsedAt: commit)
        return PolicyInForce(commit: commit, policy: policy)
    }

    /// The text an operator signs to trust `commit` as the policy in force: it names the revision
    /// it replaces when `replacing` is set and a policy is in force.
    ///
    /// - Throws: ``StoreError`` when the store cannot be read.
    public static func textToTrust(commit: String, replacing: Bool, store: any StoreReader) async throws -> String {
        let inForce = replacing ? try await store.policyInForce()?.commit : nil
        return OperatorAct.trust(commit: commit, replacing: inForce).text
    }

    /// Trusts the `Policies/` of `commit` as the first policy in force, with an audit entry
    /// naming who trusted it, in one transaction.
    ///
    /// Trusting is the one moment a policy is not reviewed by an earlier one, so it is never
    /// silent: a second trust needs `replacing` set, and its audit entry names the revision it
    /// replaced.
    /// - Throws: ``ReviewError/notOnBranch(commit:branch:)`` for a commit the branch does not
    ///   contain (an unmerged branch's policy is never trusted), ``ReviewError/alreadyTrusted(commit:)``
    ///   when a policy is in force and `replacing` is false, ``ReviewError/noPolicyFiles(commit:)`` or ``ReviewError/invalidPolicy(commit:error:)``
    ///   when the files cannot be trusted.
    /// - Parameter signature: the operator's signature of ``OperatorAct/trust(commit:replacing:)``
    ///   by a key the policy being trusted lists; required to replace a policy in force, and the
    ///   audit entry then names its holder as the actor.
    public static func trust(
        commit revision: String, repository: ManagedRepository, store: any StateStore, actor: String, replacing: Bool = false,
        signature: SSHSignature? = nil
    ) async throws -> PolicyInForce {
        let (commit, files) = try await repository.read { git in
            let commit = try git.commitID(revision)
            guard try commit == git.tip || git.repository.isAncestor(commit, of: git.tip) else {
                throw ReviewError.notOnBranch(commit: commit.hex, branch: git.branch)
            }
            return (commit, try git.policyFiles(at: commit))
        }
        guard !files.isEmpty else { throw ReviewError.noPolicyFiles(commit: commit.hex) }
        let policy: PolicySet
        do {
            policy = try PolicySet.parse(files: files)
        } catch {
            throw ReviewError.invalidPolicy(commit: commit.hex, error: error)
        }
        try await store.transaction { tx in
            let previous = try await tx.policyInForce()
            if let previous, !replacing {
                throw ReviewError.alreadyTrusted(commit: previous.commit)
            }
            var actor = actor
            var details = ["files": String(files.count), "people": String(policy.reviewers.people.count)]
            details["replaced"] = previous?.commit
            let act = OperatorAct.trust(commit: commit.hex, replacing: previous?.commit)
            if let signature {
                do {
                    let signer = try act.signer(of: signature, in: policy.reviewers)
                    details["claimed_actor"] = actor
                    actor = signer.id
                    details["signature_sha256"] = auditFingerprint(signature.armored)
                } catch {
                    throw ReviewError.operatorSignatureRefused(act: "trusting commit \(commit.short)", reason: "\(error)")
                }
            } else if previous != nil {
                throw ReviewError.operatorSignatureRequired(act: "Replacing the policy in force", text: act.text)
            }
            let revision = try await tx.recordPolicyRevision(commit: commit.hex, changeSetID: nil, actor: actor)
            details["revision"] = String(revision.revision)
            _ = try await tx.appendAudit(AuditEvent(
                actor: actor, action: .policyTrusted, stack: StackLayout.policiesFolder, commit: commit.hex, details: details))
        }
        return PolicyInForce(commit: commit.hex, policy: policy)
    }

    /// Puts the `Policies/` proposed by an applied policy change set in force; the apply calls it
    /// in the transaction that finishes the execution, so the new rules take effect exactly when
    /// the change set is applied and never before.
    ///
    /// - Returns: the new revision, whose commit is the change set's target commit.
    /// - Throws: ``ReviewError/notAPolicyChangeSet(changeSetID:)`` for a stack change set,
    ///   ``ReviewError/policyChangeNotApplied(changeSetID:status:)`` unless it is APPLYING or APPLIED.
    @discardableResult
    public static func recordApplied(_ changeSet: ChangeSetRecord, actor: String, in tx: any StoreTransaction) async throws -> PolicyRevisionRecord {
        guard changeSet.kind == .policy else { throw ReviewError.notAPolicyChangeSet(changeSetID: changeSet.id) }
        guard changeSet.status == .applying || changeSet.status == .applied else {
            throw ReviewError.policyChangeNotApplied(changeSetID: changeSet.id, status: changeSet.status)
        }
        return try await tx.recordPolicyRevision(commit: changeSet.targetCommit, changeSetID: changeSet.id, actor: actor)
    }
}

/// Turns a stored 40-hex commit id into an ``ObjectID``.
func objectID(_ hex: String, changeSetID: String?) throws -> ObjectID {
    guard let id = ObjectID(hex: hex) else { throw ReviewError.malformedCommitID(hex, changeSetID: changeSetID) }
    return id
}

extension AuditAction {
    /// `tollgate init` trusted a revision of `Policies/` without review; `commit` names it and
    /// `details["replaced"]` the revision it replaced, if any.
    public static let policyTrusted = AuditAction(rawValue: "policy.trusted")
}

extension OpenRepository {
    /// Every file under `Policies/` at `commit`, by repository path, as text.
    ///
    /// - Throws: ``ReviewError/unreadablePolicyFile(path:commit:)`` for a file that is not UTF-8,
    ///   ``GitError`` when an object cannot be read.
    func policyFiles(at commit: ObjectID) throws -> [String: String] {
        var texts: [String: String] = [:]
        for (path, bytes) in try files(under: StackLayout.policiesFolder, at: commit) {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw ReviewError.unreadablePolicyFile(path: path, commit: commit.hex)
            }
            texts[path] = text
        }
        return texts
    }

    /// The bytes of every file under `folder` at `commit`, by repository path.
    func files(under folder: String, at commit: ObjectID) throws -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        for change in try files(within: [folder], at: commit) {
            guard let blob = change.newID else { continue }
            contents[change.path] = try repository.blobContents(blob, neededBy: "\(commit.short):\(change.path)")
        }
        return contents
    }
}

import TollgateStore

/// The store as one request saw it: the sequence of the audit trail's last entry (nil for an
/// empty trail), read once per request so that everything else the request reads can be kept
/// between requests for as long as that sequence stays.
struct StoreVersion: Sendable, Hashable {
    var auditSequence: Int64?
}

/// The rows only an audited write changes, the policy revision in force and access tokens, kept
/// for one ``StoreVersion``: issuing or revoking a token and putting a policy in force append to
/// the trail in the same transaction, so while its last sequence stays, these rows stay too.
///
/// Every request reads the trail's last sequence, one indexed lookup, instead of the token and
/// the policy revision again (the store's single SQLite connection serves one query at a time).
/// A value read for an older version is never kept under a newer one, so a revocation is seen by
/// the first request that sees its audit entry.
actor AuditedReads {
    private var version: StoreVersion?
    private var policyInForce: PolicyRevisionRecord??
    private var tokens: [String: AccessTokenRecord] = [:]
    /// Tokens kept per version at most; past that they are looked up again (a caller trying
    /// random tokens must not grow the server).
    private let tokenLimit = 4_096

    /// The policy revision in force at `version`: the one kept, or the one `read` returns.
    func policyInForce(
        at version: StoreVersion, read: @Sendable () async throws -> PolicyRevisionRecord?
    ) async throws -> PolicyRevisionRecord? {
        moveTo(version)
        if let policyInForce { return policyInForce }
        let revision = try await read()
        if self.version == version { policyInForce = .some(revision) }
        return revision
    }

    /// The record of the token whose hash is `sha256` at `version`: the one kept, or the one
    /// `read` returns. Unknown tokens are not kept.
    func token(
        sha256: String, at version: StoreVersion, read: @Sendable (String) async throws -> AccessTokenRecord?
    ) async throws -> AccessTokenRecord? {
        moveTo(version)
        if let record = tokens[sha256] { return record }
        guard let record = try await read(sha256) else { return nil }
        if self.version == version, tokens.count < tokenLimit { tokens[sha256] = record }
        return record
    }

    /// Forgets what was kept for another version. Versions only move forward in the store; one
    /// request may still ask with an older one, and then reads without disturbing the newer.
    private func moveTo(_ version: StoreVersion) {
        guard self.version != version else { return }
        if let kept = self.version?.auditSequence, let asked = version.auditSequence, asked < kept { return }
        self.version = version
        policyInForce = nil
        tokens.removeAll(keepingCapacity: true)
    }
}

import Crypto
public import Foundation
public import TollgateCore
public import TollgateStore

/// Bearer tokens bound to reviewers, for `tollgate serve`: issued once, kept only as their
/// SHA-256, listed without the token, revoked, and checked on every request.
///
/// A token acts only as the reviewer it was issued to; that reviewer must be listed in the policy
/// in force when the token is issued.
public struct AccessTokens: Sendable {
    /// What a new token starts with, so that secret scanners and people recognise one.
    public static let prefix = "tgt_"

    private let store: any StateStore
    private let clock: any WallClock

    /// The tokens kept in `store`; `clock` decides expiry.
    public init(store: any StateStore, clock: any WallClock = SystemWallClock()) {
        self.store = store
        self.clock = clock
    }

    /// Issues a token for `reviewer`, stores only its hash and audits the issue as `actor`.
    ///
    /// - Parameter lifetime: how long the token works; nil for no expiry.
    /// - Returns: the token, which nothing can show again, and its record.
    /// - Throws: ``AccessTokenError/unknownReviewer(_:known:)`` when the policy in force does not
    ///   list `reviewer`, ``ReviewError/noPolicyInForce`` before `tollgate init`, ``StoreError``.
    public func issue(
        reviewer: String, lifetime: TimeInterval?, actor: String, repository: ManagedRepository
    ) async throws -> IssuedAccessToken {
        let policy = try await PolicyInForce.load(from: store, repository: repository)
        guard policy.policy.reviewers.person(id: reviewer) != nil else {
            throw AccessTokenError.unknownReviewer(reviewer, known: policy.policy.reviewers.people.map(\.id).sorted())
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Self.prefix + bytes.lowercaseHex
        let expires = lifetime.map { clock.now().addingTimeInterval($0) }
        let record = try await store.transaction { transaction in
            try await transaction.recordAccessToken(
                id: AccessTokenRecord.newID(), reviewer: reviewer, tokenSHA256: Self.hash(token), expiresAt: expires, actor: actor)
        }
        return IssuedAccessToken(token: token, record: record)
    }

    /// Revokes token `id`, audited as `actor`.
    ///
    /// - Throws: ``StoreError/unknownAccessToken(_:)`` or ``StoreError/accessTokenRevoked(_:)``.
    public func revoke(id: String, actor: String) async throws -> AccessTokenRecord {
        try await store.transaction { try await $0.revokeAccessToken(id: id, actor: actor) }
    }

    /// Every token's record, oldest first; the tokens themselves are not kept.
    public func list() async throws -> [AccessTokenRecord] {
        try await store.accessTokens()
    }

    /// The record of the token a request presents, if it works now.
    ///
    /// - Throws: ``AccessTokenError/unknownToken``, ``AccessTokenError/expired(id:at:)`` or
    ///   ``AccessTokenError/revoked(id:)``.
    public func authenticate(_ token: String) async throws -> AccessTokenRecord {
        try await authenticate(token) { [store] in try await store.accessToken(sha256: $0) }
    }

    /// ``authenticate(_:)`` with the record found by `lookup` from the token's hash, for a caller
    /// that keeps records it read (a server, between changes of the audit trail).
    public func authenticate(
        _ token: String, lookup: (_ sha256: String) async throws -> AccessTokenRecord?
    ) async throws -> AccessTokenRecord {
        guard token.hasPrefix(Self.prefix), let record = try await lookup(Self.hash(token)) else {
            throw AccessTokenError.unknownToken
        }
        if record.revokedAt != nil { throw AccessTokenError.revoked(id: record.id) }
        if let expires = record.expiresAt, expires <= clock.now() { throw AccessTokenError.expired(id: record.id, at: expires) }
        return record
    }

    /// The lower-case hex SHA-256 of `token`, as the store keeps it.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).lowercaseHex
    }
}

/// A token just issued: shown once to whoever issued it.
public struct IssuedAccessToken: Sendable {
    /// The bearer token itself.
    public let token: String
    /// What the store keeps of it.
    public let record: AccessTokenRecord
}

/// A token that cannot be issued or does not let a request in.
public enum AccessTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The policy in force lists no reviewer with this id.
    case unknownReviewer(String, known: [String])
    /// No token has this value.
    case unknownToken
    /// The token's lifetime is over.
    case expired(id: String, at: Date)
    /// The token was revoked.
    case revoked(id: String)

    public var description: String {
        switch self {
        case .unknownReviewer(let reviewer, let known):
            return "Reviewer \(reviewer) is not listed in the policy in force (Policies/reviewers.yaml); known reviewers: \(known.isEmpty ? "none" : known.joined(separator: ", "))."
        case .unknownToken:
            return "The bearer token is not one Tollgate issued; ask for one with tollgate token issue."
        case .expired(let id, let at):
            let time = ISO8601DateFormatter.string(from: at, timeZone: .gmt, formatOptions: [.withInternetDateTime])
            return "Access token \(id) expired at \(time); ask for a new one."
        case .revoked(let id):
            return "Access token \(id) was revoked; ask for a new one."
        }
    }
}

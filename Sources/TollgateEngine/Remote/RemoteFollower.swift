import Foundation
public import Logging
public import TollgateCore
import TollgateGit
public import TollgateStore

/// A remote repository that Tollgate follows through a clone of its own, as configured.
public struct RemoteRepository: Sendable {
    /// The environment variable an HTTPS token may come from instead of a file.
    public static let tokenVariable = "TOLLGATE_REMOTE_TOKEN"

    /// The URL or path of the remote, with no credentials in it.
    public var url: String
    /// The remote branch followed.
    public var branch: String
    /// Tollgate's own bare clone of it.
    public var cloneDirectory: String
    /// The SSH private key file.
    public var sshKeyFile: String?
    /// A file holding the SSH key's passphrase.
    public var sshPassphraseFile: String?
    /// The OpenSSH known_hosts file that must list the SSH host's key.
    public var knownHostsFile: String?
    /// A file holding the HTTPS token; otherwise ``tokenVariable`` is read.
    public var tokenFile: String?
    /// How long one fetch may take.
    public var timeout: Duration
    /// A PEM file of the certificate authorities the HTTPS server's certificate must chain to,
    /// in place of the system's.
    public var caFile: String?

    /// Describes the remote; nothing is read until a ``RemoteFollower`` is made from it.
    public init(
        url: String, branch: String = "main", cloneDirectory: String, sshKeyFile: String? = nil, sshPassphraseFile: String? = nil,
        knownHostsFile: String? = nil, tokenFile: String? = nil, timeout: Duration = .seconds(120), caFile: String? = nil
    ) {
        self.caFile = caFile
        self.url = url
        self.branch = branch
        self.cloneDirectory = cloneDirectory
        self.sshKeyFile = sshKeyFile
        self.sshPassphraseFile = sshPassphraseFile
        self.knownHostsFile = knownHostsFile
        self.tokenFile = tokenFile
        self.timeout = timeout
    }

    /// The fetch this describes, with its files read and its URL checked.
    ///
    /// - Throws: ``RemoteFetchError`` for a URL, key or known_hosts file that cannot be used,
    ///   ``RemoteFollowError/emptyTokenFile(path:)``.
    func fetch(environment: [String: String]) throws -> RemoteFetch {
        let location = try RemoteLocation(parsing: url)
        var credentials = RemoteCredentials(sshKey: sshKeyFile)
        if let knownHostsFile { credentials.knownHosts = try RemoteKnownHosts(contentsOf: knownHostsFile) }
        if let sshPassphraseFile { credentials.sshPassphrase = try Self.secret(in: sshPassphraseFile, file: .sshPassphrase) }
        if let caFile { credentials.trustedCertificates = try RemoteTrustedCertificates(contentsOf: caFile) }
        if let tokenFile {
            let token = try Self.secret(in: tokenFile, file: .token)
            guard !token.isEmpty else { throw RemoteFollowError.emptyTokenFile(path: tokenFile) }
            credentials.token = token
        } else if let token = environment[Self.tokenVariable], !token.isEmpty {
            credentials.token = token
        }
        return try RemoteFetch(location: location, branch: branch, cloneDirectory: cloneDirectory, credentials: credentials, timeout: timeout)
    }

    /// The first line of `path`, without its line break.
    private static func secret(in path: String, file: RemoteFile) throws(RemoteFetchError) -> String {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            throw .unreadableFile(file, path: path, reason: FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file")
        }
        let text = String(decoding: data, as: UTF8.self)
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
    }
}

extension AuditAction {
    /// A fetch found the followed remote branch rewritten (it no longer contains the last synced
    /// commit) and refused to follow it; `commit` is the rewritten tip, `details["synced"]` the
    /// synced commit it lacks.
    public static let remoteRewriteRefused = AuditAction(rawValue: "remote.rewrite_refused")
}

/// How a fetch moved the clone's branch; a rewritten history is refused with an error instead.
public enum FetchedBranch: Sendable, Hashable {
    /// The branch moved (`from` is nil on the first fetch); both are full commit ids.
    case moved(from: String?, to: String)
    /// The remote branch is where the clone's already was.
    case unchanged(at: String)
}

/// Follows a remote repository: fetches its branch into Tollgate's clone, refusing rewritten
/// history, then syncs the clone as `tollgate sync` syncs a local repository.
///
/// The fetch runs on a thread of its own (see ``RemoteFetch``); the sync reads the clone as any
/// repository is read.
public struct RemoteFollower: Sendable {
    /// The remote followed.
    public let remote: RemoteRepository
    private let fetch: RemoteFetch
    private let store: any StateStore
    private let actor: String
    private let logger: Logger

    /// A follower of `remote` into `store`, writing audit entries as `actor`; the token variable
    /// is read from `environment`, the process's own when nil.
    ///
    /// - Throws: as ``RemoteRepository``'s files and URL are read: ``RemoteFetchError``,
    ///   ``RemoteFollowError/emptyTokenFile(path:)``.
    public init(
        remote: RemoteRepository, store: any StateStore, actor: String = "tollgate",
        environment: [String: String]? = nil, logger: Logger = .silent
    ) throws {
        self.remote = remote
        self.fetch = try remote.fetch(environment: environment ?? ProcessInfo.processInfo.environment)
        self.store = store
        self.actor = actor
        self.logger = logger
    }

    /// The URL as shown to people.
    public var url: String { fetch.location.description }

    /// Fetches the branch into the clone (making the clone on first use).
    ///
    /// - Returns: how the clone's branch moved.
    /// - Throws: ``RemoteFollowError/historyRewritten(url:branch:synced:fetched:)`` when the branch
    ///   no longer contains the last synced commit, after writing a `remote.rewrite_refused` audit
    ///   entry (once per rewritten tip); ``RemoteFetchError`` when the fetch fails.
    @discardableResult
    public func fetchBranch() async throws -> FetchedBranch {
        let synced = try await store.scanCursor(branch: remote.branch)
        let outcome = try await fetch.run(requiringDescentFrom: synced)
        switch outcome {
        case .rewriteRefused(let synced, let fetched):
            try await recordRefusal(synced: synced, fetched: fetched)
            throw RemoteFollowError.historyRewritten(url: url, branch: remote.branch, synced: synced, fetched: fetched)
        case .moved(let from, let to):
            logger.info("fetched", metadata: ["remote.url": "\(url)", "remote.from": "\(from ?? "none")", "remote.to": "\(to)"])
            return .moved(from: from, to: to)
        case .unchanged(let tip):
            return .unchanged(at: tip)
        }
    }

    /// Fetches the branch, then syncs the clone.
    ///
    /// - Parameters:
    ///   - settingsFile: a tollgate.yaml to use instead of the policy's, as for a local repository.
    ///   - start: on the first sync, the first commit to scan.
    /// - Throws: as ``fetchBranch()``; then as ``ChangeSetSynchronizer/sync(from:)``.
    public func fetchAndSync(settingsFile: String? = nil, from start: String? = nil) async throws -> SyncReport {
        try await fetchBranch()
        let managed = try await ManagedRepository.open(
            path: remote.cloneDirectory, settingsFile: settingsFile, branch: remote.branch, store: store)
        return try await ChangeSetSynchronizer(repository: managed, store: store, actor: actor, logger: logger).sync(from: start)
    }

    /// Audits the refusal, unless the newest entry already records this very refusal: a poll
    /// every minute finds the same rewritten tip until an operator acts.
    private func recordRefusal(synced: String, fetched: String) async throws {
        logger.error("remote history rewritten; not followed", metadata: [
            "remote.url": "\(url)", "remote.branch": "\(remote.branch)", "remote.synced": "\(synced)", "remote.fetched": "\(fetched)",
        ])
        let head = try await store.auditHead()
        if head?.action == .remoteRewriteRefused, head?.commit == fetched, head?.detailValues["synced"] == synced { return }
        _ = try await store.transaction { transaction in
            try await transaction.appendAudit(AuditEvent(
                actor: actor, action: .remoteRewriteRefused, commit: fetched,
                details: ["synced": synced, "branch": remote.branch, "url": url]))
        }
    }
}

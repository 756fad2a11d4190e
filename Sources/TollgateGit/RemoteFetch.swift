internal import CLibGit2
import Dispatch
import Foundation
import Synchronization

/// One fetch of a remote branch into Tollgate's own bare clone, with the checks that make
/// following a remote safe: the host key against `known_hosts`, credentials never in the URL, a
/// timeout, and no move of the local branch to a commit that does not descend from the last
/// synced one.
///
/// The clone is made on first use (a bare repository with the remote as `origin`). A fetch
/// updates `refs/remotes/origin/BRANCH`, then moves `refs/heads/BRANCH`, which the engine reads,
/// only when the new tip descends from the synced commit.
///
/// ``run(requiringDescentFrom:)`` runs libgit2 on a thread of its own and awaits it, so a slow
/// network never holds a task of Swift's cooperative pool.
public struct RemoteFetch: Sendable {
    /// Where the remote is.
    public let location: RemoteLocation
    /// The remote branch followed; the clone's local branch has the same name.
    public let branch: String
    /// Tollgate's own bare clone.
    public let cloneDirectory: String
    /// How to authenticate and which host keys to trust.
    public let credentials: RemoteCredentials
    /// How long a fetch may take in all.
    public let timeout: Duration

    /// Describes a fetch, checking that everything `location` needs is given and readable.
    ///
    /// - Throws: ``RemoteFetchError/missingSSHSetting(url:file:)`` for an SSH remote without a
    ///   key or known_hosts file, ``RemoteFetchError/unreadableFile(_:path:reason:)``,
    ///   ``RemoteFetchError/invalidBranchName(_:)``.
    public init(
        location: RemoteLocation, branch: String, cloneDirectory: String, credentials: RemoteCredentials, timeout: Duration
    ) throws(RemoteFetchError) {
        ensureLibGit2()
        var valid: Int32 = 0
        guard git_reference_name_is_valid(&valid, "refs/heads/\(branch)") == 0, valid == 1 else {
            throw .invalidBranchName(branch)
        }
        if case .ssh = location {
            guard let key = credentials.sshKey else { throw .missingSSHSetting(url: location.description, file: .sshKey) }
            guard credentials.knownHosts != nil else { throw .missingSSHSetting(url: location.description, file: .knownHosts) }
            guard FileManager.default.isReadableFile(atPath: key) else {
                throw .unreadableFile(.sshKey, path: key, reason: FileManager.default.fileExists(atPath: key) ? "it cannot be read" : "no such file")
            }
        }
        self.location = location
        self.branch = branch
        self.cloneDirectory = cloneDirectory
        self.credentials = credentials
        self.timeout = timeout
    }

    /// Fetches the branch and moves the clone's local branch to it, unless that would drop
    /// `synced` (the last commit a sync recorded) from the branch's history.
    ///
    /// - Returns: the move, ``RemoteFetchOutcome/unchanged(at:)``, or
    ///   ``RemoteFetchOutcome/rewriteRefused(synced:fetched:)`` with the branch left where it was.
    /// - Throws: ``RemoteFetchError`` naming the URL, file or host at fault;
    ///   ``RemoteFetchError/timedOut(url:seconds:)`` once ``timeout`` has passed, even while the
    ///   network read it waits on has not returned.
    public func run(requiringDescentFrom synced: String?) async throws(RemoteFetchError) -> RemoteFetchOutcome {
        let directory = URL(fileURLWithPath: cloneDirectory).standardizedFileURL.path
        let claimed = fetchesInFlight.withLock { $0.insert(directory).inserted }
        guard claimed else { throw .previousFetchStillRunning(cloneDirectory: cloneDirectory) }
        let race = FetchRace(deadline: ContinuousClock.now + timeout)
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<RemoteFetchOutcome, RemoteFetchError>, Never>) in
            race.install(continuation)
            let thread = Thread { [self] in
                let outcome = Result { () throws(RemoteFetchError) in try fetchOnThisThread(synced: synced, race: race) }
                fetchesInFlight.withLock { _ = $0.remove(directory) }
                race.finish(outcome)
            }
            thread.name = "tollgate-fetch"
            thread.stackSize = 4 << 20
            thread.start()
            // libgit2 1.5 has no network timeout, and a read from a host that never answers calls
            // no callback; so the awaiting task stops waiting here, and the thread ends when the
            // connection does (it moves no ref after this point).
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                race.timeOut(.timedOut(url: location.description, seconds: Int(seconds.rounded(.up))))
            }
        }
        return try result.get()
    }

    private func fetchOnThisThread(synced: String?, race: FetchRace) throws(RemoteFetchError) -> RemoteFetchOutcome {
        ensureLibGit2()
        if case .https = location {
            do {
                try SystemCertificates.load()
            } catch {
                throw .fetchFailed(url: location.description, message: error.description)
            }
        }
        let repository = try openClone()
        defer { git_repository_free(repository) }
        let remote = try originRemote(in: repository)
        defer { git_remote_free(remote) }
        let session = FetchSession(fetch: self, race: race)
        try withExtendedLifetime(session) { () throws(RemoteFetchError) in
            var options = git_fetch_options()
            git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
            options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
            options.prune = GIT_FETCH_PRUNE
            options.callbacks.payload = Unmanaged.passUnretained(session).toOpaque()
            options.callbacks.credentials = { out, _, userFromURL, allowed, payload in
                guard let out, let payload else { return -1 }
                let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
                return session.credential(out, userFromURL: userFromURL.map { String(cString: $0) }, allowed: allowed)
            }
            options.callbacks.certificate_check = { certificate, _, _, payload in
                guard let certificate, let payload else { return -1 }
                let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
                return session.checkCertificate(certificate)
            }
            options.callbacks.transfer_progress = { _, payload in
                guard let payload else { return 0 }
                return Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue().continueOrStop()
            }
            options.callbacks.sideband_progress = { _, _, payload in
                guard let payload else { return 0 }
                return Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue().continueOrStop()
            }
            let refspec = strdup("+refs/heads/\(branch):refs/remotes/origin/\(branch)")
            defer { free(refspec) }
            var strings: [UnsafeMutablePointer<CChar>?] = [refspec]
            let code = strings.withUnsafeMutableBufferPointer { buffer in
                var refspecs = git_strarray(strings: buffer.baseAddress, count: 1)
                return git_remote_fetch(remote, &refspecs, &options, "tollgate: fetch")
            }
            guard code < 0 else { return }
            if let failure = session.failure { throw failure }
            let message = lastMessage(code: code)
            if code == GIT_EAUTH.rawValue { throw .authenticationFailed(url: location.description, reason: message) }
            throw .fetchFailed(url: location.description, message: message)
        }
        var fetchedOID = git_oid()
        let found = git_reference_name_to_id(&fetchedOID, repository, "refs/remotes/origin/\(branch)")
        guard found == 0 else { throw .remoteBranchNotFound(url: location.description, branch: branch) }
        let fetched = ObjectID(fetchedOID)
        if let synced, synced != fetched.hex {
            // A synced commit the clone lacks (a new clone of rewritten history) is not an ancestor either.
            guard var syncedOID = ObjectID(hex: synced)?.oid,
                git_graph_descendant_of(repository, &fetchedOID, &syncedOID) == 1
            else {
                return .rewriteRefused(synced: synced, fetched: fetched.hex)
            }
        }
        var currentOID = git_oid()
        let current = git_reference_name_to_id(&currentOID, repository, "refs/heads/\(branch)") == 0 ? ObjectID(currentOID) : nil
        if current == fetched { return .unchanged(at: fetched.hex) }
        guard race.beginMovingBranch() else { throw .timedOut(url: location.description, seconds: Int(timeout.components.seconds)) }
        var reference: OpaquePointer?
        let moved = git_reference_create(&reference, repository, "refs/heads/\(branch)", &fetchedOID, 1, "tollgate: fetched from origin")
        guard moved == 0 else {
            throw .cloneDirectoryUnusable(path: cloneDirectory, reason: "moving branch '\(branch)' failed: \(lastMessage(code: moved))")
        }
        git_reference_free(reference)
        _ = git_repository_set_head(repository, "refs/heads/\(branch)")
        return .moved(from: current?.hex, to: fetched.hex)
    }

    /// Opens the bare clone, making it on first use.
    private func openClone() throws(RemoteFetchError) -> OpaquePointer {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        let exists = files.fileExists(atPath: cloneDirectory, isDirectory: &isFolder)
        if exists && !isFolder.boolValue { throw .cloneDirectoryUnusable(path: cloneDirectory, reason: "it is a file") }
        var handle: OpaquePointer?
        if !exists || ((try? files.contentsOfDirectory(atPath: cloneDirectory))?.isEmpty ?? false) {
            do {
                try files.createDirectory(atPath: cloneDirectory, withIntermediateDirectories: true)
            } catch {
                throw .cloneDirectoryUnusable(path: cloneDirectory, reason: "it cannot be created")
            }
            let code = git_repository_init(&handle, cloneDirectory, 1)
            guard code == 0, let handle else {
                throw .cloneDirectoryUnusable(path: cloneDirectory, reason: lastMessage(code: code))
            }
            return handle
        }
        let code = git_repository_open_bare(&handle, cloneDirectory)
        guard code == 0, let handle else {
            throw .cloneDirectoryUnusable(path: cloneDirectory, reason: "it is not empty and not a bare git repository")
        }
        return handle
    }

    /// The clone's `origin`, made on first use; one that names another URL is refused.
    private func originRemote(in repository: OpaquePointer) throws(RemoteFetchError) -> OpaquePointer {
        var remote: OpaquePointer?
        let wanted = location.libgit2URL
        let code = git_remote_lookup(&remote, repository, "origin")
        if isNotFound(code) {
            let created = git_remote_create(&remote, repository, "origin", wanted)
            guard created == 0, let remote else {
                throw .fetchFailed(url: location.description, message: lastMessage(code: created))
            }
            return remote
        }
        guard code == 0, let remote else {
            throw .cloneDirectoryUnusable(path: cloneDirectory, reason: lastMessage(code: code))
        }
        let has = git_remote_url(remote).map { String(cString: $0) } ?? ""
        guard has == wanted else {
            git_remote_free(remote)
            throw .cloneOfAnotherRemote(path: cloneDirectory, has: has, wanted: wanted)
        }
        return remote
    }
}

/// What a ``RemoteFetch`` did to the clone's local branch.
public enum RemoteFetchOutcome: Sendable, Hashable {
    /// The branch moved (`from` is nil on the first fetch).
    case moved(from: String?, to: String)
    /// The remote branch is where the local one already was.
    case unchanged(at: String)
    /// The remote branch no longer contains `synced`: its history was rewritten, and the local
    /// branch stays at what it was.
    case rewriteRefused(synced: String, fetched: String)
}

/// How a fetch authenticates, and which SSH host keys it trusts.
public struct RemoteCredentials: Sendable {
    /// The SSH private key file.
    public var sshKey: String?
    /// The SSH private key's passphrase, when it has one.
    public var sshPassphrase: String?
    /// The known_hosts file the SSH host's key must be listed in.
    public var knownHosts: RemoteKnownHosts?
    /// The HTTPS token, sent as the password.
    public var token: String?
    /// The certificate authorities the HTTPS server's certificate must chain to, in place of the
    /// system's; nil trusts the system's.
    public var trustedCertificates: RemoteTrustedCertificates?

    /// Credentials; give only what the remote's scheme uses.
    public init(
        sshKey: String? = nil, sshPassphrase: String? = nil, knownHosts: RemoteKnownHosts? = nil, token: String? = nil,
        trustedCertificates: RemoteTrustedCertificates? = nil
    ) {
        self.sshKey = sshKey
        self.sshPassphrase = sshPassphrase
        self.knownHosts = knownHosts
        self.token = token
        self.trustedCertificates = trustedCertificates
    }
}

/// The clone directories with a fetch running, so that a fetch the caller stopped waiting for is
/// never joined by a second one on the same clone.
private let fetchesInFlight = Mutex<Set<String>>([])

/// The fetch thread's result, the timer's timeout and the awaiting task: whichever finishes first
/// resumes the task, once.
private final class FetchRace: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<RemoteFetchOutcome, RemoteFetchError>, Never>?
        var movingBranch = false
    }

    private let state = Mutex(State())
    let deadline: ContinuousClock.Instant

    init(deadline: ContinuousClock.Instant) {
        self.deadline = deadline
    }

    var isPastDeadline: Bool { ContinuousClock.now >= deadline }

    func install(_ continuation: CheckedContinuation<Result<RemoteFetchOutcome, RemoteFetchError>, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func finish(_ result: Result<RemoteFetchOutcome, RemoteFetchError>) {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: result)
    }

    /// Ends the wait with `error`, unless the thread is already moving the branch.
    func timeOut(_ error: RemoteFetchError) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<RemoteFetchOutcome, RemoteFetchError>, Never>? in
            guard !state.movingBranch else { return nil }
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: .failure(error))
    }

    /// Whether the caller still waits; if so, the timeout can no longer interrupt the move.
    func beginMovingBranch() -> Bool {
        state.withLock { state in
            guard state.continuation != nil else { return false }
            state.movingBranch = true
            return true
        }
    }
}

/// What libgit2's callbacks need during one fetch; used only on the fetch's thread.
private final class FetchSession {
    let fetch: RemoteFetch
    let race: FetchRace
    /// Why a callback stopped the fetch, which libgit2 reports only as a code.
    var failure: RemoteFetchError?
    private var credentialAttempts = 0

    init(fetch: RemoteFetch, race: FetchRace) {
        self.fetch = fetch
        self.race = race
    }

    /// 0 to go on; non-zero, which aborts the fetch, once the deadline has passed.
    func continueOrStop() -> Int32 {
        guard race.isPastDeadline else { return 0 }
        failure = failure ?? .timedOut(url: fetch.location.description, seconds: Int(fetch.timeout.components.seconds))
        return -1
    }

    func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, userFromURL: String?, allowed: UInt32) -> Int32 {
        if continueOrStop() != 0 { return -1 }
        let url = fetch.location.description
        credentialAttempts += 1
        // libgit2 asks again after the server refuses; a second offer of the same would loop.
        if credentialAttempts > 2 {
            failure = .authenticationFailed(url: url, reason: "the server did not accept them")
            return -1
        }
        let credentials = fetch.credentials
        switch fetch.location {
        case .ssh(let user, _, _, _):
            let name = userFromURL ?? user ?? ProcessInfo.processInfo.userName
            if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0, let key = credentials.sshKey {
                let publicKey = key + ".pub"
                let hasPublic = FileManager.default.fileExists(atPath: publicKey)
                return git_credential_ssh_key_new(out, name, hasPublic ? publicKey : nil, key, credentials.sshPassphrase)
            }
            if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
                return git_credential_username_new(out, name)
            }
            failure = .authenticationFailed(url: url, reason: "the server takes no SSH key")
            return -1
        case .https(_, let user, _):
            guard allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else {
                failure = .authenticationFailed(url: url, reason: "the server takes no user name and password")
                return -1
            }
            guard let token = credentials.token else {
                failure = .tokenRequired(url: url)
                return -1
            }
            // GitHub takes any user name with a token; x-access-token is what its apps use.
            return git_credential_userpass_plaintext_new(out, userFromURL ?? user ?? "x-access-token", token)
        case .local:
            failure = .authenticationFailed(url: url, reason: "a local repository asked for credentials")
            return -1
        }
    }

    func checkCertificate(_ certificate: UnsafeMutablePointer<git_cert>) -> Int32 {
        if continueOrStop() != 0 { return -1 }
        guard certificate.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            return checkTLSCertificate(certificate)
        }
        guard case .ssh(_, let host, let port, _) = fetch.location, let knownHosts = fetch.credentials.knownHosts else {
            failure = .missingSSHSetting(url: fetch.location.description, file: .knownHosts)
            return -1
        }
        let key: [UInt8]? = certificate.withMemoryRebound(to: git_cert_hostkey.self, capacity: 1) { hostKey in
            guard hostKey.pointee.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.pointee.hostkey else { return nil }
            return Array(UnsafeRawBufferPointer(start: raw, count: hostKey.pointee.hostkey_len))
        }
        guard let key else {
            failure = .fetchFailed(url: fetch.location.description, message: "the SSH library did not give the host's key to check")
            return -1
        }
        do {
            try knownHosts.verify(key: key, host: host, port: port)
            return 0
        } catch {
            failure = error
            return -1
        }
    }
}

extension FetchSession {
    /// TLS: without a CA file, libgit2's own check against the system's CAs stands; with one, the
    /// certificate must chain to it whatever libgit2 thought, and credentials are asked for only
    /// after this check, so a refused server never sees the token.
    func checkTLSCertificate(_ certificate: UnsafeMutablePointer<git_cert>) -> Int32 {
        guard let trusted = fetch.credentials.trustedCertificates else { return GIT_PASSTHROUGH.rawValue }
        guard certificate.pointee.cert_type == GIT_CERT_X509, case .https(_, _, let host) = fetch.location else {
            failure = .untrustedCertificate(url: fetch.location.description, caFile: trusted.path, reason: "the server offered no X.509 certificate")
            return -1
        }
        let der: [UInt8] = certificate.withMemoryRebound(to: git_cert_x509.self, capacity: 1) { x509 in
            guard let data = x509.pointee.data else { return [] }
            return Array(UnsafeRawBufferPointer(start: data, count: x509.pointee.len))
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let problem = trusted.problem(withServerCertificate: der, host: bare) {
            failure = .untrustedCertificate(url: fetch.location.description, caFile: trusted.path, reason: problem)
            return -1
        }
        return 0
    }
}

/// libgit2's message for the failure that returned `code`, read at once since it is per thread.
private func lastMessage(code: Int32) -> String {
    if let error = git_error_last(), let text = error.pointee.message {
        return String(cString: text)
    }
    return "libgit2 error \(code)"
}

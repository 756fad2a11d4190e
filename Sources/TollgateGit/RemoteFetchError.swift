public import TollgateCore

/// A failure following a remote repository: its URL, its credentials, its host key, or the fetch.
///
/// Each case names the URL, file or host at fault; none ever holds a token or a passphrase.
public enum RemoteFetchError: TollgateError, Equatable, Sendable {
    /// The URL carries a password or token, which would end up in logs and in the clone's config.
    case credentialsInURL(url: String)
    /// The URL's scheme is not one Tollgate fetches over; `hint` says what to use instead.
    case unsupportedScheme(url: String, scheme: String, hint: String)
    /// The URL cannot be parsed.
    case malformedURL(url: String, reason: String)
    /// A file the fetch needs cannot be read.
    case unreadableFile(RemoteFile, path: String, reason: String)
    /// An SSH remote without the private key or known_hosts file it needs.
    case missingSSHSetting(url: String, file: RemoteFile)
    /// An HTTPS remote that asked for credentials when no token was configured.
    case tokenRequired(url: String)
    /// The server refused the credentials offered.
    case authenticationFailed(url: String, reason: String)
    /// The HTTPS server's certificate does not chain to the CA file configured for the remote.
    case untrustedCertificate(url: String, caFile: String, reason: String)
    /// The CA file holds no certificate, or one that does not parse.
    case invalidCAFile(path: String, reason: String)
    /// The host's key is not in the known_hosts file.
    case unknownHostKey(host: String, fingerprint: String, knownHosts: String)
    /// The host's key differs from the one the known_hosts file lists for it.
    case changedHostKey(host: String, fingerprint: String, knownHosts: String, line: Int)
    /// The host's key is marked `@revoked` in the known_hosts file.
    case revokedHostKey(host: String, fingerprint: String, knownHosts: String, line: Int)
    /// The fetch did not finish within the configured time.
    case timedOut(url: String, seconds: Int)
    /// A fetch into the same clone that timed out earlier is still waiting on the network.
    case previousFetchStillRunning(cloneDirectory: String)
    /// The clone directory exists but is not a git repository.
    case cloneDirectoryUnusable(path: String, reason: String)
    /// The clone directory was made for another remote.
    case cloneOfAnotherRemote(path: String, has: String, wanted: String)
    /// The branch name is not one git allows.
    case invalidBranchName(String)
    /// The remote has no branch of that name.
    case remoteBranchNotFound(url: String, branch: String)
    /// The fetch itself failed: the host is unreachable, the path is not a repository, and so on.
    case fetchFailed(url: String, message: String)

    public var description: String {
        switch self {
        case .credentialsInURL(let url):
            return "The remote URL \(url) carries credentials, which would end up in logs; remove them from the URL and give the token in a file instead."
        case .unsupportedScheme(let url, let scheme, let hint):
            return "The remote URL \(url) uses '\(scheme)', which Tollgate does not fetch over; \(hint)."
        case .malformedURL(let url, let reason):
            return "The remote URL '\(url)' cannot be used: \(reason)."
        case .unreadableFile(let file, let path, let reason):
            return "Cannot read \(file.description) '\(path)': \(reason)."
        case .missingSSHSetting(let url, let file):
            return "Fetching \(url) over SSH needs \(file.description)."
        case .tokenRequired(let url):
            return "\(url) asks for credentials and no token is configured."
        case .authenticationFailed(let url, let reason):
            return "\(url) refused the credentials offered: \(reason)."
        case .untrustedCertificate(let url, let caFile, let reason):
            return "The TLS certificate of \(url) is not trusted by \(caFile) (\(reason)); the fetch was refused before any token was sent."
        case .invalidCAFile(let path, let reason):
            return "The CA file '\(path)' cannot be used: \(reason)."
        case .unknownHostKey(let host, let fingerprint, let knownHosts):
            return "The host key of \(host) (\(fingerprint)) is not in \(knownHosts); the fetch was refused. If the key is right, add it (ssh-keyscan) after checking the fingerprint."
        case .changedHostKey(let host, let fingerprint, let knownHosts, let line):
            return "The host key of \(host) changed: it offered \(fingerprint), but \(knownHosts):\(line) lists another key; the fetch was refused. Someone may be intercepting the connection, or the host's key was replaced."
        case .revokedHostKey(let host, let fingerprint, let knownHosts, let line):
            return "The host key of \(host) (\(fingerprint)) is marked @revoked in \(knownHosts):\(line); the fetch was refused."
        case .timedOut(let url, let seconds):
            return "Fetching \(url) did not finish within \(seconds) seconds; the host may be down or too slow, or the timeout too short."
        case .previousFetchStillRunning(let directory):
            return "An earlier fetch into \(directory) timed out and is still waiting on the network; try again once the host answers or closes the connection."
        case .cloneDirectoryUnusable(let path, let reason):
            return "The clone directory '\(path)' cannot be used: \(reason)."
        case .cloneOfAnotherRemote(let path, let has, let wanted):
            return "The clone directory '\(path)' follows \(has), not \(wanted); choose another clone directory or remove it."
        case .invalidBranchName(let branch):
            return "'\(branch)' is not a valid branch name."
        case .remoteBranchNotFound(let url, let branch):
            return "\(url) has no branch '\(branch)'."
        case .fetchFailed(let url, let message):
            return "Fetching \(url) failed: \(message)."
        }
    }

    public var kind: ErrorKind {
        switch self {
        case .credentialsInURL, .unsupportedScheme, .malformedURL, .missingSSHSetting, .unreadableFile, .cloneOfAnotherRemote,
            .cloneDirectoryUnusable, .invalidBranchName, .invalidCAFile:
            .invalidInput
        case .tokenRequired, .authenticationFailed, .untrustedCertificate, .unknownHostKey, .changedHostKey, .revokedHostKey: .refused
        case .remoteBranchNotFound: .notFound
        case .previousFetchStillRunning: .conflict
        case .timedOut, .fetchFailed: .unavailable
        }
    }

    public var remedy: ErrorRemedy? {
        switch self {
        case .credentialsInURL, .tokenRequired: .giveRemoteToken
        case .unreadableFile(let file, _, _), .missingSSHSetting(_, let file): file.remedy
        case .unknownHostKey, .changedHostKey, .revokedHostKey: .chooseKnownHosts
        case .untrustedCertificate, .invalidCAFile: .chooseCAFile
        case .cloneOfAnotherRemote, .cloneDirectoryUnusable: .chooseCloneDirectory
        case .timedOut: .raiseFetchTimeout
        default: nil
        }
    }
}

/// A file that following a remote reads.
public enum RemoteFile: String, Sendable, Hashable, CustomStringConvertible {
    /// The SSH private key.
    case sshKey
    /// The file holding the SSH key's passphrase.
    case sshPassphrase
    /// The OpenSSH known_hosts file the host key is checked against.
    case knownHosts
    /// The file holding the HTTPS token.
    case token
    /// The PEM file of the certificate authorities an HTTPS remote's certificate must chain to.
    case caFile

    public var description: String {
        switch self {
        case .sshKey: "the SSH private key"
        case .sshPassphrase: "the SSH key's passphrase file"
        case .knownHosts: "a known_hosts file"
        case .token: "the token file"
        case .caFile: "the CA file"
        }
    }

    /// What to change to point at another such file.
    public var remedy: ErrorRemedy {
        switch self {
        case .sshKey: .chooseSSHKey
        case .sshPassphrase: .chooseSSHPassphrase
        case .knownHosts: .chooseKnownHosts
        case .token: .giveRemoteToken
        case .caFile: .chooseCAFile
        }
    }
}

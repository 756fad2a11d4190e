import ArgumentParser
import Foundation
import Logging
import TollgateCore
import TollgateEngine
import TollgateServer
import TollgateStore

/// `tollgate serve`: the webhooks and the JSON API over the same engine and store as the CLI.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the git hosts' push webhooks and the JSON API.",
        discussion: """
            A push to the followed branch, signed with the webhook secret, syncs as tollgate sync \
            does; pushes that arrive while a sync runs fold into one more sync after it. Secrets \
            come from TOLLGATE_GITHUB_WEBHOOK_SECRET, TOLLGATE_GITLAB_WEBHOOK_TOKEN and \
            TOLLGATE_BITBUCKET_WEBHOOK_SECRET or from the files named below; a host with no secret \
            has its endpoint refuse every delivery. The API (/api/stacks, /api/change-sets/ID, \
            /api/audit) needs a token from tollgate token issue; the web page at / signs in with the same token. With --remote, the remote branch is \
            fetched into Tollgate's own clone once at start (a failure stops the server, except a \
            rewritten history, which is refused and audited at every sync) and \
            before every sync. Prints the address it listens on, then logs to standard error; \
            SIGTERM or SIGINT stops it.
            """
    )

    @Option(help: ArgumentHelp("The address and port to listen on; port 0 picks a free one.", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(help: ArgumentHelp(
        "Sync every so often, such as 60s; 0s turns polling off. Default: 60s when no webhook secret is configured, else off.",
        valueName: "duration"))
    var poll: DurationText?

    @Option(help: ArgumentHelp("A file holding GitHub's webhook secret (instead of TOLLGATE_GITHUB_WEBHOOK_SECRET).", valueName: "file"))
    var githubWebhookSecretFile: String?

    @Option(help: ArgumentHelp("A file holding GitLab's webhook secret token (instead of TOLLGATE_GITLAB_WEBHOOK_TOKEN).", valueName: "file"))
    var gitlabWebhookTokenFile: String?

    @Option(help: ArgumentHelp("A file holding Bitbucket's webhook secret (instead of TOLLGATE_BITBUCKET_WEBHOOK_SECRET).", valueName: "file"))
    var bitbucketWebhookSecretFile: String?

    @Option(help: ArgumentHelp(
        "A file holding the web page's session secret, at least 32 bytes (instead of TOLLGATE_SESSION_SECRET); replicas behind one address need the same one. Default: random per process.",
        valueName: "file"))
    var sessionSecretFile: String?

    @Option(help: ArgumentHelp(
        "The address people reach this server at, such as https://tollgate.example.com; notifications link to {public-url}/change-sets/ID.",
        valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp(
        "How long a delivered notification stays in the outbox: a whole number of s, m, h or d, at most 36500d, such as 30d; 0d keeps every one. Queued and failed notifications are never deleted.",
        valueName: "duration"))
    var notificationRetention = DurationText(days: 30)

    /// The longest `--notification-retention`: a century keeps everything in practice, and the
    /// store's cutoff time (milliseconds before now) stays far from overflowing.
    static let longestNotificationRetention = DurationText(days: 36_500)

    @Option(help: ArgumentHelp(
        "An unencrypted OpenSSH ed25519 private key the server signs session approvals with; Policies/approvals.yaml must say session-approvals: true and list its public key in server-keys.",
        valueName: "file"))
    var serverKey: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var store: StoreOptions

    func validate() throws {
        _ = try address()
        if notificationRetention.seconds > Self.longestNotificationRetention.seconds {
            throw ValidationError(
                "--notification-retention \(notificationRetention.text) is longer than \(Self.longestNotificationRetention.text) (100 years); 0d keeps every delivered notification.")
        }
        if remote.remote != nil, repository.branch != nil {
            throw ValidationError("--branch names a branch of --repo; with --remote, pass --remote-branch.")
        }
        if let publicURL {
            guard let url = URL(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
                  publicURL.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
            else {
                throw ValidationError("--public-url \(publicURL) is not an http or https URL with a host, such as https://tollgate.example.com.")
            }
        }
    }

    /// Delivery settings, with `--notification-retention`.
    var notificationSettings: NotificationDispatcher.Settings {
        var settings = NotificationDispatcher.Settings()
        settings.deliveredRetentionSeconds = notificationRetention.seconds > 0 ? notificationRetention.seconds : nil
        return settings
    }

    /// `--listen` as host and port; `[::1]:8080` for IPv6.
    func address() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port) else {
            throw ValidationError("--listen \(listen) is not HOST:PORT with a port from 0 to 65535, such as 127.0.0.1:8080.")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("--listen \(listen) names no host; write 127.0.0.1:\(port) or 0.0.0.0:\(port).") }
        return (host, port)
    }

    func run() async throws {
        let (host, port) = try address()
        let secrets = try WebhookSecrets.load(
            environment: ProcessInfo.processInfo.environment, githubFile: githubWebhookSecretFile, gitlabFile: gitlabWebhookTokenFile,
            bitbucketFile: bitbucketWebhookSecretFile)
        var sessions = WebSessions()
        if let secret = try WebSessions.secret(environment: ProcessInfo.processInfo.environment, file: sessionSecretFile) {
            sessions = try WebSessions(secret: secret)
        }
        let key = try serverKey.map(Self.readServerKey)
        let interval = poll.map(\.seconds) ?? (secrets.isAnyConfigured ? 0 : 60)
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "tollgate.server")
        let state = try await store.open(repository: repository.repo)
        do {
            let server = try await makeServer(store: state, secrets: secrets, sessions: sessions, serverKey: key, logger: logger)
            try await server.run(
                host: host, port: port, pollInterval: interval > 0 ? .seconds(interval) : nil,
                onListening: { bound in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    // Written unbuffered: a program that started the server waits for this line.
                    FileHandle.standardOutput.write(Data("Listening on http://\(shown):\(bound)\n".utf8))
                })
        } catch {
            try? await state.close()
            throw error
        }
        try await state.close()
    }

    /// The key of --server-key; whether the policy in force lists it is checked at each approval,
    /// since the policy can change while the server runs.
    static func readServerKey(_ path: String) throws -> SSHPrivateKey {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("--server-key \(path) cannot be read: \(error.localizedDescription)")
        }
        do {
            return try SSHPrivateKey(openSSHText: text)
        } catch .encryptedPrivateKey {
            throw ValidationError(
                "--server-key \(path) is protected by a passphrase, which a server started unattended cannot type; give it an unencrypted key (ssh-keygen -p -N '' -f \(path) removes the passphrase), readable by the server's user alone.")
        } catch {
            throw ValidationError("--server-key \(path) is not a usable key: \(error)")
        }
    }

    /// The server over --repo, or over the clone of --remote, fetched once first so that a wrong
    /// URL, key or host key stops the server at once rather than at the first sync.
    private func makeServer(
        store state: any StateStore, secrets: WebhookSecrets, sessions: WebSessions, serverKey: SSHPrivateKey?, logger: Logger
    ) async throws -> TollgateServer {
        guard let followed = remote.remoteRepository(repository: repository.repo, state: store.state) else {
            return TollgateServer(
                repository: .init(path: repository.repo, settingsFile: repository.config, branch: repository.branch), store: state,
                secrets: secrets, logger: logger, sessions: sessions, publicURL: publicURL, notificationInterval: .seconds(2),
                notificationSettings: notificationSettings, serverKey: serverKey)
        }
        let follower = try RemoteFollower(remote: followed, store: state, logger: logger)
        do {
            try await follower.fetchBranch()
        } catch let refusal as RemoteFollowError {
            // Audited already; the server still serves what was synced, and refuses again on each sync.
            logger.error("\(refusal)")
        }
        let settingsFile = repository.config
        return TollgateServer(
            repository: .init(path: followed.cloneDirectory, settingsFile: settingsFile, branch: followed.branch), store: state,
            secrets: secrets, logger: logger,
            sync: {
                let report = try await follower.fetchAndSync(settingsFile: settingsFile)
                return "branch \(report.branch) at \(report.cursor.prefix(12)), \(report.created.count) change set(s) created"
            }, sessions: sessions, publicURL: publicURL, notificationInterval: .seconds(2),
                notificationSettings: notificationSettings, serverKey: serverKey)
    }
}

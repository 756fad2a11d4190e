import Foundation

/// The secret each git host's webhook is configured with; a host without one has its endpoint
/// refuse every delivery.
///
/// Secrets come from the environment or from files named on the command line, never from the
/// repository: whoever can push to the repository must not be able to forge deliveries.
public struct WebhookSecrets: Sendable {
    /// GitHub's webhook secret (HMAC key of `X-Hub-Signature-256`).
    public var github: String?
    /// GitLab's secret token (sent as it is in `X-Gitlab-Token`).
    public var gitlab: String?
    /// Bitbucket's webhook secret (HMAC key of `X-Hub-Signature`).
    public var bitbucket: String?

    /// Creates the set; nil or empty means that host's endpoint is off.
    public init(github: String? = nil, gitlab: String? = nil, bitbucket: String? = nil) {
        self.github = github.flatMap(Self.nonEmpty)
        self.gitlab = gitlab.flatMap(Self.nonEmpty)
        self.bitbucket = bitbucket.flatMap(Self.nonEmpty)
    }

    /// Whether any host may deliver; polling is the fallback when none may.
    public var isAnyConfigured: Bool {
        github != nil || gitlab != nil || bitbucket != nil
    }

    /// The environment variables read by ``load(environment:githubFile:gitlabFile:bitbucketFile:)``.
    public static let githubVariable = "TOLLGATE_GITHUB_WEBHOOK_SECRET"
    /// GitLab's variable.
    public static let gitlabVariable = "TOLLGATE_GITLAB_WEBHOOK_TOKEN"
    /// Bitbucket's variable.
    public static let bitbucketVariable = "TOLLGATE_BITBUCKET_WEBHOOK_SECRET"

    /// Each host's secret from its file when one is named, else from its environment variable.
    /// A file's trailing newline is not part of the secret.
    ///
    /// - Throws: ``WebhookSecretError`` naming a file that cannot be read or holds nothing.
    public static func load(
        environment: [String: String], githubFile: String?, gitlabFile: String?, bitbucketFile: String?
    ) throws -> WebhookSecrets {
        WebhookSecrets(
            github: try githubFile.map(read) ?? environment[githubVariable],
            gitlab: try gitlabFile.map(read) ?? environment[gitlabVariable],
            bitbucket: try bitbucketFile.map(read) ?? environment[bitbucketVariable])
    }

    private static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw WebhookSecretError.unreadable(path: path)
        }
        let secret = text.trimmingCharacters(in: .newlines)
        guard !secret.isEmpty else { throw WebhookSecretError.empty(path: path) }
        return secret
    }

    private static func nonEmpty(_ text: String) -> String? {
        text.isEmpty ? nil : text
    }
}

/// A secret file that cannot be used.
public enum WebhookSecretError: Error, Sendable, CustomStringConvertible {
    /// The file does not exist, cannot be read or is not UTF-8.
    case unreadable(path: String)
    /// The file holds no secret.
    case empty(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path): "\(path): the webhook secret file does not exist or cannot be read as text."
        case .empty(let path): "\(path): the webhook secret file is empty; write the secret the git host was given into it."
        }
    }
}

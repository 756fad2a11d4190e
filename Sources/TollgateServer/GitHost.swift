import Foundation
import HTTPTypes
import Hummingbird

/// The git hosts whose push webhooks Tollgate takes, with each one's headers and payload shape.
enum GitHost: String, CaseIterable, Sendable {
    case github, gitlab, bitbucket

    var displayName: String {
        switch self {
        case .github: "GitHub"
        case .gitlab: "GitLab"
        case .bitbucket: "Bitbucket"
        }
    }

    func secret(in secrets: WebhookSecrets) -> String? {
        switch self {
        case .github: secrets.github
        case .gitlab: secrets.gitlab
        case .bitbucket: secrets.bitbucket
        }
    }

    var variable: String {
        switch self {
        case .github: WebhookSecrets.githubVariable
        case .gitlab: WebhookSecrets.gitlabVariable
        case .bitbucket: WebhookSecrets.bitbucketVariable
        }
    }

    var fileOption: String {
        switch self {
        case .github: "--github-webhook-secret-file"
        case .gitlab: "--gitlab-webhook-token-file"
        case .bitbucket: "--bitbucket-webhook-secret-file"
        }
    }

    var signatureHeader: HTTPField.Name {
        switch self {
        case .github: HTTPField.Name("X-Hub-Signature-256")!
        case .gitlab: HTTPField.Name("X-Gitlab-Token")!
        case .bitbucket: HTTPField.Name("X-Hub-Signature")!
        }
    }

    var eventHeader: HTTPField.Name {
        switch self {
        case .github: HTTPField.Name("X-GitHub-Event")!
        case .gitlab: HTTPField.Name("X-Gitlab-Event")!
        case .bitbucket: HTTPField.Name("X-Event-Key")!
        }
    }

    var deliveryHeader: HTTPField.Name {
        switch self {
        case .github: HTTPField.Name("X-GitHub-Delivery")!
        case .gitlab: HTTPField.Name("X-Gitlab-Event-UUID")!
        case .bitbucket: HTTPField.Name("X-Request-UUID")!
        }
    }

    /// The event header's value for a push.
    var pushEvent: String {
        switch self {
        case .github: "push"
        case .gitlab: "Push Hook"
        case .bitbucket: "repo:push"
        }
    }

    func verify(request: Request, body: [UInt8], secret: String) -> Bool {
        let header = request.headers[signatureHeader]
        switch self {
        case .github, .bitbucket: return WebhookSignature.isValidHubSignature(header, body: body, secret: secret)
        case .gitlab: return WebhookSignature.isValidGitLabToken(header, token: secret)
        }
    }

    /// The branches a push payload moved to a new commit (a deleted branch is none).
    func pushedBranches(_ body: [UInt8]) throws -> [String] {
        let decoder = JSONDecoder()
        switch self {
        case .github:
            let push = try decoder.decode(RefPush.self, from: Data(body))
            return push.deleted == true ? [] : Self.branch(ofRef: push.ref).map { [$0] } ?? []
        case .gitlab:
            let push = try decoder.decode(RefPush.self, from: Data(body))
            return Self.branch(ofRef: push.ref).map { [$0] } ?? []
        case .bitbucket:
            let push = try decoder.decode(BitbucketPush.self, from: Data(body))
            return push.push.changes.compactMap { change in
                guard let new = change.new, new.type == "branch" else { return nil }
                return new.name
            }
        }
    }

    /// `main` for `refs/heads/main`; nil for a tag or another kind of ref.
    private static func branch(ofRef ref: String) -> String? {
        ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : nil
    }

    /// GitHub's push event and GitLab's Push Hook both name the pushed ref in `ref`.
    private struct RefPush: Decodable {
        var ref: String
        /// GitHub: true when the push deleted the ref.
        var deleted: Bool?
    }

    /// Bitbucket Cloud's `repo:push`: one change per ref, `new` null when the ref was deleted.
    private struct BitbucketPush: Decodable {
        struct Push: Decodable {
            var changes: [Change]
        }

        struct Change: Decodable {
            var new: Ref?
        }

        struct Ref: Decodable {
            var type: String
            var name: String
        }

        var push: Push
    }
}

public import Foundation
public import TollgateCore

/// `POST /api/change-sets/{id}/approvals`: a verdict and its signature as `ssh-keygen -Y sign` wrote it.
public struct VerdictRequest: Codable, Sendable {
    /// `approve` or `reject`.
    public var verdict: ApprovalVerdict
    /// The armored signature of the approval text.
    public var signature: String
    /// Why, in the reviewer's words.
    public var reason: String?

    /// A request from its parts.
    public init(verdict: ApprovalVerdict, signature: String, reason: String? = nil) {
        self.verdict = verdict
        self.signature = signature
        self.reason = reason
    }

    private enum CodingKeys: String, CodingKey {
        case verdict, signature, reason
    }

    /// Reads every field before judging the verdict's word, so a missing field is reported first
    /// (as the server always did) and a word outside the set is a ``WireValueError`` naming the field.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let word = try container.decode(String.self, forKey: .verdict)
        signature = try container.decode(String.self, forKey: .signature)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        verdict = try WireValueError.word(ApprovalVerdict.self, word, field: CodingKeys.verdict.stringValue)
    }
}

/// A request field holding a word outside its closed set, such as `"verdict": "maybe"`.
public struct WireValueError: Error, Sendable, CustomStringConvertible {
    /// The field's key.
    public var field: String
    /// The word sent.
    public var value: String
    /// The words the field takes.
    public var allowed: [String]

    /// The value of `Word` spelled `text`, or the error naming `field`.
    public static func word<Word: RawRepresentable & CaseIterable>(_ type: Word.Type, _ text: String, field: String) throws -> Word
    where Word.RawValue == String {
        guard let word = Word(rawValue: text) else {
            throw WireValueError(field: field, value: text, allowed: Word.allCases.map(\.rawValue))
        }
        return word
    }

    public var description: String {
        "The field \(field) is '\(value.prefix(40))'; write \(allowed.joined(separator: " or "))."
    }
}

/// `POST /api/change-sets/{id}/cancel`: why, and the operator's signature when the policy asks for one.
public struct CancelChangeSetRequest: Codable, Sendable {
    /// Why the change set is withdrawn.
    public var reason: String
    /// The armored signature of the cancel text, when `operators-must-sign: true`.
    public var signature: String?

    /// A request from its parts.
    public init(reason: String, signature: String? = nil) {
        self.reason = reason
        self.signature = signature
    }
}

/// The answer of `POST /api/change-sets/{id}/apply`: the execution started and where to follow it.
public struct ApplyStarted: Codable, Sendable {
    /// The change set being applied.
    public var changeSet: String
    /// Its stack.
    public var stack: String
    /// The execution's id.
    public var execution: String
    /// The change set's status once its apply started: `APPLYING`.
    public var status: ChangeSetStatus
    /// When the execution started.
    public var startedAt: Date
    /// The path of the execution, which shows its result once it ends.
    public var location: String

    /// The answer from its parts.
    public init(changeSet: String, stack: String, execution: String, status: ChangeSetStatus, startedAt: Date, location: String) {
        self.changeSet = changeSet
        self.stack = stack
        self.execution = execution
        self.status = status
        self.startedAt = startedAt
        self.location = location
    }
}

/// The answer of `GET /api/whoami`: the reviewer a token acts as, and the token's id.
public struct IdentityJSON: Codable, Sendable {
    /// The reviewer.
    public var reviewer: String
    /// The token's id (never the token).
    public var token: String
    /// When the token expires, if ever.
    public var expiresAt: Date?

    /// The answer from its parts.
    public init(reviewer: String, token: String, expiresAt: Date?) {
        self.reviewer = reviewer
        self.token = token
        self.expiresAt = expiresAt
    }
}

/// Every error the server answers: `{"error": {"code": ..., "message": ..., "status": ...}}`.
public struct APIErrorJSON: Codable, Sendable {
    /// What went wrong.
    public struct Detail: Codable, Sendable {
        /// A short machine-readable code, such as `invalid_signature`.
        public var code: String
        /// One sentence for a person.
        public var message: String
        /// The HTTP status code.
        public var status: Int
    }

    /// The error.
    public var error: Detail

    /// The body for an error.
    public init(code: String, message: String, status: Int) {
        error = Detail(code: code, message: message, status: status)
    }
}

/// What a webhook did with a delivery.
public enum WebhookDisposition: String, Codable, Sendable {
    /// A push to the followed branch: a sync was asked for.
    case accepted
    /// Not a push, or a push to another branch.
    case ignored
    /// A redelivery of one handled before.
    case duplicate
}

/// The answer to a webhook delivery that was not refused.
public struct WebhookAnswerJSON: Codable, Sendable {
    /// What was done with it.
    public var status: WebhookDisposition
    /// Why, in words.
    public var reason: String
    /// The host's id of the delivery, once it was read.
    public var delivery: String?

    /// The answer from its parts.
    public init(status: WebhookDisposition, reason: String, delivery: String?) {
        self.status = status
        self.reason = reason
        self.delivery = delivery
    }
}

/// What `GET /healthz` and `/readyz` say when the server is up and ready.
public enum HealthStatus: String, Codable, Sendable {
    /// The process answers (`/healthz`).
    case ok
    /// The store and the repository can be read (`/readyz`).
    case ready
}

/// The answer of `GET /healthz` and `/readyz`.
public struct HealthJSON: Codable, Sendable {
    /// How the server stands.
    public var status: HealthStatus

    /// The answer saying `status`.
    public init(_ status: HealthStatus) {
        self.status = status
    }
}

import Foundation

/// `Policies/notifications.yaml`: the webhook URLs told when a change set changes status.
///
/// Who is told, and where, is policy like everything else in `Policies/`: read from the revision
/// in force, so that a change under review cannot send its own notifications elsewhere.
///
/// ```yaml
/// notifications:
///   - url: https://hooks.slack.com/services/T000/B000/XXXX
///     events: [pending, approved, rejected, applied, failed, cancelled]
///     stacks: ["payments-*"]
/// ```
public struct NotificationPolicy: Sendable, Hashable {
    /// Where the file lives in a repository.
    public static let path = "Policies/notifications.yaml"

    /// The receivers in the order written.
    public let receivers: [NotificationReceiver]

    /// A policy that tells nobody, as when the file is absent.
    public static let none = NotificationPolicy(receivers: [])

    /// Creates a policy from receivers already read.
    public init(receivers: [NotificationReceiver]) {
        self.receivers = receivers
    }

    /// The receivers to tell about `event` on `stack`, each URL once.
    public func receivers(for event: NotificationEvent, stack: String) -> [NotificationReceiver] {
        var seen: Set<String> = []
        return receivers.filter { receiver in
            receiver.events.contains(event) && receiver.stackPatterns.contains { Glob($0).matches(stack) } && seen.insert(receiver.url).inserted
        }
    }

    /// Parses the file's text.
    ///
    /// - Throws: ``PolicyError`` naming file, line and field: unknown keys, a URL that is not http
    ///   or https with a host or holds a character outside printable ASCII (a look-alike letter, a
    ///   control character), an unknown event, a malformed stack pattern.
    public static func parse(_ text: String, file: String = path) throws(PolicyError) -> NotificationPolicy {
        let root = try PolicyYAMLNode.root(of: text, file: file)
        let fields = try root.mapping(allowed: ["notifications"], required: ["notifications"])
        guard let list = fields["notifications"] else { throw root.error("must have notifications") }
        var receivers: [NotificationReceiver] = []
        for item in try list.sequence() {
            receivers.append(try receiver(item))
        }
        return NotificationPolicy(receivers: receivers)
    }

    private static func receiver(_ item: PolicyYAMLNode) throws(PolicyError) -> NotificationReceiver {
        let fields = try item.mapping(allowed: ["url", "events", "stacks"], required: ["url"])
        guard let urlNode = fields["url"] else { throw item.error("must have url") }
        let url = try self.url(urlNode)
        var events = Set(NotificationEvent.allCases)
        if let eventsNode = fields["events"] {
            events = []
            for node in try eventsNode.scalarOrSequence() {
                let name = try node.nonEmptyString()
                guard let event = NotificationEvent(rawValue: name) else {
                    throw node.error("'\(name)' is not an event; write one of \(NotificationEvent.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                events.insert(event)
            }
            guard !events.isEmpty else { throw eventsNode.error("must list at least one event") }
        }
        var patterns = ["*"]
        if let stacksNode = fields["stacks"] {
            patterns = []
            for node in try stacksNode.scalarOrSequence() {
                let pattern = try node.nonEmptyString()
                guard pattern.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.*?/".contains($0)) }) else {
                    throw node.error("'\(pattern)' is not a stack name pattern; use letters, digits, '-', '_', '.', '/', '*' and '?'")
                }
                patterns.append(pattern)
            }
            guard !patterns.isEmpty else { throw stacksNode.error("must list at least one stack name pattern") }
        }
        return NotificationReceiver(url: url, events: events, stackPatterns: patterns)
    }

    /// An http(s) URL with a host, in printable ASCII only: a Cyrillic `а` in a host name looks
    /// like `a` to a reviewer and sends the notification (and what it says) somewhere else.
    private static func url(_ node: PolicyYAMLNode) throws(PolicyError) -> String {
        let text = try node.nonEmptyString()
        if let bad = text.unicodeScalars.first(where: { !($0.isASCII && $0.value > 0x20 && $0.value < 0x7F) }) {
            let hex = String(bad.value, radix: 16, uppercase: true)
            let shown = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            throw node.error("holds \(shown), which is not printable ASCII; write the URL in plain ASCII (a host in punycode, xn--...)")
        }
        guard let components = URLParts(text), ["http", "https"].contains(components.scheme), !components.host.isEmpty else {
            throw node.error("'\(NotificationReceiver.redacted(text))' is not an http or https URL with a host")
        }
        return text
    }
}

/// One entry of notifications.yaml.
public struct NotificationReceiver: Sendable, Hashable {
    /// The webhook URL posted to; it often holds a secret (Slack's does), so messages show
    /// ``redactedURL`` instead.
    public let url: String
    /// The events this receiver is told about.
    public let events: Set<NotificationEvent>
    /// Stack name patterns (`*` and `?` wildcards); `Policies/` names policy change sets.
    public let stackPatterns: [String]

    /// Creates an entry.
    public init(url: String, events: Set<NotificationEvent>, stackPatterns: [String]) {
        self.url = url
        self.events = events
        self.stackPatterns = stackPatterns
    }

    /// The URL's scheme and host only, for logs and listings.
    public var redactedURL: String {
        Self.redacted(url)
    }

    /// `scheme://host/…` of `url`, or `…` when it has no host.
    public static func redacted(_ url: String) -> String {
        guard let parts = URLParts(url), !parts.host.isEmpty else { return "…" }
        return "\(parts.scheme)://\(parts.host)/…"
    }
}

/// What a change set did that receivers may be told about.
public enum NotificationEvent: String, Sendable, Hashable, CaseIterable, Codable {
    /// It was created and waits for review.
    case pending
    /// Its approvals satisfied the policy.
    case approved
    /// A reviewer rejected it.
    case rejected
    /// Its apply finished and the stack has its target state.
    case applied
    /// Its apply failed, or it could not be planned.
    case failed
    /// An operator cancelled it, or stopped its apply.
    case cancelled

    /// The event a change set entering `status` makes; nil for statuses nobody is told about
    /// (APPLYING, SUPERSEDED).
    public init?(status: ChangeSetStatus) {
        switch status {
        case .pending: self = .pending
        case .approved: self = .approved
        case .rejected: self = .rejected
        case .applied: self = .applied
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        case .applying, .superseded: return nil
        }
    }
}

/// The scheme and host of a URL, read without Foundation (Core does no I/O and keeps its
/// dependencies small): `scheme://[userinfo@]host[:port][/path]`.
struct URLParts {
    let scheme: String
    let host: String

    init?(_ text: String) {
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        let rest = text[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let host: Substring
        if hostAndPort.hasPrefix("[") {
            guard let close = hostAndPort.firstIndex(of: "]") else { return nil }
            host = hostAndPort[...close]
        } else {
            host = hostAndPort.prefix { $0 != ":" }
        }
        self.scheme = scheme
        self.host = String(host).lowercased()
    }
}

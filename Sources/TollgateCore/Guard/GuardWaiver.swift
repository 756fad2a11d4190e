public import Foundation
import Yams

/// One entry of `Policies/guards/waivers.yaml`: a rule's failure on one resource of one stack
/// that the owners accepted until a date.
///
/// A waived failure blocks nothing but is still reported, with the waiver, wherever the failure
/// shows (change set, `explain`, the audit entry of the approval).
public struct GuardWaiver: Sendable, Hashable, Codable {
    /// The file's path in the repository.
    public static let path = "Policies/guards/waivers.yaml"

    /// The stack, by name.
    public var stack: String
    /// The resource's logical id.
    public var resource: String
    /// The rule's name (or `allowed-types`, `denied-types`).
    public var rule: String
    /// Why the failure is accepted.
    public var reason: String
    /// Who asked for it.
    public var requestedBy: String
    /// The first moment at which the waiver no longer applies: the start (UTC) of the day after
    /// the date written, or the exact time when one is written.
    public var expires: Date
    /// The line the entry starts on in the file.
    public var line: Int?

    enum CodingKeys: String, CodingKey {
        case stack, resource, rule, reason, requestedBy, expires, line
    }

    /// Whether the waiver still applies at `now`.
    public func isInForce(at now: Date) -> Bool {
        now < expires
    }

    /// Whether the waiver covers a failure of `rule` on `resource` in `stack`.
    func covers(stack: String, resource: String?, rule: String) -> Bool {
        self.stack == stack && self.resource == resource && self.rule == rule
    }

    /// Parses the file's text: `waivers:` with a list of entries, each with `stack`, `resource`,
    /// `rule`, `reason`, `requested-by` and `expires` (`2026-12-31` or an ISO 8601 time).
    ///
    /// - Throws: ``PolicyError`` naming the file, line, column and field of the first mistake.
    public static func parse(_ text: String, file: String = path) throws(PolicyError) -> [GuardWaiver] {
        let root = try PolicyYAMLNode.root(of: text, file: file)
        let fields = try root.mapping(allowed: ["waivers"], required: ["waivers"])
        guard let list = fields["waivers"] else { return [] }
        var waivers: [GuardWaiver] = []
        for item in try list.sequence() {
            let entry = try item.mapping(
                allowed: ["stack", "resource", "rule", "reason", "requested-by", "expires"],
                required: ["stack", "resource", "rule", "reason", "requested-by", "expires"])
            func text(_ key: String) throws(PolicyError) -> String {
                guard let node = entry[key] else { throw item.error("needs \(key)") }
                return try node.nonEmptyString()
            }
            guard let expiresNode = entry["expires"] else { throw item.error("needs expires") }
            let written = try expiresNode.nonEmptyString()
            guard let expires = expiry(written) else {
                throw expiresNode.error("'\(written)' is not a date (YYYY-MM-DD) or an ISO 8601 time with a zone")
            }
            waivers.append(GuardWaiver(
                stack: try text("stack"), resource: try text("resource"), rule: try text("rule"), reason: try text("reason"),
                requestedBy: try text("requested-by"), expires: expires, line: item.node.mark?.line))
        }
        return waivers
    }

    /// The moment a waiver written with `text` expires: a date lasts to the end of that day, UTC.
    static func expiry(_ text: String) -> Date? {
        if let time = try? Date(text, strategy: .iso8601) {
            return time
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components) else { return nil }
        return calendar.date(byAdding: .day, value: 1, to: start)
    }
}

/// One commit in `tollgate history`, in the JSON shape that `--json` prints one per line.
public struct HistoryEntry: Sendable, Equatable, Codable {
    /// A person and the moment they signed, as a git commit records them.
    public struct Person: Sendable, Equatable, Codable {
        public let name: String
        public let email: String
        /// ISO 8601 with the signer's own UTC offset, e.g. `2026-11-24T09:30:00+01:00`.
        public let time: String

        /// A person from the raw parts git records: seconds since the epoch and an offset in minutes.
        public init(name: String, email: String, seconds: Int64, offsetMinutes: Int) {
            self.name = name
            self.email = email
            self.time = GitTime.iso8601(seconds: seconds, offsetMinutes: offsetMinutes)
        }
    }

    /// The commit id, 40 hexadecimal digits.
    public let commit: String
    /// The first parent's id, or `nil` for the first commit.
    public let parent: String?
    public let author: Person
    public let committer: Person
    /// The first line of the message.
    public let summary: String
    /// The stacks the commit changed.
    public let stacks: [StackChange]
    /// Whether it changed anything under `Policies/`.
    public let policies: Bool
    /// Whether it changed `tollgate.yaml`.
    public let settings: Bool

    /// An entry from its parts.
    public init(commit: String, parent: String?, author: Person, committer: Person, summary: String,
                stacks: [StackChange], policies: Bool, settings: Bool) {
        self.commit = commit
        self.parent = parent
        self.author = author
        self.committer = committer
        self.summary = summary
        self.stacks = stacks
        self.policies = policies
        self.settings = settings
    }

    private enum CodingKeys: String, CodingKey {
        case commit, parent, author, committer, summary, stacks, policies, settings
    }

    /// Writes `parent` as `null` for the first commit rather than leaving it out, so every line has
    /// the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(commit, forKey: .commit)
        try container.encode(parent, forKey: .parent)
        try container.encode(author, forKey: .author)
        try container.encode(committer, forKey: .committer)
        try container.encode(summary, forKey: .summary)
        try container.encode(stacks, forKey: .stacks)
        try container.encode(policies, forKey: .policies)
        try container.encode(settings, forKey: .settings)
    }
}

/// Git's way of telling time: seconds since the epoch plus the writer's offset from UTC.
public enum GitTime {
    /// `seconds` in ISO 8601 at the writer's offset, e.g. `2026-11-24T09:30:00+01:00`.
    ///
    /// Formatted by hand: the offset is the writer's, not a named time zone, and history formats one
    /// per commit, where a date formatter costs far more than this arithmetic.
    public static func iso8601(seconds: Int64, offsetMinutes: Int) -> String {
        let local = seconds + Int64(offsetMinutes) * 60
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = Int(local - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let offset = abs(offsetMinutes)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))\(sign)\(pad(offset / 60, 2)):\(pad(offset % 60, 2))"
    }

    /// The proleptic Gregorian date of a day count (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

public import Foundation

/// A day of the week, as written in approvals.yaml.
public enum Weekday: String, Sendable, Hashable, CaseIterable, Codable {
    /// The days, as written in approvals.yaml.
    case mon, tue, wed, thu, fri, sat, sun

    /// The day for Foundation's `weekday` component, where 1 is Sunday.
    init?(calendarWeekday: Int) {
        let order: [Weekday] = [.sun, .mon, .tue, .wed, .thu, .fri, .sat]
        guard (1...7).contains(calendarWeekday) else {
            return nil
        }
        self = order[calendarWeekday - 1]
    }

    /// The day before, for windows that run past midnight.
    var previous: Weekday {
        let all = Weekday.allCases
        let index = all.firstIndex(of: self) ?? 0
        return all[(index + all.count - 1) % all.count]
    }
}

/// Hours on given days, in a time zone, during which change sets may be applied.
///
/// A window whose end is not after its start runs past midnight: `fri 22:00-02:00` is open from
/// Friday 22:00 to Saturday 02:00, because maintenance windows are often at night.
public struct ChangeWindow: Sendable, Hashable, CustomStringConvertible {
    /// The days on which the window opens.
    public let days: Set<Weekday>
    /// Opening time, minutes after local midnight.
    public let startMinute: Int
    /// Closing time, minutes after local midnight (1440 for 24:00), exclusive.
    public let endMinute: Int
    /// The zone the hours are read in, so a window does not move with daylight saving.
    public let timeZone: TimeZone

    /// Creates a window; an `endMinute` not after `startMinute` runs past midnight.
    public init(days: Set<Weekday>, startMinute: Int, endMinute: Int, timeZone: TimeZone) {
        self.days = days
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.timeZone = timeZone
    }

    /// Whether `date` falls inside the window.
    public func contains(_ date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        guard let weekday = parts.weekday.flatMap(Weekday.init(calendarWeekday:)),
              let hour = parts.hour, let minute = parts.minute
        else {
            return false
        }
        let now = hour * 60 + minute
        if startMinute < endMinute {
            return days.contains(weekday) && now >= startMinute && now < endMinute
        }
        return (days.contains(weekday) && now >= startMinute) || (days.contains(weekday.previous) && now < endMinute)
    }

    /// `mon,tue 09:00-17:00 Europe/Paris`.
    public var description: String {
        let dayList = Weekday.allCases.filter(days.contains).map(\.rawValue).joined(separator: ",")
        return "\(dayList) \(Self.clock(startMinute))-\(Self.clock(endMinute)) \(timeZone.identifier)"
    }

    static func clock(_ minutes: Int) -> String {
        let hours = minutes / 60
        let rest = minutes % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }
}

/// A calendar day in a given zone, as written in freezes (`2026-12-24`).
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year, such as 2026.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int
    /// The day of the month, 1 to 31.
    public let day: Int

    /// Creates a day from its parts without checking that it exists.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, refusing dates that do not exist (such as 2026-02-30).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month
        else {
            return nil
        }
        self.init(year: year, month: month, day: day)
    }

    /// The local day of `date` in `timeZone`.
    init?(of date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day else {
            return nil
        }
        self.init(year: year, month: month, day: day)
    }

    /// Orders days by the calendar.
    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The day as `YYYY-MM-DD`.
    public var description: String {
        let month = (self.month < 10 ? "0" : "") + "\(self.month)"
        let day = (self.day < 10 ? "0" : "") + "\(self.day)"
        return "\(year)-\(month)-\(day)"
    }
}

/// Days, both ends included, on which nothing is applied, whatever the windows say.
public struct Freeze: Sendable, Hashable, CustomStringConvertible {
    /// First frozen day.
    public let first: CalendarDay
    /// Last frozen day, included.
    public let last: CalendarDay
    /// The zone in which the days begin and end.
    public let timeZone: TimeZone
    /// Why, shown by `explain` so people know whom to ask.
    public let reason: String

    /// Creates a freeze from `first` to `last`, both included.
    public init(first: CalendarDay, last: CalendarDay, timeZone: TimeZone, reason: String) {
        self.first = first
        self.last = last
        self.timeZone = timeZone
        self.reason = reason
    }

    /// Whether `date` falls on a frozen day.
    public func contains(_ date: Date) -> Bool {
        guard let today = CalendarDay(of: date, in: timeZone) else {
            return true
        }
        return first <= today && today <= last
    }

    /// `2026-12-18..2027-01-03 Europe/Paris (year-end trading)`.
    public var description: String {
        let base = "\(first)..\(last) \(timeZone.identifier)"
        return reason.isEmpty ? base : "\(base) (\(reason))"
    }
}

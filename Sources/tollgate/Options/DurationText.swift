import ArgumentParser

/// A length of time written as a number and a unit, as `--expires 90d` and `--poll 60s` take it.
struct DurationText: ExpressibleByArgument, Sendable {
    /// The length in seconds.
    let seconds: Int
    /// As the user wrote it.
    let text: String

    init?(argument: String) {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = argument.last, let scale = units[unit], let count = Int(argument.dropLast()), count >= 0,
              count <= Int.max / scale
        else { return nil }
        seconds = count * scale
        text = argument
    }

    /// `days` days, written as `Nd`.
    init(days: Int) {
        seconds = days * 86_400
        text = "\(days)d"
    }

    var defaultValueDescription: String { text }
}

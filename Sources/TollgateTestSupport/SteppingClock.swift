public import Foundation
import Synchronization
public import TollgateCore

/// A clock for tests that starts at a fixed time and moves one step forward each time it is read,
/// so that stored times are predictable and strictly ordered.
public final class SteppingClock: WallClock {
    private let current: Mutex<Date>
    /// How far the clock moves on each reading.
    public let step: TimeInterval

    /// Creates a clock whose first reading is `start`.
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600), step: TimeInterval = 1) {
        current = Mutex(start)
        self.step = step
    }

    /// Moves the clock `seconds` forward at once, as time passing while nothing reads it.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }

    public func now() -> Date {
        current.withLock { date in
            defer { date += step }
            return date
        }
    }
}

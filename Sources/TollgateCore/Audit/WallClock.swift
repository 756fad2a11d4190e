public import Foundation

/// Tells the current time; a seam so that tests can pin the times written to the audit trail.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The computer's real-time clock.
public struct SystemWallClock: WallClock {
    /// Creates the clock.
    public init() {}

    public func now() -> Date {
        Date()
    }
}

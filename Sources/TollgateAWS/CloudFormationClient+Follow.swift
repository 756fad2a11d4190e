/// How a stack operation ended, as ``CloudFormationClient/followStackOperation(stackName:after:pollInterval:maximumPolls:sleep:onEvent:)`` saw it.
public struct StackOperationResult: Sendable, Equatable {
    /// The stack at the end; `nil` when CloudFormation no longer knows it (deleted, by name).
    public var stack: StackDescription?
    /// Every event seen, oldest first.
    public var events: [StackEvent]
    /// The reason of the first resource that failed, which explains a rollback; CloudFormation's
    /// later "Resource creation cancelled" events are not it.
    public var firstFailureReason: String?
    /// False when the stack was still in progress after the last poll.
    public var isFinished: Bool

    /// Creates a result.
    public init(stack: StackDescription?, events: [StackEvent], firstFailureReason: String?, isFinished: Bool) {
        self.stack = stack
        self.events = events
        self.firstFailureReason = firstFailureReason
        self.isFinished = isFinished
    }

    /// Whether the operation succeeded: finished in `*_COMPLETE` without a rollback, or deleted.
    public var succeeded: Bool {
        guard isFinished else { return false }
        guard let stack else { return true }
        return stack.status.isSuccess
    }
}

extension CloudFormationClient {
    /// Follows the stack until it leaves its `*_IN_PROGRESS` status, passing each new event to
    /// `onEvent` as it is seen, oldest first.
    ///
    /// Follow a deletion by the stack's id (ARN) rather than its name: once deleted, a stack is
    /// found only by id.
    ///
    /// - Parameters:
    ///   - after: the last event already seen (recorded with an execution, for a resume); `nil`
    ///     to see every event.
    ///   - sleep: waits between polls; tests pass one that returns at once.
    /// - Throws: ``AWSError`` from the calls, or ``AWSError/cancelled(action:)`` when `sleep` throws.
    public func followStackOperation(
        stackName: String, after eventID: String?, pollInterval: Duration = .seconds(5), maximumPolls: Int = 2_160,
        sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        onEvent: (StackEvent) async -> Void = { _ in }
    ) async throws(AWSError) -> StackOperationResult {
        var seen: [StackEvent] = []
        var lastEventID = eventID
        for poll in 1...max(1, maximumPolls) {
            // Both at once, which halves the round trips of a look. Events read alongside the
            // status may predate its last change; the stack's own event in its final status is the
            // last an operation writes, so without it the events are read once more.
            async let described = Self.result { () async throws(AWSError) in try await describeStack(name: stackName) }
            async let events = Self.result { () async throws(AWSError) in try await stackEvents(stackName: stackName, after: lastEventID) }
            let stack = try await described.get()
            var fresh = try await events.get()
            let finished = !(stack?.status.isInProgress ?? false)
            if finished, !fresh.contains(where: { event in stack.map(event.ends) ?? false }) {
                fresh += try await stackEvents(stackName: stackName, after: fresh.last?.id ?? lastEventID)
            }
            for event in fresh {
                seen.append(event)
                await onEvent(event)
            }
            lastEventID = fresh.last?.id ?? lastEventID
            if finished || poll == maximumPolls {
                let failure = seen.first { $0.status.hasSuffix("_FAILED") && !($0.reason ?? "").isEmpty }?.reason
                return StackOperationResult(stack: stack, events: seen, firstFailureReason: failure, isFinished: finished)
            }
            do {
                try await sleep(pollInterval)
            } catch {
                throw .cancelled(action: "DescribeStackEvents")
            }
        }
        return StackOperationResult(stack: nil, events: seen, firstFailureReason: nil, isFinished: false)
    }

    /// A call's outcome as a value: `async let` would forget that the call throws only ``AWSError``.
    private static func result<T>(_ call: () async throws(AWSError) -> T) async -> Result<T, AWSError> {
        do {
            return .success(try await call())
        } catch {
            return .failure(error)
        }
    }
}

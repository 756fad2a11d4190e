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

    /// A result whose first failure reason is read from `events`: the first `*_FAILED` event
    /// that gives one.
    public init(stack: StackDescription?, events: [StackEvent], isFinished: Bool) {
        let failure = events.first { $0.status.hasSuffix("_FAILED") && !($0.reason ?? "").isEmpty }?.reason
        self.init(stack: stack, events: events, firstFailureReason: failure, isFinished: isFinished)
    }

    /// Whether the operation succeeded: finished in `*_COMPLETE` without a rollback, or deleted.
    public var succeeded: Bool {
        guard isFinished else { return false }
        guard let stack else { return true }
        return stack.status.isSuccess
    }
}

extension CloudFormationClient {
    /// Follows the stack's operation to its end, passing each new event to `onEvent` as it is
    /// seen, oldest first. Call it once the operation has been started (ExecuteChangeSet,
    /// DeleteStack); a stack whose operation ended long ago has no new event to end the following.
    ///
    /// A look reads only the stack's events: the stack's own event in a status where no operation
    /// runs is the last an operation writes, and it ends the following. So an operation that is
    /// over by the first look costs one call, as a waiter's DescribeStacks does. Every twelfth look
    /// reads the stack's status too, so that an event CloudFormation never shows cannot keep the
    /// following going.
    ///
    /// Follow a deletion by the stack's id (ARN) rather than its name: once deleted, a stack is
    /// found only by id.
    ///
    /// - Parameters:
    ///   - after: the last event already seen (recorded with an execution, for a resume); `nil`
    ///     to see every event.
    ///   - describingAtEnd: whether the stack is described (DescribeStacks) once its operation
    ///     ends, for what only that reports: outputs, parameters, tags. Without it the result's
    ///     stack is what its final event says.
    ///   - sleep: waits between polls; tests pass one that returns at once.
    /// - Throws: ``AWSError`` from the calls, or ``AWSError/cancelled(action:)`` when `sleep` throws.
    public func followStackOperation(
        stackName: String, after eventID: String?, describingAtEnd: Bool = true, pollInterval: Duration = .seconds(5),
        maximumPolls: Int = 2_160, sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        onEvent: (StackEvent) async -> Void = { _ in }
    ) async throws(AWSError) -> StackOperationResult {
        let name = StackDescription.name(fromNameOrID: stackName)
        var seen: [StackEvent] = []
        var lastEventID = eventID
        for poll in 1...max(1, maximumPolls) {
            var fresh = try await stackEvents(stackName: stackName, after: lastEventID)
            // Set once the operation has ended: the stack as it ended, nil if deleted and asked by name.
            var end: StackDescription?? = fresh.last { $0.endsOperation(ofStackNamed: name) }.map { event in
                StackDescription(id: event.physicalID ?? stackName, name: name, status: StackStatus(rawValue: event.status), statusReason: event.reason)
            }
            if end == nil, poll.isMultiple(of: 12) {
                let stack = try await describeStack(name: stackName)
                if !(stack?.status.isInProgress ?? false) {
                    // Its final event was written after the events were read, or never will be.
                    fresh += try await stackEvents(stackName: stackName, after: fresh.last?.id ?? lastEventID)
                    end = .some(stack)
                }
            } else if end != nil, describingAtEnd {
                end = .some(try await describeStack(name: stackName))
            }
            for event in fresh {
                seen.append(event)
                await onEvent(event)
            }
            lastEventID = fresh.last?.id ?? lastEventID
            if let end {
                return StackOperationResult(stack: end, events: seen, isFinished: true)
            }
            if poll == maximumPolls { break }
            do {
                try await sleep(pollInterval)
            } catch {
                throw .cancelled(action: "DescribeStackEvents")
            }
        }
        return StackOperationResult(stack: nil, events: seen, isFinished: false)
    }
}

/// Lets one task at a time use a connection that cannot run two transactions at once.
///
/// SQLite serialises writers between processes by itself, but one connection shared by two tasks
/// of the same process would interleave their statements inside one transaction. Waiters are
/// resumed in arrival order; nothing blocks a thread while it waits.
actor TransactionGate {
    private var isHeld = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// The gates the current task holds, so that a store call made inside a transaction of the same
    /// store fails at once instead of waiting for itself forever.
    @TaskLocal private static var held: Set<ObjectIdentifier> = []

    /// Runs `body` once every task that arrived earlier has finished its own.
    ///
    /// - Throws: ``StoreError/nestedCall(location:)`` when the current task already holds the gate.
    nonisolated func withGate<T: Sendable>(location: String, _ body: () async throws -> T) async throws -> T {
        let identity = ObjectIdentifier(self)
        guard !Self.held.contains(identity) else { throw StoreError.nestedCall(location: location) }
        await acquire()
        do {
            let value = try await Self.$held.withValue(Self.held.union([identity])) { try await body() }
            await release()
            return value
        } catch {
            await release()
            throw error
        }
    }

    private func acquire() async {
        if isHeld {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            isHeld = true
        }
    }

    private func release() {
        if waiters.isEmpty {
            isHeld = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

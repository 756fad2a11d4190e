/// Lets one task at a time use a connection that cannot run two transactions at once.
///
/// SQLite serialises writers between processes by itself, but one connection shared by two tasks
/// of the same process would interleave their statements inside one transaction. Waiters are
/// resumed in arrival order; nothing blocks a thread while it waits.
actor TransactionGate {
    private var isHeld = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` once every task that arrived earlier has finished its own.
    nonisolated func withGate<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        do {
            let value = try await body()
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

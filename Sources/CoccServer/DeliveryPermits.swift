import Synchronization

/// A counting semaphore for async tasks: at most `count` holders at once, waiters served in
/// arrival order. Bounds the event POSTs in flight across all teams, so a thousand teams do
/// not open a thousand connections at once, while each team still has its own queue.
final class DeliveryPermits: Sendable {
    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        /// Ids whose task was cancelled before they queued (the cancel handler ran first).
        var cancelled: Set<Int> = []
        var nextID = 0
    }

    private let state: Mutex<State>

    init(_ count: Int) {
        state = Mutex(State(available: max(1, count)))
    }

    /// Runs `body` holding one permit; throws `CancellationError` if cancelled while waiting.
    func withPermit<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// Permits free right now (for tests and metrics).
    var available: Int { state.withLock { $0.available } }

    func acquire() async throws {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { s -> Bool? in
                    if s.cancelled.remove(id) != nil { return false }
                    if s.available > 0 {
                        s.available -= 1
                        return true
                    }
                    s.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiting = state.withLock { s -> CheckedContinuation<Bool, Never>? in
                if let i = s.waiters.firstIndex(where: { $0.id == id }) { return s.waiters.remove(at: i).continuation }
                s.cancelled.insert(id)
                return nil
            }
            waiting?.resume(returning: false)
        }
        // A cancel that came after the grant left its id behind; it must not leak.
        state.withLock { _ = $0.cancelled.remove(id) }
        if !granted { throw CancellationError() }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            if !s.waiters.isEmpty { return s.waiters.removeFirst().continuation }
            s.available += 1
            return nil
        }
        next?.resume(returning: true)
    }
}

import CoccStorage
import Synchronization

/// A version number that goes up whenever a team's live state (agents' sessions, live calls)
/// changes, and a way to wait for the next change, for views that show that state live (the
/// wallboard, the agent desk's status bar) without asking every agent's status in a loop.
///
/// ```swift
/// var seen = signal.version
/// while true {
///     seen = await signal.wait(after: seen, timeout: .seconds(15))
///     // re-read the state
/// }
/// ```
/// A change is only a hint: a reader re-reads the whole view after waking, so coalesced or
/// missed wake-ups cost nothing but a later read.
public final class ChangeSignal: Sendable {
    private struct State {
        var version: UInt64 = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var version: UInt64 { state.withLock { $0.version } }

    /// Called by the engine after each change; wakes every waiter.
    public func changed() {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.version &+= 1
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns the version once it is past `version`, or after `timeout`, or when the task is
    /// cancelled; the answer is the version then.
    public func wait(after version: UInt64, timeout: Duration) async -> UInt64 {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = self.state.withLock { s -> Bool in
                            if s.version != version || Task.isCancelled { return true }
                            s.waiters[id] = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return self.version
    }
}

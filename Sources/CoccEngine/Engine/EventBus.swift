import Synchronization

/// Wakes whoever waits for a team's next event (long-polls, streams) the moment one is appended.
///
/// Waiters never read events from here: they are told "something newer than your cursor exists"
/// and read the durable log, so a wake-up lost to a race costs at most one timeout, never data.
public final class EventBus: Sendable {
    private struct State {
        var latest: [Int64: Int64] = [:]
        var waiters: [Int64: [(id: Int, continuation: CheckedContinuation<Void, Never>)]] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Called after an event is appended.
    func published(team: Int64, eventid: Int64) {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.latest[team] = max(s.latest[team] ?? 0, eventid)
            let list = s.waiters.removeValue(forKey: team) ?? []
            return list.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns when the team has an event after `eventid` (at once if it already has), or when
    /// `timeout` has passed, or when the task is cancelled.
    public func wait(team: Int64, after eventid: Int64, timeout: Duration) async {
        if state.withLock({ ($0.latest[team] ?? 0) > eventid }) { return }
        await withTaskGroup(of: Void.self) { group in
            let id = state.withLock { s -> Int in s.nextID += 1; return s.nextID }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { s -> Bool in
                        if (s.latest[team] ?? 0) > eventid { return true }
                        s.waiters[team, default: []].append((id, continuation))
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            // Whichever finished first, release the other.
            let pending = state.withLock { s -> CheckedContinuation<Void, Never>? in
                guard let index = s.waiters[team]?.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters[team]?.remove(at: index).continuation
            }
            pending?.resume()
            group.cancelAll()
        }
    }
}

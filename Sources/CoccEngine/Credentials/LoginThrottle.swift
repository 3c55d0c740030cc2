public import Foundation
import Synchronization

/// Slows down password guessing: after `limit` failures within `window` seconds for one
/// (team, user), further attempts are refused without checking until `lockout` has passed.
public final class LoginThrottle: Sendable {
    struct State {
        var failures: [Date] = []
        var lockedUntil: Date?
    }

    private let states = Mutex<[String: State]>([:])
    let limit: Int
    let window: TimeInterval
    let lockout: TimeInterval

    public init(limit: Int = 5, window: TimeInterval = 60, lockout: TimeInterval = 30) {
        self.limit = limit
        self.window = window
        self.lockout = lockout
    }

    static func key(team: String, user: String) -> String { "\(team)\u{0}\(user)" }

    /// Whether (team, user) is locked out now.
    func isLocked(_ key: String, now: Date) -> Bool {
        states.withLock { states in
            guard let until = states[key]?.lockedUntil else { return false }
            if until > now { return true }
            states[key] = nil
            return false
        }
    }

    /// Records a failure; returns true when it starts a lockout.
    func recordFailure(_ key: String, now: Date) -> Bool {
        states.withLock { states in
            var state = states[key] ?? State()
            state.failures = state.failures.filter { now.timeIntervalSince($0) < window } + [now]
            var locked = false
            if state.failures.count >= limit {
                state.lockedUntil = now + lockout
                state.failures = []
                locked = true
            }
            states[key] = state
            // Keep the table bounded under a spray of random user names.
            if states.count > 100_000 { states = states.filter { $0.value.lockedUntil.map { $0 > now } ?? false } }
            return locked
        }
    }

    func recordSuccess(_ key: String) {
        states.withLock { states in states[key] = nil }
    }
}

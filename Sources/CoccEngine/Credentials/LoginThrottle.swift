import CoccStorage
public import Foundation
import Synchronization

/// Slows password guessing without letting anyone aim a lockout at a user.
///
/// Failures are counted per (team, user type, user, client address). After `freeFailures` of
/// them, each further failure refuses that key without checking for a growing interval (1 s,
/// 2 s, 4 s, … up to `maxDelay`), so one address guesses about once a minute at best; a correct
/// password from another address is not affected. Across addresses, more than `userCeiling`
/// failures within `userWindow` stop a spray from many addresses: then only addresses the user
/// logged in from successfully (within `trustedLifetime`) are still checked.
///
/// ```swift
/// let key = LoginThrottle.Key(team: "demo", usertype: "agent", user: "8001", address: "192.0.2.7")
/// if case .refused = throttle.check(key, now: now) { return wrongPassword }   // not even checked
/// ok ? throttle.recordSuccess(key, now: now) : throttle.recordFailure(key, now: now)
/// ```
public final class LoginThrottle: Sendable {
    /// The limits; the defaults suit a call center of people typing passwords.
    public struct Settings: Sendable, Equatable {
        /// Failures per address key that cost nothing.
        public var freeFailures = 3
        /// The first refusal interval after the free failures; it doubles with each failure.
        public var firstDelay: TimeInterval = 1
        public var maxDelay: TimeInterval = 60
        /// A key's failures are forgotten after this long without another one.
        public var forgetAfter: TimeInterval = 15 * 60
        /// Failures per (team, user type, user) across all addresses within `userWindow`.
        public var userCeiling = 100
        public var userWindow: TimeInterval = 10 * 60
        /// How long a successful login from an address exempts it from the ceiling.
        public var trustedLifetime: TimeInterval = 24 * 3600
        /// Addresses remembered as trusted per user.
        public var trustedPerUser = 16
        /// Bounds each table under a spray of random names and addresses.
        public var maxEntries = 100_000

        public init() {}
    }

    /// Who is trying, and from where; `address` is "" where the interface has none.
    public struct Key: Hashable, Sendable {
        public var team: String
        public var usertype: String
        public var user: String
        public var address: String

        public init(team: String, usertype: String, user: String, address: String) {
            self.team = team
            self.usertype = usertype.lowercased()
            self.user = user
            self.address = address
        }

        var userKey: UserKey { UserKey(team: team, usertype: usertype, user: user) }
    }

    struct UserKey: Hashable {
        var team: String
        var usertype: String
        var user: String
    }

    /// What the throttle says about an attempt.
    public enum Decision: Sendable, Equatable {
        case allowed
        /// This address's key is refused until then.
        case delayed(until: Date)
        /// Too many failures for this user from everywhere; this address is not a trusted one.
        case ceiling
    }

    struct AddressState {
        var failures = 0
        var last: Date
        var blockedUntil: Date?
    }

    struct UserState {
        /// Recent failure times, oldest first, at most `userCeiling` of them.
        var failures: [Date] = []
        var trusted: [String: Date] = [:]
    }

    struct Tables {
        var addresses: [Key: AddressState] = [:]
        var users: [UserKey: UserState] = [:]
    }

    public let settings: Settings
    private let tables = Mutex(Tables())

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Whether an attempt may be checked now.
    public func check(_ key: Key, now: Date) -> Decision {
        tables.withLock { t in
            if let until = t.addresses[key]?.blockedUntil, until > now { return .delayed(until: until) }
            guard var user = t.users[key.userKey] else { return .allowed }
            user.failures.removeAll { now.timeIntervalSince($0) >= settings.userWindow }
            t.users[key.userKey] = user
            guard user.failures.count >= settings.userCeiling else { return .allowed }
            if let since = user.trusted[key.address], now.timeIntervalSince(since) < settings.trustedLifetime { return .allowed }
            return .ceiling
        }
    }

    /// Records a checked attempt that failed; returns the decision it leaves for the next one.
    @discardableResult
    public func recordFailure(_ key: Key, now: Date) -> Decision {
        tables.withLock { t in
            var state = t.addresses[key] ?? AddressState(last: now)
            if now.timeIntervalSince(state.last) >= settings.forgetAfter { state = AddressState(last: now) }
            state.failures += 1
            state.last = now
            let over = state.failures - settings.freeFailures
            if over > 0 {
                // 2^(over-1) seconds, computed so that a long attack cannot overflow it.
                let delay = min(settings.maxDelay, settings.firstDelay * pow(2, Double(min(over - 1, 30))))
                state.blockedUntil = now + delay
            }
            t.addresses[key] = state
            var user = t.users[key.userKey] ?? UserState()
            user.failures.removeAll { now.timeIntervalSince($0) >= settings.userWindow }
            user.failures.append(now)
            if user.failures.count > settings.userCeiling { user.failures.removeFirst(user.failures.count - settings.userCeiling) }
            t.users[key.userKey] = user
            prune(&t, now: now)
            if let until = state.blockedUntil, until > now { return .delayed(until: until) }
            return user.failures.count >= settings.userCeiling ? .ceiling : .allowed
        }
    }

    /// A correct password: this address's failures are forgotten and it becomes trusted.
    public func recordSuccess(_ key: Key, now: Date) {
        tables.withLock { t in
            // The common case, a cache hit from a known address, writes nothing.
            if t.addresses[key] == nil, let since = t.users[key.userKey]?.trusted[key.address], now.timeIntervalSince(since) < 3600 {
                return
            }
            t.addresses[key] = nil
            var user = t.users[key.userKey] ?? UserState()
            user.trusted[key.address] = now
            if user.trusted.count > settings.trustedPerUser, let oldest = user.trusted.min(by: { $0.value < $1.value }) {
                user.trusted[oldest.key] = nil
            }
            t.users[key.userKey] = user
            prune(&t, now: now)
        }
    }

    /// Failures counted for one address key (for tests and logs).
    public func failures(_ key: Key) -> Int {
        tables.withLock { $0.addresses[key]?.failures ?? 0 }
    }

    /// Drops what no longer matters once a table is full; if an attack keeps it full, the
    /// least recently used entries go first (never the ones still refusing).
    private func prune(_ t: inout Tables, now: Date) {
        if t.addresses.count > settings.maxEntries {
            t.addresses = t.addresses.filter {
                ($0.value.blockedUntil ?? .distantPast) > now || now.timeIntervalSince($0.value.last) < settings.forgetAfter
            }
            if t.addresses.count > settings.maxEntries {
                let keep = t.addresses.sorted { $0.value.last > $1.value.last }.prefix(settings.maxEntries * 3 / 4)
                t.addresses = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
        }
        if t.users.count > settings.maxEntries {
            t.users = t.users.filter { entry in
                entry.value.failures.last.map { now.timeIntervalSince($0) < settings.userWindow } ?? false
                    || entry.value.trusted.values.contains { now.timeIntervalSince($0) < settings.trustedLifetime }
            }
            if t.users.count > settings.maxEntries {
                let recent: (UserState) -> Date = { max($0.failures.last ?? .distantPast, $0.trusted.values.max() ?? .distantPast) }
                let keep = t.users.sorted { recent($0.value) > recent($1.value) }.prefix(settings.maxEntries * 3 / 4)
                t.users = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
        }
    }
}

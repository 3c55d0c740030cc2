import CoccStorage
public import CoccSwitch
import Foundation
import Synchronization

/// Allocates leg `uniqueid`s and remembers which team owns each live leg, so that a switch
/// notification reaches the right ``TeamEngine``.
///
/// Ids come from a ``LegIDSource``: in production ``PersistedLegIDs`` (small, increasing, unique
/// across restarts); a test counts from a first id of its own.
/// ```swift
/// let registry = LegRegistry(ids: try PersistedLegIDs(store: store))
/// let tests = LegRegistry(firstID: 19866)
/// ```
public final class LegRegistry: Sendable {
    private let ids: any LegIDSource
    private let owners = Mutex<[Int64: Int64]>([:])

    public init(ids: any LegIDSource) {
        self.ids = ids
    }

    /// Counts from `firstID` (the clock in milliseconds when nil: unique across runs without a store).
    public convenience init(firstID: Int64? = nil) {
        self.init(ids: CountingLegIDs(first: firstID ?? Int64(Date().timeIntervalSince1970 * 1000)))
    }

    /// A fresh id, owned by `team` until released; nil when the source has none (the caller
    /// fails the operation as when the switch refuses a leg).
    func allocate(team: Int64) -> Int64? {
        guard let id = ids.nextLegID() else { return nil }
        owners.withLock { $0[id] = team }
        return id
    }

    /// Records that a leg the switch created (an incoming call) belongs to `team`.
    func claim(_ id: Int64, team: Int64) {
        owners.withLock { $0[id] = team }
    }

    func release(_ id: Int64) {
        _ = owners.withLock { $0.removeValue(forKey: id) }
    }

    func owner(of id: Int64) -> Int64? {
        owners.withLock { $0[id] }
    }
}

/// Ids counted up in memory from a first one.
public final class CountingLegIDs: LegIDSource {
    private let next: Mutex<Int64>

    public init(first: Int64) {
        next = Mutex(first)
    }

    public func nextLegID() -> Int64? {
        next.withLock { n in
            defer { n += 1 }
            return n
        }
    }
}

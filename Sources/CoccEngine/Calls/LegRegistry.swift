import Foundation
import Synchronization

/// Allocates leg `uniqueid`s and remembers which team owns each live leg, so that a switch
/// notification reaches the right ``TeamEngine``.
///
/// Ids start from the clock in milliseconds (unique across restarts without storage) unless a
/// first id is given, as tests do.
public final class LegRegistry: Sendable {
    private struct State {
        var next: Int64
        var owners: [Int64: Int64] = [:]
    }

    private let state: Mutex<State>

    public init(firstID: Int64? = nil) {
        state = Mutex(State(next: firstID ?? Int64(Date().timeIntervalSince1970 * 1000)))
    }

    /// A fresh id, owned by `team` until released.
    func allocate(team: Int64) -> Int64 {
        state.withLock { s in
            let id = s.next
            s.next += 1
            s.owners[id] = team
            return id
        }
    }

    /// Records that a leg the switch created (an incoming call) belongs to `team`.
    func claim(_ id: Int64, team: Int64) {
        state.withLock { $0.owners[id] = team }
    }

    func release(_ id: Int64) {
        _ = state.withLock { $0.owners.removeValue(forKey: id) }
    }

    func owner(of id: Int64) -> Int64? {
        state.withLock { $0.owners[id] }
    }
}

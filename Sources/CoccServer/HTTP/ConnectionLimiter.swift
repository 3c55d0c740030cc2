import Synchronization

/// Counts the server's open client connections, in total and per client address, and says
/// whether a new one may stay: idle keep-alive connections are cheap for a client to open and
/// otherwise pile up to the descriptor limit, locking every other client out.
///
/// One limiter serves all event loops (a `Mutex`: each call is a few dictionary operations).
public final class ConnectionLimiter: Sendable {
    /// Why a connection was refused, for the log.
    public enum Admission: Sendable, Equatable {
        case admitted
        case tooManyConnections
        case tooManyFromAddress
    }

    private struct State {
        var total = 0
        var perAddress: [String: Int] = [:]
    }

    public let maxConnections: Int
    public let maxPerAddress: Int
    /// Above this many open connections the server is "under pressure" and idle connections get
    /// a short keep-alive (75% of `maxConnections`).
    public let pressureThreshold: Int
    private let state = Mutex(State())

    public init(maxConnections: Int, maxPerAddress: Int) {
        self.maxConnections = max(1, maxConnections)
        self.maxPerAddress = max(1, maxPerAddress)
        pressureThreshold = self.maxConnections * 3 / 4
    }

    /// Counts the connection in if both caps allow it; an admitted connection must be released.
    public func admit(_ address: String) -> Admission {
        state.withLock { s in
            if s.total >= maxConnections { return .tooManyConnections }
            let fromAddress = s.perAddress[address, default: 0]
            if fromAddress >= maxPerAddress { return .tooManyFromAddress }
            s.total += 1
            s.perAddress[address] = fromAddress + 1
            return .admitted
        }
    }

    public func release(_ address: String) {
        state.withLock { s in
            s.total -= 1
            let left = s.perAddress[address, default: 1] - 1
            s.perAddress[address] = left > 0 ? left : nil
        }
    }

    public var underPressure: Bool { state.withLock { $0.total > pressureThreshold } }
    public var openConnections: Int { state.withLock { $0.total } }
    public func openConnections(from address: String) -> Int { state.withLock { $0.perAddress[address, default: 0] } }
}

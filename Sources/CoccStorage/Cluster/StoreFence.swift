/// The lease a write is made under: the store applies a write of team state only while the
/// team's lease still has this node and epoch, in the same transaction as the write (so a new
/// owner's takeover waits for a write in flight, and no old write lands after it).
///
/// The fence travels as a task-local value rather than as a parameter of every store method:
/// it is a property of who writes (a team's journal, set once per engine), not of what is
/// written, and a store that has no leases (SQLite, one node) simply ignores it.
///
/// ```swift
/// try await StoreFence.$current.withValue(lease.fence) { try await store.saveSession(session) }
/// ```
public struct StoreFence: Sendable, Hashable, CustomStringConvertible {
    public var teamID: Int64
    public var nodeID: String
    public var epoch: Int64

    public init(teamID: Int64, nodeID: String, epoch: Int64) {
        self.teamID = teamID
        self.nodeID = nodeID
        self.epoch = epoch
    }

    /// The fence of the writes the current task makes; nil: unfenced (one node, tools).
    @TaskLocal public static var current: StoreFence?

    public var description: String { "team \(teamID) lease epoch \(epoch) of node \(nodeID)" }
}

/// A fenced write refused: the team's lease has moved on (another node, or a later epoch).
public struct StoreFenceError: Error, CustomStringConvertible, Equatable {
    public var fence: StoreFence
    public init(fence: StoreFence) { self.fence = fence }
    public var description: String { "the lease of team \(fence.teamID) moved past epoch \(fence.epoch) of node \(fence.nodeID)" }
}

/// A hint that a team's event log grew in another process (PostgreSQL's `NOTIFY`), or that
/// notifications may have been missed (`eventid` nil: listening restarted).
public struct EventAppendSignal: Sendable, Equatable {
    public var teamID: Int64?
    public var eventid: Int64?
    public init(teamID: Int64?, eventid: Int64?) {
        self.teamID = teamID
        self.eventid = eventid
    }
    /// Listening (re)started: anything may have been appended meanwhile.
    public static let resync = EventAppendSignal(teamID: nil, eventid: nil)
}

public import Foundation

/// One pause of an agent, as kept in the pause history.
public struct PauseRecord: Sendable, Equatable {
    public var id: Int64
    public var agentID: Int64
    public var reason: String
    public var startedAt: Date
    public var endedAt: Date?

    public init(id: Int64, agentID: Int64, reason: String, startedAt: Date, endedAt: Date?) {
        self.id = id
        self.agentID = agentID
        self.reason = reason
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// What the engine needs from persistence. `CoccStore` implements it on SQLite.
public protocol EngineStore: Sendable {
    /// A number that changes whenever the directory changes, from any process.
    func directoryRevision() throws -> Int64
    func loadDirectory() throws -> Directory
    func loadSessions(teamID: Int64) throws -> [AgentSession]
    func saveSession(_ session: AgentSession) throws
    /// Opens a pause-history row and returns its id.
    func startPause(teamID: Int64, agentID: Int64, reason: String, at: Date) throws -> Int64
    func endPause(id: Int64, at: Date) throws
    /// The agent's pauses that started at or after `since`, or were still open then.
    func pauses(agentID: Int64, overlapping since: Date) throws -> [PauseRecord]
    /// Appends an event to the team's log in one transaction: `render` gets the new event id.
    /// `agentIDs` are the agents whose channel carries it (the agents on the call); with
    /// `teamChannel` false only they see it (an agent's own view of an event), not the team channel.
    func appendEvent(teamID: Int64, at: Date, agentIDs: [Int64], teamChannel: Bool, render: (Int64) -> String) throws -> StoredEvent
    /// The team's events after `eventid`, oldest first: the team channel, or one agent's when
    /// `agentID` is given.
    func events(teamID: Int64, after eventid: Int64, limit: Int, agentID: Int64?) throws -> [StoredEvent]
    /// The id of the team's last event at or before `date` (0 when there is none).
    func lastEventID(teamID: Int64, atOrBefore date: Date) throws -> Int64
    /// The id of the team's oldest event still in the log (0 when there is none). Events before
    /// it were removed by the retention window.
    func firstEventID(teamID: Int64) throws -> Int64
    func saveCallRecord(_ record: CallRecord) throws
    func callRecord(sessionid: String) throws -> CallRecord?
    /// The team's call records that started in `from ..< to`, newest first, at most `limit`;
    /// only the agent's when `agentNumber` is given.
    func callRecords(teamID: Int64, from: Date, to: Date, agentNumber: String?, limit: Int) throws -> [CallRecord]
    /// How many of the team's calls that started in `from ..< to` ended how, per group.
    func callCounts(teamID: Int64, from: Date, to: Date) throws -> [CallCount]
    /// Reserves `count` consecutive leg uniqueids no one has had and answers the first.
    func reserveLegIDs(count: Int64) throws -> Int64
    /// Live calls, kept so that a crash loses none (``LiveCallRecord``).
    func saveLiveCall(_ record: LiveCallRecord) throws
    func deleteLiveCall(sessionid: String) throws
    func liveCalls(teamID: Int64) throws -> [LiveCallRecord]
    /// The teams with live calls in the store.
    func liveCallTeamIDs() throws -> [Int64]
}

extension EngineStore {
    /// An event on the team channel and the given agents' channels.
    public func appendEvent(teamID: Int64, at: Date, agentIDs: [Int64], render: (Int64) -> String) throws -> StoredEvent {
        try appendEvent(teamID: teamID, at: at, agentIDs: agentIDs, teamChannel: true, render: render)
    }
}

public import Foundation

/// Agent sessions (who is logged in, where, in what state) and the pause history.
///
/// ```swift
/// let id = try store.startPause(teamID: 1, agentID: 7, reason: "rest", at: now)
/// try store.endPause(id: id, at: later)
/// ```
public protocol SessionStore: Sendable {
    func loadSessions(teamID: Int64) throws -> [AgentSession]
    func saveSession(_ session: AgentSession) throws
    /// Opens a pause-history row and returns its id.
    func startPause(teamID: Int64, agentID: Int64, reason: String, at: Date) throws -> Int64
    func endPause(id: Int64, at: Date) throws
    /// The agent's pauses that started at or after `since`, or were still open then.
    func pauses(agentID: Int64, overlapping since: Date) throws -> [PauseRecord]
}

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

public import Foundation

/// Agent sessions (who is logged in, where, in what state) and the pause history.
///
/// ```swift
/// try await store.startPause(teamID: 1, agentID: 7, reason: "rest", at: now)
/// try await store.endPause(agentID: 7, at: later)
/// ```
/// Pauses are keyed by agent, not by a row id the store hands back: the engine queues its
/// writes (``StoreJournal`` in CoccEngine) and never waits for a row id inside a state change.
public protocol SessionStore: Sendable {
    func loadSessions(teamID: Int64) async throws -> [AgentSession]
    func saveSession(_ session: AgentSession) async throws
    /// Opens a pause-history row for the agent.
    func startPause(teamID: Int64, agentID: Int64, reason: String, at: Date) async throws
    /// Closes the agent's open pause-history rows (none open: nothing changes).
    func endPause(agentID: Int64, at: Date) async throws
    /// The agent's pauses that started at or after `since`, or were still open then.
    func pauses(agentID: Int64, overlapping since: Date) async throws -> [PauseRecord]
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

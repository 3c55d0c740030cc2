public import Foundation

/// Each team's durable event log: ids increase by one per team, and a reader that remembers an
/// id can always ask for what came after it (long-poll, SSE resync, webhook cursor). Ids come
/// from a sequence kept per team (never `MAX()+1`), bumped in the append's own transaction, so
/// two writers never hand out one id twice and a pruned log never reuses an id.
///
/// ```swift
/// let event = try await store.appendEvent(teamID: 1, at: now, agentIDs: [7]) { id in message.render(eventid: id) }
/// let next = try await store.events(teamID: 1, after: cursor, limit: 100, agentID: 7)
/// ```
public protocol EventLogStore: Sendable {
    /// Appends an event to the team's log in one transaction: `render` gets the new event id.
    /// `agentIDs` are the agents whose channel carries it (the agents on the call); with
    /// `teamChannel` false only they see it (an agent's own view of an event), not the team channel.
    func appendEvent(teamID: Int64, at: Date, agentIDs: [Int64], teamChannel: Bool, render: @Sendable (Int64) -> String) async throws
        -> StoredEvent
    /// The team's events after `eventid`, oldest first: the team channel, or one agent's when
    /// `agentID` is given.
    func events(teamID: Int64, after eventid: Int64, limit: Int, agentID: Int64?) async throws -> [StoredEvent]
    /// The id of the team's last event at or before `date` (0 when there is none).
    func lastEventID(teamID: Int64, atOrBefore date: Date) async throws -> Int64
    /// The id of the team's oldest event still in the log (0 when there is none). Events before
    /// it were removed by the retention window.
    func firstEventID(teamID: Int64) async throws -> Int64
    /// Removes events appended before `cutoff`, except each team's newest event and, for teams
    /// in `heldFrom`, every event after the given cursor (a backend that has not accepted them
    /// yet must still receive them). Deletes in batches of `batch`; returns how many went.
    @discardableResult
    func pruneEvents(before cutoff: Date, heldFrom: [Int64: Int64], batch: Int) async throws -> Int
}

extension EventLogStore {
    /// An event on the team channel and the given agents' channels.
    public func appendEvent(teamID: Int64, at: Date, agentIDs: [Int64], render: @Sendable (Int64) -> String) async throws -> StoredEvent {
        try await appendEvent(teamID: teamID, at: at, agentIDs: agentIDs, teamChannel: true, render: render)
    }

    /// The team channel's events after `eventid`.
    public func events(teamID: Int64, after eventid: Int64, limit: Int) async throws -> [StoredEvent] {
        try await events(teamID: teamID, after: eventid, limit: limit, agentID: nil)
    }

    @discardableResult
    public func pruneEvents(before cutoff: Date, heldFrom: [Int64: Int64] = [:]) async throws -> Int {
        try await pruneEvents(before: cutoff, heldFrom: heldFrom, batch: 5_000)
    }
}

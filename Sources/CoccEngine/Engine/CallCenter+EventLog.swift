public import CoccStorage
import Foundation

extension CallCenter {
    /// The team's events after `eventid`, oldest first (one agent's channel when `agent` is
    /// given): from memory when the live edge reaches back that far, else from the store.
    public func events(team: Int64, after eventid: Int64, agent: Int64?, limit: Int) async throws -> [StoredEvent] {
        if let recent = eventBus.recent(team: team, after: eventid, agent: agent, limit: limit) { return recent }
        return try await store.events(teamID: team, after: eventid, limit: limit, agentID: agent)
    }

    /// The id of the team's newest event (0 when there is none).
    public func latestEventID(team: Int64) async throws -> Int64 {
        if let latest = eventBus.latest(team: team) { return latest }
        return try await store.lastEventID(teamID: team, atOrBefore: .distantFuture)
    }
}

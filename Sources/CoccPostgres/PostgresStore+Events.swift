public import CoccStorage
public import Foundation
import PostgresNIO

extension PostgresStore {
    /// One transaction: the team's `event_sequence` row is bumped (and so locked until the
    /// commit: a second writer for the team waits there, then gets the next id), the event is
    /// rendered with its id and stored, and `coccd_events` is notified with the team id. Ids are
    /// consecutive per team: an append that fails rolls its id back with it.
    public func appendEvent(teamID: Int64, at: Date, agentIDs: [Int64], teamChannel: Bool, render: @Sendable (Int64) -> String) async throws
        -> StoredEvent
    {
        let agents = agentIDs.isEmpty ? "" : "," + agentIDs.map(String.init).joined(separator: ",") + ","
        return try await transaction("appendEvent") { connection in
            guard let id = try await connection.all(NextEventID(teamID: teamID), logger).first else {
                throw PostgresStoreError(endpoint: endpoint, operation: "appendEvent", message: "event_sequence returned no id")
            }
            let event = StoredEvent(teamID: teamID, eventid: id, at: at, message: render(id))
            try await connection.perform(
                InsertEvent(
                    teamID: teamID, eventid: id, at: at, message: event.message, agents: agents, teamChannel: teamChannel,
                    channel: "\(teamID):\(id)"), logger)
            return event
        }
    }

    public func events(teamID: Int64, after eventid: Int64, limit: Int, agentID: Int64?) async throws -> [StoredEvent] {
        try await read("events") { connection in
            let rows =
                if let agentID {
                    try await connection.all(AgentEvents(teamID: teamID, after: eventid, agent: ",\(agentID),", limit: limit), logger)
                } else {
                    try await connection.all(TeamEvents(teamID: teamID, after: eventid, limit: limit), logger)
                }
            return rows.map { StoredEvent(teamID: teamID, eventid: $0.0, at: $0.1, message: $0.2) }
        }
    }

    public func lastEventID(teamID: Int64, atOrBefore date: Date) async throws -> Int64 {
        try await read("lastEventID") { connection in
            // The newest event is the common question (every poll asks it): one probe of the
            // primary key from its end; with a time bound, walk back from the newest.
            if date == .distantFuture {
                return try await connection.all(LastEventID(teamID: teamID), logger).first ?? 0
            }
            return try await connection.value(
                Int64.self,
                "SELECT eventid FROM call_events WHERE team_id = \(teamID) AND created_at <= \(date) ORDER BY eventid DESC LIMIT 1", logger)
                ?? 0
        }
    }

    public func firstEventID(teamID: Int64) async throws -> Int64 {
        try await read("firstEventID") { connection in
            try await connection.value(
                Int64.self, "SELECT eventid FROM call_events WHERE team_id = \(teamID) ORDER BY eventid LIMIT 1", logger) ?? 0
        }
    }

    /// As SQLite's: per team, in batches (each its own transaction, so appends wait little),
    /// only the prefix before the first event inside the window, never the newest event nor
    /// what a backend has not accepted yet.
    @discardableResult
    public func pruneEvents(before cutoff: Date, heldFrom: [Int64: Int64], batch: Int) async throws -> Int {
        let teams = try await read("pruneEvents") { connection in
            // Every team that ever appended, removed ones included (as SQLite's).
            try await connection.rows("SELECT team_id FROM event_sequence ORDER BY team_id", logger).map { try $0.decode(Int64.self) }
        }
        var removed = 0
        for team in teams {
            while true {
                let held = heldFrom[team] ?? Int64.max
                let count = try await transaction("pruneEvents") { connection in
                    try await connection.value(
                        Int.self,
                        """
                        WITH newest AS (SELECT COALESCE(MAX(eventid), 0) AS id FROM call_events WHERE team_id = \(team)),
                        first_kept AS (
                            SELECT COALESCE(
                                (SELECT eventid FROM call_events WHERE team_id = \(team) AND created_at >= \(cutoff) ORDER BY eventid LIMIT 1),
                                (SELECT id FROM newest)) AS id),
                        doomed AS (
                            SELECT eventid FROM call_events
                            WHERE team_id = \(team)
                              AND eventid <= LEAST((SELECT id FROM first_kept) - 1, (SELECT id FROM newest) - 1, \(held))
                            ORDER BY eventid LIMIT \(batch)),
                        gone AS (DELETE FROM call_events WHERE team_id = \(team) AND eventid IN (SELECT eventid FROM doomed) RETURNING 1)
                        SELECT COUNT(*) FROM gone
                        """, logger) ?? 0
                }
                removed += count
                if count < batch { break }
            }
        }
        return removed
    }
}

/// The team's next event id: `next_id` is the last id handed out (1 for a team's first event).
struct NextEventID: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO event_sequence (team_id, next_id) VALUES ($1, 1)
        ON CONFLICT (team_id) DO UPDATE SET next_id = event_sequence.next_id + 1 RETURNING next_id
        """
    typealias Row = Int64
    var teamID: Int64
    func makeBindings() throws -> PostgresBindings { .of(teamID) }
    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// The event row and its notification in one round trip. NOTIFY takes no parameters;
/// `pg_notify` does, so the channel's payload is bound like every other value.
struct InsertEvent: PostgresPreparedStatement {
    static let sql = """
        WITH stored AS (
            INSERT INTO call_events (team_id, eventid, created_at, message, agents, team_channel) VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING 1)
        SELECT pg_notify('coccd_events', $7) FROM stored
        """
    typealias Row = Void
    var teamID: Int64
    var eventid: Int64
    var at: Date
    var message: String
    var agents: String
    var teamChannel: Bool
    var channel: String
    func makeBindings() throws -> PostgresBindings { .of(teamID, eventid, at, message, agents, teamChannel, channel) }
    func decodeRow(_ row: PostgresRow) throws {}
}

struct TeamEvents: PostgresPreparedStatement {
    static let sql = """
        SELECT eventid, created_at, message FROM call_events WHERE team_id = $1 AND eventid > $2 AND team_channel ORDER BY eventid LIMIT $3
        """
    typealias Row = (Int64, Date, String)
    var teamID: Int64
    var after: Int64
    var limit: Int
    func makeBindings() throws -> PostgresBindings { .of(teamID, after, limit) }
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// An agent's channel: `agents` holds ",12,15,", so ",12," finds agent 12 and not 112.
struct AgentEvents: PostgresPreparedStatement {
    static let sql = """
        SELECT eventid, created_at, message FROM call_events
        WHERE team_id = $1 AND eventid > $2 AND strpos(agents, $3) > 0 ORDER BY eventid LIMIT $4
        """
    typealias Row = (Int64, Date, String)
    var teamID: Int64
    var after: Int64
    var agent: String
    var limit: Int
    func makeBindings() throws -> PostgresBindings { .of(teamID, after, agent, limit) }
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

struct LastEventID: PostgresPreparedStatement {
    static let sql = "SELECT eventid FROM call_events WHERE team_id = $1 ORDER BY eventid DESC LIMIT 1"
    typealias Row = Int64
    var teamID: Int64
    func makeBindings() throws -> PostgresBindings { .of(teamID) }
    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

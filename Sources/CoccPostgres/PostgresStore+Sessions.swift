public import CoccStorage
public import Foundation
import PostgresNIO

extension PostgresStore {
    public func loadSessions(teamID: Int64) async throws -> [AgentSession] {
        let decoder = JSONDecoder()
        return try await read("loadSessions") { connection in
            try await connection.rows("SELECT data FROM agent_sessions WHERE team_id = \(teamID) ORDER BY agent_id", logger).map { row in
                try decoder.decode(AgentSession.self, from: Data(try row.decode(String.self).utf8))
            }
        }
    }

    /// The session as JSON, as SQLite keeps it (the same encoder), upserted by agent.
    public func saveSession(_ session: AgentSession) async throws {
        let data = String(decoding: try JSONEncoder().encode(session), as: UTF8.self)
        try await read("saveSession") { connection in
            try await connection.perform(SaveSession(agentID: session.agentID, teamID: session.teamID, data: data), logger)
        }
    }

    public func startPause(teamID: Int64, agentID: Int64, reason: String, at: Date) async throws {
        try await read("startPause") { connection in
            try await connection.run(
                "INSERT INTO pause_log (team_id, agent_id, reason, started_at) VALUES (\(teamID), \(agentID), \(reason), \(at))", logger)
        }
    }

    public func endPause(agentID: Int64, at: Date) async throws {
        try await read("endPause") { connection in
            try await connection.run("UPDATE pause_log SET ended_at = \(at) WHERE agent_id = \(agentID) AND ended_at IS NULL", logger)
        }
    }

    public func pauses(agentID: Int64, overlapping since: Date) async throws -> [PauseRecord] {
        try await read("pauses") { connection in
            try await connection.rows(
                """
                SELECT id, agent_id, reason, started_at, ended_at FROM pause_log
                WHERE agent_id = \(agentID) AND (started_at >= \(since) OR ended_at IS NULL OR ended_at > \(since))
                ORDER BY started_at, id
                """, logger
            ).map { row in
                let (id, agent, reason, started, ended) = try row.decode((Int64, Int64, String, Date, Date?).self)
                return PauseRecord(id: id, agentID: agent, reason: reason, startedAt: started, endedAt: ended)
            }
        }
    }
}

/// Every state change of every agent saves its session: prepared once per connection.
struct SaveSession: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO agent_sessions (agent_id, team_id, data) VALUES ($1, $2, $3)
        ON CONFLICT (agent_id) DO UPDATE SET data = excluded.data
        """
    typealias Row = Void

    var agentID: Int64
    var teamID: Int64
    var data: String

    func makeBindings() throws -> PostgresBindings { .of(agentID, teamID, data) }
    func decodeRow(_ row: PostgresRow) throws {}
}

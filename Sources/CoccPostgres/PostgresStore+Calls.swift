public import CoccStorage
public import Foundation
import PostgresNIO

extension PostgresStore {
    /// Replaces a record with the same sessionid, as SQLite's `INSERT OR REPLACE`.
    public func saveCallRecord(_ r: CallRecord) async throws {
        try await read("saveCallRecord") { connection in
            try await connection.run(
                """
                INSERT INTO call_records (sessionid, team_id, direction, agent, customer, did, group_id, started_at, answered_at, ended_at,
                    disposition, recording, userdata, modeltype, model_id)
                VALUES (\(r.sessionid), \(r.teamID), \(r.direction), \(r.agentNumber), \(r.customerNumber), \(r.didNumber), \(r.groupID),
                    \(r.startedAt), \(r.answeredAt), \(r.endedAt), \(r.disposition), \(r.recording), \(r.userdata), \(r.modeltype), \(r.modelID))
                ON CONFLICT (sessionid) DO UPDATE SET team_id = excluded.team_id, direction = excluded.direction, agent = excluded.agent,
                    customer = excluded.customer, did = excluded.did, group_id = excluded.group_id, started_at = excluded.started_at,
                    answered_at = excluded.answered_at, ended_at = excluded.ended_at, disposition = excluded.disposition,
                    recording = excluded.recording, userdata = excluded.userdata, modeltype = excluded.modeltype, model_id = excluded.model_id
                """, logger)
        }
    }

    static let callRecordColumns = """
        sessionid, team_id, direction, agent, customer, did, group_id, started_at, answered_at, ended_at, disposition, recording, userdata,
        modeltype, model_id
        """

    public func callRecord(sessionid: String) async throws -> CallRecord? {
        try await read("callRecord") { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.callRecordColumns) FROM call_records WHERE sessionid = \(sessionid)", logger
            ).first.map(Self.callRecord)
        }
    }

    public func callRecords(teamID: Int64, from: Date, to: Date, agentNumber: String?, limit: Int) async throws -> [CallRecord] {
        try await read("callRecords") { connection in
            // call_records_team (team_id, started_at) serves the range; the agent is filtered on it.
            let query: PostgresQuery =
                if let agentNumber {
                    """
                    SELECT \(unescaped: Self.callRecordColumns) FROM call_records
                    WHERE team_id = \(teamID) AND started_at >= \(from) AND started_at < \(to) AND agent = \(agentNumber)
                    ORDER BY started_at DESC LIMIT \(limit)
                    """
                } else {
                    """
                    SELECT \(unescaped: Self.callRecordColumns) FROM call_records
                    WHERE team_id = \(teamID) AND started_at >= \(from) AND started_at < \(to) ORDER BY started_at DESC LIMIT \(limit)
                    """
                }
            return try await connection.rows(query, logger).map(Self.callRecord)
        }
    }

    public func callCounts(teamID: Int64, from: Date, to: Date) async throws -> [CallCount] {
        try await read("callCounts") { connection in
            try await connection.rows(
                """
                SELECT group_id, direction, disposition, COUNT(*) FROM call_records
                WHERE team_id = \(teamID) AND started_at >= \(from) AND started_at < \(to) GROUP BY group_id, direction, disposition
                """, logger
            ).map { row in
                let (group, direction, disposition, count) = try row.decode((Int64, String, String, Int).self)
                return CallCount(groupID: group, direction: direction, disposition: disposition, count: count)
            }
        }
    }

    static func callRecord(_ row: PostgresRow) throws -> CallRecord {
        let (
            sessionid, team, direction, agent, customer, did, group, started, answered, ended, disposition, recording, userdata, modeltype,
            model
        ) =
            try row.decode(
                (String, Int64, String, String, String, String, Int64, Date, Date?, Date, String, String, String, String, String).self)
        return CallRecord(
            sessionid: sessionid, teamID: team, direction: direction, agentNumber: agent, customerNumber: customer, didNumber: did,
            groupID: group, startedAt: started, answeredAt: answered, endedAt: ended, disposition: disposition, recording: recording,
            userdata: userdata, modeltype: modeltype, modelID: model)
    }

    /// One statement, so the row lock makes two nodes' blocks disjoint.
    public func reserveLegIDs(count: Int64) async throws -> Int64 {
        try await read("reserveLegIDs") { connection in
            guard
                let end = try await connection.value(
                    Int64.self, "UPDATE leg_id_sequence SET next = next + \(count) WHERE id = 1 RETURNING next", logger)
            else {
                throw PostgresStoreError(endpoint: endpoint, operation: "reserveLegIDs", message: "leg_id_sequence has no row")
            }
            return end - count
        }
    }

    public func saveLiveCall(_ record: LiveCallRecord) async throws {
        let data = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        try await read("saveLiveCall") { connection in
            try await connection.perform(SaveLiveCall(sessionid: record.sessionid, teamID: record.teamID, data: data), logger)
        }
    }

    public func deleteLiveCall(sessionid: String) async throws {
        try await read("deleteLiveCall") { connection in try await connection.perform(DeleteLiveCall(sessionid: sessionid), logger) }
    }

    /// In the order the calls were first saved, as SQLite's rowid order.
    public func liveCalls(teamID: Int64) async throws -> [LiveCallRecord] {
        let decoder = JSONDecoder()
        return try await read("liveCalls") { connection in
            try await connection.rows("SELECT data FROM live_calls WHERE team_id = \(teamID) ORDER BY seq", logger).map { row in
                try decoder.decode(LiveCallRecord.self, from: Data(try row.decode(String.self).utf8))
            }
        }
    }

    public func liveCallTeamIDs() async throws -> [Int64] {
        try await read("liveCallTeamIDs") { connection in
            try await connection.rows("SELECT DISTINCT team_id FROM live_calls ORDER BY team_id", logger).map { try $0.decode(Int64.self) }
        }
    }
}

/// Saved on every change of a live call: prepared once per connection.
struct SaveLiveCall: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO live_calls (sessionid, team_id, data) VALUES ($1, $2, $3) ON CONFLICT (sessionid) DO UPDATE SET data = excluded.data
        """
    typealias Row = Void
    var sessionid: String
    var teamID: Int64
    var data: String
    func makeBindings() throws -> PostgresBindings { .of(sessionid, teamID, data) }
    func decodeRow(_ row: PostgresRow) throws {}
}

struct DeleteLiveCall: PostgresPreparedStatement {
    static let sql = "DELETE FROM live_calls WHERE sessionid = $1"
    typealias Row = Void
    var sessionid: String
    func makeBindings() throws -> PostgresBindings { .of(sessionid) }
    func decodeRow(_ row: PostgresRow) throws {}
}

public import CoccEngine
public import CoccStorage
public import Foundation
import GRDB

extension SQLiteStore {
    public func appendEvent(teamID: Int64, at: Date, agentIDs: [Int64], teamChannel: Bool, render: @Sendable (Int64) -> String) async throws
        -> StoredEvent
    {
        let agents = agentIDs.isEmpty ? "" : "," + agentIDs.map(String.init).joined(separator: ",") + ","
        return try await database.write { db in
            let id = try Int64.fetchOne(
                db,
                sql: """
                    INSERT INTO event_sequence (team_id, next_id) VALUES (?, 1)
                    ON CONFLICT(team_id) DO UPDATE SET next_id = next_id + 1 RETURNING next_id
                    """, arguments: [teamID])!
            let event = StoredEvent(teamID: teamID, eventid: id, at: at, message: render(id))
            try db.execute(
                sql: "INSERT INTO call_events (team_id, eventid, created_at, message, agents, team_channel) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [teamID, event.eventid, at.timeIntervalSince1970, event.message, agents, teamChannel ? 1 : 0])
            return event
        }
    }

    public func events(teamID: Int64, after eventid: Int64, limit: Int, agentID: Int64?) async throws -> [StoredEvent] {
        try await database.read { db in
            let rows: [Row]
            if let agentID {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM call_events WHERE team_id = ? AND eventid > ? AND instr(agents, ?) > 0 ORDER BY eventid LIMIT ?
                        """, arguments: [teamID, eventid, ",\(agentID),", limit])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM call_events WHERE team_id = ? AND eventid > ? AND team_channel = 1 ORDER BY eventid LIMIT ?",
                    arguments: [teamID, eventid, limit])
            }
            return rows.map {
                StoredEvent(
                    teamID: $0["team_id"], eventid: $0["eventid"], at: Date(timeIntervalSince1970: $0["created_at"]), message: $0["message"]
                )
            }
        }
    }

    public func lastEventID(teamID: Int64, atOrBefore date: Date) async throws -> Int64 {
        try await database.read { db in
            // The newest event is the common question (every poll asks it): a plain MAX on the
            // primary key is one index probe; with a time bound, walk back from the newest.
            if date == .distantFuture {
                return try Int64.fetchOne(db, sql: "SELECT MAX(eventid) FROM call_events WHERE team_id = ?", arguments: [teamID]) ?? 0
            }
            return try Int64.fetchOne(
                db, sql: "SELECT eventid FROM call_events WHERE team_id = ? AND created_at <= ? ORDER BY eventid DESC LIMIT 1",
                arguments: [teamID, date.timeIntervalSince1970]) ?? 0
        }
    }

    public func saveCallRecord(_ r: CallRecord) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO call_records (sessionid, team_id, direction, agent, customer, did, group_id, started_at,
                        answered_at, ended_at, disposition, recording, userdata, modeltype, model_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    r.sessionid, r.teamID, r.direction, r.agentNumber, r.customerNumber, r.didNumber, r.groupID,
                    r.startedAt.timeIntervalSince1970, r.answeredAt?.timeIntervalSince1970, r.endedAt.timeIntervalSince1970,
                    r.disposition, r.recording, r.userdata, r.modeltype, r.modelID,
                ])
        }
    }

    public func callRecord(sessionid: String) async throws -> CallRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM call_records WHERE sessionid = ?", arguments: [sessionid]).map(Self.callRecord)
        }
    }

    public func callRecords(teamID: Int64, from: Date, to: Date, agentNumber: String?, limit: Int) async throws -> [CallRecord] {
        try await database.read { db in
            // call_records_team (team_id, started_at) serves the range; the agent is filtered on it.
            var sql = "SELECT * FROM call_records WHERE team_id = ? AND started_at >= ? AND started_at < ?"
            var arguments: StatementArguments = [teamID, from.timeIntervalSince1970, to.timeIntervalSince1970]
            if let agentNumber {
                sql += " AND agent = ?"
                arguments += [agentNumber]
            }
            sql += " ORDER BY started_at DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.callRecord)
        }
    }

    public func callCounts(teamID: Int64, from: Date, to: Date) async throws -> [CallCount] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT group_id, direction, disposition, COUNT(*) AS n FROM call_records
                    WHERE team_id = ? AND started_at >= ? AND started_at < ? GROUP BY group_id, direction, disposition
                    """,
                arguments: [teamID, from.timeIntervalSince1970, to.timeIntervalSince1970]
            ).map { CallCount(groupID: $0["group_id"], direction: $0["direction"], disposition: $0["disposition"], count: $0["n"]) }
        }
    }

    static func callRecord(_ row: Row) -> CallRecord {
        CallRecord(
            sessionid: row["sessionid"], teamID: row["team_id"], direction: row["direction"], agentNumber: row["agent"],
            customerNumber: row["customer"], didNumber: row["did"], groupID: row["group_id"],
            startedAt: Date(timeIntervalSince1970: row["started_at"]),
            answeredAt: (row["answered_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
            endedAt: Date(timeIntervalSince1970: row["ended_at"]), disposition: row["disposition"], recording: row["recording"],
            userdata: row["userdata"], modeltype: row["modeltype"], modelID: row["model_id"])
    }

    public func reserveLegIDs(count: Int64) async throws -> Int64 {
        try await database.write { db in
            // Update first: the write lock is taken before the value is read, so two processes
            // on one database file can never get the same block.
            try db.execute(sql: "UPDATE leg_id_sequence SET next = next + ? WHERE id = 1", arguments: [count])
            guard let end = try Int64.fetchOne(db, sql: "SELECT next FROM leg_id_sequence WHERE id = 1") else {
                throw DatabaseError(message: "leg_id_sequence has no row")
            }
            return end - count
        }
    }

    public func saveLiveCall(_ record: LiveCallRecord) async throws {
        let data = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        try await database.write { db in
            try db.execute(
                sql:
                    "INSERT INTO live_calls (sessionid, team_id, data) VALUES (?, ?, ?) ON CONFLICT(sessionid) DO UPDATE SET data = excluded.data",
                arguments: [record.sessionid, record.teamID, data])
        }
    }

    public func deleteLiveCall(sessionid: String) async throws {
        try await database.write { db in try db.execute(sql: "DELETE FROM live_calls WHERE sessionid = ?", arguments: [sessionid]) }
    }

    public func liveCalls(teamID: Int64) async throws -> [LiveCallRecord] {
        try await database.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM live_calls WHERE team_id = ? ORDER BY rowid", arguments: [teamID])
        }.map { try JSONDecoder().decode(LiveCallRecord.self, from: Data($0.utf8)) }
    }

    public func liveCallTeamIDs() async throws -> [Int64] {
        try await database.read { db in try Int64.fetchAll(db, sql: "SELECT DISTINCT team_id FROM live_calls ORDER BY team_id") }
    }
}

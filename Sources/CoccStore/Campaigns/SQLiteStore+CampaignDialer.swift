public import CoccStorage
public import Foundation
import GRDB

extension SQLiteStore {
    /// Takes the campaign's next entry (priority, then dial time, then arrival) whose time has
    /// come, and marks it dialing for `agent` under `marker` (the call's userdata).
    public func claimNextEntry(campaign: Int64, agent: String, now: Date, marker: @Sendable (Int64, Int) -> String) async throws -> (
        PredialEntry, String
    )? {
        try await database.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT * FROM predial WHERE campaign_id = ? AND status = 'pending' AND dial_at <= ?
                        ORDER BY priority DESC, dial_at, id LIMIT 1
                        """, arguments: [campaign, now.timeIntervalSince1970])
            else { return nil }
            var entry = Self.predialEntry(row)
            entry.attempts += 1
            entry.status = PredialEntry.Status.dialing.rawValue
            entry.agent = agent
            let mark = marker(entry.id, entry.attempts)
            try db.execute(
                sql: "UPDATE predial SET status = 'dialing', attempts = ?, agent = ?, sessionid = ?, updated_at = ? WHERE id = ?",
                arguments: [entry.attempts, agent, mark, now.timeIntervalSince1970, entry.id])
            try db.execute(sql: "UPDATE customers SET status = 'dialing', agent = ? WHERE id = ?", arguments: [agent, entry.customerID])
            return (entry, mark)
        }
    }

    /// Puts an entry back as it was before a dial that never started.
    public func releaseEntry(id: Int64, customerStatus: String, retryAt: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE predial SET status = 'pending', attempts = attempts - 1, sessionid = '', dial_at = ? WHERE id = ?",
                arguments: [retryAt.timeIntervalSince1970, id])
            try db.execute(
                sql: "UPDATE customers SET status = ? WHERE id = (SELECT customer_id FROM predial WHERE id = ?)",
                arguments: [customerStatus, id])
        }
    }

    /// Entries being dialled, with the call's marker and when the dial started.
    public func dialingEntries() async throws -> [(entry: PredialEntry, teamID: Int64, marker: String, since: Date)] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM predial WHERE status = 'dialing'").map {
                (Self.predialEntry($0), $0["team_id"], $0["sessionid"], Date(timeIntervalSince1970: $0["updated_at"]))
            }
        }
    }

    /// How the campaign call with this marker ended, once its call record exists.
    public func disposition(team: Int64, marker: String) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(
                db, sql: "SELECT disposition FROM call_records WHERE team_id = ? AND userdata = ? LIMIT 1", arguments: [team, marker])
        }
    }

    /// Records a finished dial on the entry and the customer.
    public func settle(entry: PredialEntry, result: String, status: PredialEntry.Status, customerStatus: String, retryAt: Date?, now: Date)
        async throws
    {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE predial SET status = ?, last_result = ?, sessionid = '', dial_at = ?, updated_at = ? WHERE id = ?",
                arguments: [status.rawValue, result, (retryAt ?? entry.dialAt).timeIntervalSince1970, now.timeIntervalSince1970, entry.id])
            try db.execute(
                sql: "UPDATE customers SET status = ?, updated_at = ? WHERE id = ?",
                arguments: [customerStatus, now.timeIntervalSince1970, entry.customerID])
        }
    }
}

public import CoccStorage
public import Foundation
import PostgresNIO

extension PostgresStore {
    /// Takes the campaign's next entry (priority, then dial time, then arrival) whose time has
    /// come, and marks it dialing for `agent` under `marker` (the call's userdata). Two dialers
    /// (two nodes) never take the same entry: the row is locked, and the other skips it
    /// (`SKIP LOCKED`) for the next instead of waiting.
    public func claimNextEntry(campaign: Int64, agent: String, now: Date, marker: @Sendable (Int64, Int) -> String) async throws -> (
        PredialEntry, String
    )? {
        try await transaction("claimNextEntry") { connection in
            guard
                let row = try await connection.rows(
                    """
                    SELECT \(unescaped: Self.predialColumns) FROM predial
                    WHERE campaign_id = \(campaign) AND status = 'pending' AND dial_at <= \(now)
                    ORDER BY priority DESC, dial_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """, logger
                ).first
            else { return nil }
            var entry = try Self.predialEntry(row)
            entry.attempts += 1
            entry.status = PredialEntry.Status.dialing.rawValue
            entry.agent = agent
            let mark = marker(entry.id, entry.attempts)
            try await connection.run(
                """
                UPDATE predial SET status = 'dialing', attempts = \(entry.attempts), agent = \(agent), sessionid = \(mark), updated_at = \(now)
                WHERE id = \(entry.id)
                """, logger)
            try await connection.run("UPDATE customers SET status = 'dialing', agent = \(agent) WHERE id = \(entry.customerID)", logger)
            return (entry, mark)
        }
    }

    /// Puts an entry back as it was before a dial that never started.
    public func releaseEntry(id: Int64, customerStatus: String, retryAt: Date) async throws {
        try await transaction("releaseEntry") { connection in
            try await connection.run(
                "UPDATE predial SET status = 'pending', attempts = attempts - 1, sessionid = '', dial_at = \(retryAt) WHERE id = \(id)",
                logger)
            try await connection.run(
                "UPDATE customers SET status = \(customerStatus) WHERE id = (SELECT customer_id FROM predial WHERE id = \(id))", logger)
        }
    }

    /// Entries being dialled, with the call's marker and when the dial started.
    public func dialingEntries() async throws -> [(entry: PredialEntry, teamID: Int64, marker: String, since: Date)] {
        try await read("dialingEntries") { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.predialColumns), team_id, sessionid, updated_at FROM predial WHERE status = 'dialing' ORDER BY id",
                logger
            ).map { row in
                let entry = try Self.predialEntry(row)
                let cells = row.makeRandomAccess()
                return (
                    entry, try cells["team_id"].decode(Int64.self), try cells["sessionid"].decode(String.self),
                    try cells["updated_at"].decode(Date.self)
                )
            }
        }
    }

    /// How the campaign call with this marker ended, once its call record exists.
    public func disposition(team: Int64, marker: String) async throws -> String? {
        try await read("disposition") { connection in
            try await connection.value(
                String.self, "SELECT disposition FROM call_records WHERE team_id = \(team) AND userdata = \(marker) LIMIT 1", logger)
        }
    }

    /// Records a finished dial on the entry and the customer.
    public func settle(entry: PredialEntry, result: String, status: PredialEntry.Status, customerStatus: String, retryAt: Date?, now: Date)
        async throws
    {
        try await transaction("settle") { connection in
            try await connection.run(
                """
                UPDATE predial SET status = \(status.rawValue), last_result = \(result), sessionid = '', dial_at = \(retryAt ?? entry.dialAt),
                    updated_at = \(now)
                WHERE id = \(entry.id)
                """, logger)
            try await connection.run(
                "UPDATE customers SET status = \(customerStatus), updated_at = \(now) WHERE id = \(entry.customerID)", logger)
        }
    }
}

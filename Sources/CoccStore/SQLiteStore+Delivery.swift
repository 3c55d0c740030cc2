public import CoccStorage
import Foundation
import GRDB

extension SQLiteStore {
    /// The team's delivery state, created on first use with a fresh secret and a cursor at the
    /// team's latest event (a newly configured URL receives what happens from then on).
    public func deliveryState(teamID: Int64) async throws -> DeliveryState {
        try await database.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM event_delivery WHERE team_id = ?", arguments: [teamID]) {
                return DeliveryState(
                    teamID: teamID, cursor: row["cursor"], attempts: row["attempts"], dead: row["dead"],
                    lastError: row["last_error"], secret: row["secret"])
            }
            var bytes = [UInt8](repeating: 0, count: 32)
            var rng = SystemRandomNumberGenerator()
            for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
            let secret = bytes.map { String(format: "%02x", $0) }.joined()
            let latest = try Int64.fetchOne(db, sql: "SELECT MAX(eventid) FROM call_events WHERE team_id = ?", arguments: [teamID]) ?? 0
            try db.execute(
                sql: "INSERT INTO event_delivery (team_id, cursor, secret) VALUES (?, ?, ?)", arguments: [teamID, latest, secret])
            return DeliveryState(teamID: teamID, cursor: latest, attempts: 0, dead: false, lastError: "", secret: secret)
        }
    }

    public func saveDelivery(_ state: DeliveryState) async throws {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE event_delivery SET cursor = ?, attempts = ?, dead = ?, last_error = ? WHERE team_id = ?",
                arguments: [state.cursor, state.attempts, state.dead, state.lastError, state.teamID])
        }
    }
}

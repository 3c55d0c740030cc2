import Foundation
import GRDB

/// Where a team's backend delivery stands: the last event delivered, failures, dead-letter.
public struct DeliveryState: Sendable, Equatable {
    public var teamID: Int64
    /// The last event id the backend accepted.
    public var cursor: Int64
    /// Consecutive failed attempts for the event after the cursor.
    public var attempts: Int
    /// Paused after too many failures, until resumed or replayed.
    public var dead: Bool
    public var lastError: String
    /// The key of the HMAC-SHA256 signature on every POST.
    public var secret: String
}

extension SQLiteStore {
    /// The team's delivery state, created on first use with a fresh secret and a cursor at the
    /// team's latest event (a newly configured URL receives what happens from then on).
    public func deliveryState(teamID: Int64) throws -> DeliveryState {
        try database.write { db in
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

    public func saveDelivery(_ state: DeliveryState) throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE event_delivery SET cursor = ?, attempts = ?, dead = ?, last_error = ? WHERE team_id = ?",
                arguments: [state.cursor, state.attempts, state.dead, state.lastError, state.teamID])
        }
    }

    /// Redelivers from `eventid` on (events after it), and takes the team out of dead-letter.
    public func replayDelivery(teamID: Int64, since eventid: Int64) throws {
        var state = try deliveryState(teamID: teamID)
        state.cursor = eventid
        state.attempts = 0
        state.dead = false
        state.lastError = ""
        try saveDelivery(state)
    }
}

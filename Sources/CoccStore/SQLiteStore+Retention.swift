import CoccStorage
public import Foundation
import GRDB

extension SQLiteStore {
    public func firstEventID(teamID: Int64) async throws -> Int64 {
        try await database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(eventid) FROM call_events WHERE team_id = ?", arguments: [teamID]) ?? 0
        }
    }

    /// Removes events appended before `cutoff`, except what a reader still needs:
    /// - each team's newest event, because the next event id is counted from it;
    /// - for teams in `heldFrom`, every event after the given cursor (a backend that has not
    ///   accepted them yet must still receive them: delivery is at least once, never lossy).
    /// Deletes in batches so that appends are never blocked for long. Returns how many went.
    @discardableResult
    public func pruneEvents(before cutoff: Date, heldFrom: [Int64: Int64], batch: Int) async throws -> Int {
        // Every team that ever appended (its sequence row outlives it): a removed team's events
        // are pruned too, not kept forever.
        let teams = try await database.read { db in try Int64.fetchAll(db, sql: "SELECT team_id FROM event_sequence ORDER BY team_id") }
        var removed = 0
        for team in teams {
            while true {
                let count = try await database.write { db -> Int in
                    let newest =
                        try Int64.fetchOne(db, sql: "SELECT MAX(eventid) FROM call_events WHERE team_id = ?", arguments: [team]) ?? 0
                    // Clocks may step back, so times are not strictly ordered by id: remove only
                    // the prefix before the first event inside the window. The log stays one
                    // unbroken run of ids, which is what tells a reader that it missed some.
                    let firstKept =
                        try Int64.fetchOne(
                            db, sql: "SELECT eventid FROM call_events WHERE team_id = ? AND created_at >= ? ORDER BY eventid LIMIT 1",
                            arguments: [team, cutoff.timeIntervalSince1970]) ?? newest
                    let bound = min(firstKept - 1, newest - 1, heldFrom[team] ?? Int64.max)
                    try db.execute(
                        sql: """
                            DELETE FROM call_events WHERE team_id = ? AND eventid IN (
                                SELECT eventid FROM call_events WHERE team_id = ? AND eventid <= ? ORDER BY eventid LIMIT ?)
                            """, arguments: [team, team, bound, batch])
                    return db.changesCount
                }
                removed += count
                if count < batch { break }
            }
        }
        return removed
    }
}

public import CoccStorage
import Foundation
import PostgresNIO

extension PostgresStore {
    /// The team's delivery state, created on first use with a fresh secret and a cursor at the
    /// team's latest event. Two nodes asking at once create one row: the second's insert does
    /// nothing, and both read the row that won.
    public func deliveryState(teamID: Int64) async throws -> DeliveryState {
        try await transaction("deliveryState") { connection in
            if let state = try await connection.all(SelectDelivery(teamID: teamID), logger).first { return state }
            var bytes = [UInt8](repeating: 0, count: 32)
            var rng = SystemRandomNumberGenerator()
            for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
            let secret = bytes.map { String(format: "%02x", $0) }.joined()
            try await connection.perform(CreateDelivery(teamID: teamID, secret: secret), logger)
            guard let state = try await connection.all(SelectDelivery(teamID: teamID), logger).first else {
                throw PostgresStoreError(endpoint: endpoint, operation: "deliveryState", message: "the delivery row vanished")
            }
            return state
        }
    }

    public func saveDelivery(_ state: DeliveryState) async throws {
        try await read("saveDelivery") { connection in try await connection.perform(SaveDelivery(state: state), logger) }
    }
}

struct SelectDelivery: PostgresPreparedStatement {
    static let sql = "SELECT team_id, cursor, attempts, dead, last_error, secret FROM event_delivery WHERE team_id = $1"
    typealias Row = DeliveryState
    var teamID: Int64
    func makeBindings() throws -> PostgresBindings { .of(teamID) }
    func decodeRow(_ row: PostgresRow) throws -> DeliveryState {
        let (team, cursor, attempts, dead, lastError, secret) = try row.decode((Int64, Int64, Int, Bool, String, String).self)
        return DeliveryState(teamID: team, cursor: cursor, attempts: attempts, dead: dead, lastError: lastError, secret: secret)
    }
}

/// The cursor starts at the team's newest event: a newly configured URL gets what comes next.
struct CreateDelivery: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO event_delivery (team_id, cursor, secret)
        VALUES ($1, COALESCE((SELECT eventid FROM call_events WHERE team_id = $1 ORDER BY eventid DESC LIMIT 1), 0), $2)
        ON CONFLICT (team_id) DO NOTHING
        """
    typealias Row = Void
    var teamID: Int64
    var secret: String
    func makeBindings() throws -> PostgresBindings { .of(teamID, secret) }
    func decodeRow(_ row: PostgresRow) throws {}
}

struct SaveDelivery: PostgresPreparedStatement {
    static let sql = "UPDATE event_delivery SET cursor = $1, attempts = $2, dead = $3, last_error = $4 WHERE team_id = $5"
    typealias Row = Void
    var state: DeliveryState
    func makeBindings() throws -> PostgresBindings { .of(state.cursor, state.attempts, state.dead, state.lastError, state.teamID) }
    func decodeRow(_ row: PostgresRow) throws {}
}

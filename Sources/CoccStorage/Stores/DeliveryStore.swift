/// Where each team's backend delivery (the webhook POSTs) stands.
///
/// ```swift
/// var state = try await store.deliveryState(teamID: 1)
/// state.cursor = delivered.eventid
/// try await store.saveDelivery(state)
/// ```
public protocol DeliveryStore: Sendable {
    /// The team's delivery state, created on first use with a fresh secret and a cursor at the
    /// team's latest event (a newly configured URL receives what happens from then on).
    func deliveryState(teamID: Int64) async throws -> DeliveryState
    func saveDelivery(_ state: DeliveryState) async throws
}

extension DeliveryStore {
    /// Redelivers from `eventid` on (events after it), and takes the team out of dead-letter.
    public func replayDelivery(teamID: Int64, since eventid: Int64) async throws {
        var state = try await deliveryState(teamID: teamID)
        state.cursor = eventid
        state.attempts = 0
        state.dead = false
        state.lastError = ""
        try await saveDelivery(state)
    }
}

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

    public init(teamID: Int64, cursor: Int64, attempts: Int, dead: Bool, lastError: String, secret: String) {
        self.teamID = teamID
        self.cursor = cursor
        self.attempts = attempts
        self.dead = dead
        self.lastError = lastError
        self.secret = secret
    }
}

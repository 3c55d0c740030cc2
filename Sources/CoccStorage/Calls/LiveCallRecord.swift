public import Foundation

/// A live call as the store keeps it, so that a crash (or `kill -9`) of coccd loses no call:
/// at the next start the engine ends each one with its hangup events and a call record
/// (disposition `interrupted`). See ``TeamEngine/recoverInterruptedCalls()``.
///
/// ```swift
/// try await store.saveLiveCall(call.liveRecord(teamID: 1))
/// for record in try await store.liveCalls(teamID: 1) { ... }
/// ```
public struct LiveCallRecord: Sendable, Codable, Equatable {
    public struct Leg: Sendable, Codable, Equatable {
        public var uniqueid: Int64
        public var channel: String
        /// The events' source for this leg: AGENT, CALLER, CALLEE or CONSULT.
        public var source: String
        public var down: Bool

        public init(uniqueid: Int64, channel: String, source: String, down: Bool) {
            self.uniqueid = uniqueid
            self.channel = channel
            self.source = source
            self.down = down
        }
    }

    public var sessionid: String
    public var teamID: Int64
    public var direction: String
    public var agentID: Int64?
    public var agentExtension: String
    public var groupID: Int64
    public var customerNumber: String
    public var didNumber: String
    public var modeltype: String
    public var modelID: String
    public var userdata: String
    public var startedAt: Date
    public var answeredAt: Date?
    public var legs: [Leg]

    public init(
        sessionid: String, teamID: Int64, direction: String, agentID: Int64? = nil, agentExtension: String, groupID: Int64,
        customerNumber: String, didNumber: String, modeltype: String, modelID: String, userdata: String, startedAt: Date,
        answeredAt: Date? = nil, legs: [Leg]
    ) {
        self.sessionid = sessionid
        self.teamID = teamID
        self.direction = direction
        self.agentID = agentID
        self.agentExtension = agentExtension
        self.groupID = groupID
        self.customerNumber = customerNumber
        self.didNumber = didNumber
        self.modeltype = modeltype
        self.modelID = modelID
        self.userdata = userdata
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.legs = legs
    }
}

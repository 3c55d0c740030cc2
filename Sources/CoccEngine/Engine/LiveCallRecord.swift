import CoccOperations
import CoccSwitch
public import Foundation

/// A live call as the store keeps it, so that a crash (or `kill -9`) of coccd loses no call:
/// at the next start the engine ends each one with its hangup events and a call record
/// (disposition `interrupted`). See ``TeamEngine/recoverInterruptedCalls()``.
///
/// ```swift
/// try store.saveLiveCall(call.liveRecord(teamID: 1))
/// for record in try store.liveCalls(teamID: 1) { ... }
/// ```
public struct LiveCallRecord: Sendable, Codable, Equatable {
    public struct Leg: Sendable, Codable, Equatable {
        public var uniqueid: Int64
        public var channel: String
        /// The events' source for this leg: AGENT, CALLER, CALLEE or CONSULT.
        public var source: String
        public var down: Bool
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
}

extension Call {
    func liveRecord(teamID: Int64) -> LiveCallRecord {
        var legs: [LiveCallRecord.Leg] = []
        if let leg = agentLeg { legs.append(.init(uniqueid: leg.uniqueid, channel: leg.channel, source: "AGENT", down: agentDown)) }
        if let leg = customerLeg {
            legs.append(.init(uniqueid: leg.uniqueid, channel: leg.channel, source: customerSource.rawValue, down: customerDown))
        }
        for party in consults {
            legs.append(.init(uniqueid: party.leg.uniqueid, channel: party.leg.channel, source: "CONSULT", down: party.down))
        }
        for supervisor in supervisors where supervisor.joined {
            legs.append(.init(uniqueid: supervisor.leg.uniqueid, channel: supervisor.leg.channel, source: "CONSULT", down: supervisor.down))
        }
        return LiveCallRecord(
            sessionid: sessionid, teamID: teamID, direction: direction.rawValue, agentID: agent?.id, agentExtension: agentExtension,
            groupID: groupID, customerNumber: customerNumber, didNumber: didNumber, modeltype: modeltype, modelID: modelID,
            userdata: userdata,
            startedAt: startedAt, answeredAt: answeredAt, legs: legs)
    }
}

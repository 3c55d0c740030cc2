import CoccOperations
import CoccStorage
import CoccSwitch
import Foundation

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

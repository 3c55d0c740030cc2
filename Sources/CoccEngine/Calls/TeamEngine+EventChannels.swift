public import CoccOperations
import CoccStorage
public import CoccSwitch
import Foundation
import Logging

/// Who sees a call event, and how.
///
/// The team's log (the team channel, backends' POSTs) gets every event of every call as the
/// manual prints it. Each agent's own channel (the agent page's long-poll or stream) tells that
/// agent's story instead, in the manual's sequences (A.5.2, A.5.3):
/// - `source=AGENT` is always the agent's *own* leg. A consulted agent, the agent an inner call
///   rings, or a supervising group leader sees its own leg as `AGENT` (with its own number in
///   `activenum`), never another agent's leg as `AGENT`.
/// - The call's own agent sees every other leg as the team log does, except a silent
///   monitor's: silentMonitor is silent (whisper and barge may show: the agent hears them).
/// - A consulted party sees the customer (and the other parties) once it talks with them: in a
///   conference or after a transfer. An agent that transferred the call away sees its own
///   hangup and nothing after it.
/// - An inbound call's `CALLER incoming` reaches each agent it is offered to, before the
///   agent's `ringing`, as event 1 of A.5.3.
/// Where an agent's view differs from the team's line, it gets its own copy, kept out of the
/// team channel (``EventBus``, `teamChannel: false`), so the team log never sees a call twice.
extension TeamEngine {
    /// One agent's view of an event: the team's line, or its own leg relabelled.
    struct ChannelView: Equatable {
        let agentID: Int64
        /// The agent's own leg: `source=AGENT`, and this number as `activenum`.
        let ownNumber: String?
    }

    /// Appends a chapter-6 event for the call to the team's durable log and to the channels of
    /// the agents it concerns.
    func emit(_ call: Call, _ source: CallEventMessage.Source, _ event: CallEventMessage.Event, leg: LegInfo?, channel: String? = nil) {
        let now = clock()
        let message = CallEventMessage(
            source: source, event: event, direction: call.direction, calleridnum: call.customerNumber, didnumber: call.didNumber,
            activenum: call.agentExtension, uniqueid: leg?.uniqueid ?? 0, sessionid: call.sessionid, eventTime: now, teamID: teamID,
            modeltype: call.modeltype, modelID: call.modelID, groupID: call.groupID, channel: channel ?? leg?.channel ?? "",
            userdata: call.userdata)
        var shared: [Int64] = []
        var own: [(Int64, CallEventMessage)] = []
        for view in channelViews(call, leg: leg) {
            guard let number = view.ownNumber else {
                shared.append(view.agentID)
                continue
            }
            var mine = message
            mine.source = .agent
            mine.activenum = number
            if mine == message { shared.append(view.agentID) } else { own.append((view.agentID, mine)) }
        }
        append(message, at: now, agents: shared, teamChannel: true)
        for (agentID, mine) in own { append(mine, at: now, agents: [agentID], teamChannel: false) }
    }

    /// Gives an agent the call's `CALLER incoming` as it is offered the call (A.5.3 event 1):
    /// the agent was not on the call when the caller arrived.
    func replayIncoming(_ call: Call, to agent: Agent) {
        guard let leg = call.customerLeg else { return }
        let message = CallEventMessage(
            source: .caller, event: .incoming, direction: call.direction, calleridnum: call.customerNumber, didnumber: call.didNumber,
            activenum: "", uniqueid: leg.uniqueid, sessionid: call.sessionid, eventTime: clock(), teamID: teamID, modeltype: call.modeltype,
            modelID: call.modelID, groupID: call.groupID, channel: leg.channel, userdata: call.userdata)
        append(message, at: clock(), agents: [agent.id], teamChannel: false)
    }

    private func append(_ message: CallEventMessage, at now: Date, agents: [Int64], teamChannel: Bool) {
        let logger = callLogger
        eventBus.append(
            to: store, journal: journal, team: teamID, at: now, agents: agents, teamChannel: teamChannel,
            render: { message.render(eventid: $0) },
            appended: { stored in
                logger.debug(
                    "event",
                    metadata: [
                        "eventid": "\(stored.eventid)", "source": "\(message.source.rawValue)", "event": "\(message.event.rawValue)",
                        "team_channel": "\(teamChannel)",
                    ])
            })
    }

    /// The agents whose channel carries an event about `leg` (nil: the whole call's end).
    func channelViews(_ call: Call, leg: LegInfo?) -> [ChannelView] {
        var views: [ChannelView] = []
        func add(_ agent: Agent?, own: String? = nil) {
            guard let agent, !views.contains(where: { $0.agentID == agent.id }) else { return }
            views.append(ChannelView(agentID: agent.id, ownNumber: own))
        }
        guard let leg else {
            // CONVERSATION hangup: the agents still on the call when it ended.
            if !call.transferred { add(call.agent) }
            add(call.calledAgent)
            for party in call.consults where party.joined && !party.leftEarly { add(party.agent) }
            for supervisor in call.supervisors where supervisor.joined && !supervisor.leftEarly { add(supervisor.agent) }
            return views
        }
        let id = leg.uniqueid
        let isCustomer = id == call.customerLeg?.uniqueid
        let party = call.consults.first { $0.leg.uniqueid == id }
        let supervisor = call.supervisors.first { $0.leg.uniqueid == id }
        // The leg's own agent.
        if id == call.agentLeg?.uniqueid { add(call.agent) }
        if isCustomer { add(call.calledAgent, own: leg.number) }
        if let party { add(party.agent, own: leg.number) }
        if let supervisor { add(supervisor.agent, own: leg.number) }
        // The call's own agent sees the other legs, but not a silent monitor.
        if !call.transferred, supervisor?.mode != .listen { add(call.agent) }
        // Consulted parties that talk with the customer see the customer and each other.
        // (A party whose own hangup ended the call is still there for the call's last events.)
        if isCustomer || party?.joined == true {
            for other in call.consults where other.joined && (!other.down || !other.leftEarly) { add(other.agent) }
        }
        // A supervising agent that joined hears the customer.
        if isCustomer {
            for other in call.supervisors where other.joined && !other.down { add(other.agent) }
        }
        return views
    }
}

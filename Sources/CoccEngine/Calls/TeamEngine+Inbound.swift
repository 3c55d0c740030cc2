public import CoccOperations
public import CoccStorage
public import CoccSwitch
import Foundation
import Logging

extension TeamEngine {

    /// A call arrived for one of the team's queue numbers: it waits in that group's queue and is
    /// offered to the longest-idle available agent. An unknown queue number is hung up.
    public func receiveInbound(leg: LegInfo, called: String, priority: Int) async {
        guard let group = directoryProvider().group(team: teamID, queueNumber: called) else {
            callLogger.warning("inbound call for an unknown queue", metadata: ["called": "\(called)", "from": "\(leg.number)"])
            legRegistry.release(leg.uniqueid)
            try? await callSwitch.hangup(uniqueid: leg.uniqueid)
            return
        }
        // Inbound customer service; the manual's examples show a campaign's type and id here,
        // which an inbound queue does not have: the group id stands in for model_id.
        var call = Call(
            sessionid: SessionID.make(), direction: .dialin, agent: nil, agentExtension: "", groupID: group.id, priority: priority,
            customerNumber: leg.number, didNumber: called, customerDestination: .external(leg.number), calledAgent: nil,
            modeltype: "Customerservice", modelID: String(group.id), userdata: "", callerID: "", trunk: "", startedAt: clock())
        call.customerLeg = leg
        call.customerAnswered = true  // the switch answered the caller into the queue
        calls[call.sessionid] = call
        legRoles[leg.uniqueid] = (call.sessionid, .customer)
        emit(call, .caller, .incoming, leg: leg)
        persistLive(call.sessionid)
        callLogger.info("inbound call queued", metadata: ["sessionid": "\(call.sessionid)", "queue": "\(called)", "from": "\(leg.number)"])
        await dispatchWaiting()
    }

    /// Offers waiting calls, highest priority then earliest first, to available agents.
    ///
    /// Each group's pool of available agents is built once per pass (longest idle first), so a
    /// pass costs about agents·log(agents) + calls rather than agents × calls per call.
    func dispatchWaiting() async {
        let waiting = calls.values.filter { $0.direction == .dialin && $0.agent == nil && !$0.customerDown && !$0.finished }
            .sorted { ($0.priority, $1.startedAt) > ($1.priority, $0.startedAt) }
        guard !waiting.isEmpty else { return }
        let directory = directoryProvider()
        var pools: [Int64: [Agent]] = [:]
        var taken = involvedAgentIDs()
        for candidate in waiting {
            guard let call = calls[candidate.sessionid], call.agent == nil, !call.customerDown else { continue }
            if pools[call.groupID] == nil {
                pools[call.groupID] = availableAgents(in: call.groupID, directory: directory, excluding: taken)
            }
            guard let agent = takeAgent(from: &pools[call.groupID, default: []], for: call, taken: taken) else { continue }
            // Other work may have run while an earlier offer was being dialled: check this agent again.
            guard session(of: agent).call == .none, !calls.values.contains(where: { $0.involves(agent.id) }) else { continue }
            taken.insert(agent.id)
            let exten = session(of: agent).extensionNumber
            guard let uniqueid = legRegistry.allocate(team: teamID) else { continue }
            calls[call.sessionid]?.agent = agent
            calls[call.sessionid]?.agentExtension = exten
            if let offered = calls[call.sessionid] { replayIncoming(offered, to: agent) }
            legRoles[uniqueid] = (call.sessionid, .agent)
            do {
                let leg = try await callSwitch.originate(
                    OriginateRequest(
                        uniqueid: uniqueid, destination: .extension(exten), callerID: call.customerNumber, context: "dialin",
                        ringTimeout: offerRingTimeout))
                calls[call.sessionid]?.agentLeg = leg
                persistLive(call.sessionid)
            } catch {
                legRoles[uniqueid] = nil
                legRegistry.release(uniqueid)
                calls[call.sessionid]?.agent = nil
                calls[call.sessionid]?.agentExtension = ""
                callLogger.error("could not ring the agent", metadata: ["agent": "\(agent.number)", "error": "\(error)"])
            }
        }
    }

    /// Agents on any live call of the team.
    func involvedAgentIDs() -> Set<Int64> {
        var ids = Set<Int64>()
        for call in calls.values {
            if let a = call.agent, !call.transferred { ids.insert(a.id) }
            if let a = call.calledAgent { ids.insert(a.id) }
            for party in call.consults where party.live { if let a = party.agent { ids.insert(a.id) } }
        }
        return ids
    }

    /// The group's agents who may take a call, longest idle first: signed in to the group, not
    /// paused, not in after-call work, on no call, taking inbound calls, with an extension.
    func availableAgents(in groupID: Int64, directory: Directory, excluding taken: Set<Int64>) -> [Agent] {
        directory.memberships(ofGroup: groupID).compactMap { directory.agents[$0.agentID] }.filter { agent in
            guard !taken.contains(agent.id) else { return false }
            let s = session(of: agent)
            guard s.loggedIn, let signIn = s.signIn(of: groupID), s.pause == nil, s.afterCallWorkSince == nil, s.call == .none,
                signIn.workMode != .dialout, !s.extensionNumber.isEmpty
            else { return false }
            return true
        }.sorted { (session(of: $0).statusSince, $0.number) < (session(of: $1).statusSince, $1.number) }
    }

    /// Takes the first agent of the pool who has not let this call ring out; agents who did are
    /// passed over while another can take it.
    func takeAgent(from pool: inout [Agent], for call: Call, taken: Set<Int64>) -> Agent? {
        pool.removeAll { taken.contains($0.id) }
        guard !pool.isEmpty else { return nil }
        let index = pool.firstIndex { !call.tried.contains($0.id) } ?? 0
        return pool.remove(at: index)
    }

    /// The offered agent did not answer: the call goes back to the queue for the next agent.
    func requeue(_ sessionid: String) async {
        guard var call = calls[sessionid], let agent = call.agent else { return }
        emit(call, .agent, .hangup, leg: call.agentLeg)
        if let leg = call.agentLeg {
            legRoles[leg.uniqueid] = nil
            legRegistry.release(leg.uniqueid)
        }
        call.tried.insert(agent.id)
        call.agent = nil
        call.agentExtension = ""
        call.agentLeg = nil
        call.agentRang = false
        calls[sessionid] = call
        setActivity(.none, of: agent)
        callLogger.info("ring no answer, offering the call again", metadata: ["sessionid": "\(sessionid)", "agent": "\(agent.number)"])
        await dispatchWaiting()
    }

    /// queueCustomerNum: `total|ringing|waiting|talking` for one queue number or all (`0`),
    /// counting callers with priority `prio` or higher.
    public func queueCounts(queueNumber: String, minimumPriority: Int, directory: Directory) -> Reply {
        var groupID: Int64?
        if queueNumber != "0" {
            guard let group = directory.group(team: teamID, queueNumber: queueNumber) else {
                return Reply(code: 2, message: .back(.groupNotFound), format: .pipeOnSOAP)
            }
            groupID = group.id
        }
        let inQueue = calls.values.filter { $0.isInQueue && $0.priority >= minimumPriority && (groupID == nil || $0.groupID == groupID) }
        let ringing = inQueue.filter { $0.agent != nil && !$0.agentAnswered }.count
        let waiting = inQueue.filter { $0.agent == nil }.count
        let talking = inQueue.filter { $0.agentAnswered }.count
        return Reply(code: 1, message: .data("\(inQueue.count)|\(ringing)|\(waiting)|\(talking)"), format: .pipeOnSOAP)
    }
}

public import CoccOperations
public import CoccStorage
import CoccSwitch
public import Logging

/// What consult asks for, checked and typed by the catalogue.
public enum ConsultTarget: Sendable, Equatable {
    /// An agent of the team, to be reached as a member of the given group.
    case agent(number: String, groupID: String)
    /// A phone number.
    case external(String)
}

extension TeamEngine {
    /// The agent's own answered call with the customer: two-party, or a conference it is in.
    private func ownConversation(of agent: Agent) -> Call? {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id, !call.transferred,
            call.agentAnswered, call.customerAnswered, !call.customerDown, !call.agentDown
        else { return nil }
        return call
    }

    /// consult: dials the consulted party on a new leg, connected to the agent when it answers.
    ///
    /// From a two-party call the customer is held while the agent consults. From a conference
    /// (manual 3.9: "while the agent talks with the customer or is in a conference") the agent
    /// steps out and the conference keeps talking: the customer is not alone, so holding it
    /// would also silence the parties it talks with, and nothing in the manual asks for that.
    public func consult(agent: Agent, target: ConsultTarget, directory: Directory, logger: Logger) async -> Reply {
        guard let call = ownConversation(of: agent) else {
            return .failure(BackMessage("56").with(session(of: agent).status.rawValue))
        }
        // One consulted party at a time (BackMsg_95); from a conference too, whether the agent
        // is in it or stepped out of it and the party it consulted has gone.
        guard !call.consultLive else { return .failure(BackMessage("95")) }
        let destination: OriginateRequest.Destination
        let dialled: String
        var consultAgent: Agent?
        switch target {
        case .external(let external):
            destination = .external(external)
            dialled = external
        case .agent(let number, let groupID):
            guard let other = directory.agent(team: teamID, number: number), other.id != agent.id else {
                return .failure(BackMessage("55"))
            }
            let otherSession = session(of: other)
            guard let group = directory.group(team: teamID, id: groupID), otherSession.loggedIn, otherSession.isSignedIn(to: group.id)
            else {
                return .failure(BackMessage("25"))
            }
            guard otherSession.call == .none, liveCall(of: other.id) == nil, !otherSession.extensionNumber.isEmpty else {
                return .failure(BackMessage("21"))
            }
            destination = .extension(otherSession.extensionNumber)
            dialled = otherSession.extensionNumber
            consultAgent = other
        }
        let fromConference = call.conferenced
        if !fromConference, let leg = call.customerLeg, !call.held {
            do { try await callSwitch.hold(uniqueid: leg.uniqueid, music: true) } catch { return .failure(BackMessage("21")) }
            calls[call.sessionid]?.held = true
            emit(call, call.customerSource, .onhold, leg: leg)
        }
        // From a conference the agent leaves it when the consulted party answers (bridged to
        // it; see handle); the others keep talking. No hold: on a PBX, holding a conference
        // member plays music to everyone else in it.
        guard let uniqueid = legRegistry.allocate(team: teamID) else { return .failure(BackMessage("26")) }
        legRoles[uniqueid] = (call.sessionid, .consult)
        // Registered before dialling: the switch may report ringing while originate is awaited.
        calls[call.sessionid]?.consults.append(
            Call.ConsultParty(leg: LegInfo(uniqueid: uniqueid, channel: "", number: dialled), agent: consultAgent))
        do {
            let leg = try await callSwitch.originate(
                OriginateRequest(
                    uniqueid: uniqueid, destination: destination, callerID: call.agentExtension, context: call.direction.rawValue,
                    ringTimeout: Self.customerRingTimeout))
            guard let i = calls[call.sessionid]?.consultIndex(of: uniqueid) else {
                // The call ended while the party was being dialled.
                try? await callSwitch.hangup(uniqueid: uniqueid)
                return .failure(BackMessage("26"))
            }
            calls[call.sessionid]?.consults[i].leg = leg
            persistLive(call.sessionid)
        } catch {
            legRoles[uniqueid] = nil
            legRegistry.release(uniqueid)
            calls[call.sessionid]?.consults.removeAll { $0.leg.uniqueid == uniqueid }
            logger.error("could not dial the consulted party", metadata: ["error": "\(error)"])
            return .failure(BackMessage("26"))
        }
        logger.info(
            "consult", metadata: ["sessionid": "\(call.sessionid)", "target": "\(destination)", "from_conference": "\(fromConference)"])
        return .success(BackMessage("27"))
    }

    /// transfer: hands the customer to the answered consulted party; the agent leaves the call.
    /// From a conference, the consulted party joins the customer and the parties already there.
    public func transfer(agent: Agent, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id, !call.transferred, let index = call.currentConsultIndex,
            call.consults[index].answered, let customer = call.customerLeg, let agentLeg = call.agentLeg, !call.customerDown
        else { return .failure(BackMessage("29")) }
        let consult = call.consults[index].leg
        let others = call.joinedParties.map(\.leg.uniqueid)
        do {
            if others.isEmpty {
                try await callSwitch.unhold(uniqueid: customer.uniqueid)
                try await callSwitch.bridge(customer.uniqueid, consult.uniqueid)
            } else {
                try await callSwitch.conference([customer.uniqueid] + others + [consult.uniqueid])
            }
        } catch {
            logger.error("transfer failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("29"))
        }
        calls[call.sessionid]?.held = false
        calls[call.sessionid]?.transferred = true
        calls[call.sessionid]?.consults[index].joined = true
        calls[call.sessionid]?.agentInConference = false
        let current = calls[call.sessionid] ?? call
        if others.isEmpty {
            emit(current, call.customerSource, .resume, leg: customer)
        } else {
            emit(current, .consult, .join, leg: consult)
        }
        // The agent's leg ends; handle() sees the call was transferred and keeps the others.
        try? await callSwitch.hangup(uniqueid: agentLeg.uniqueid)
        logger.info("transferred", metadata: ["sessionid": "\(call.sessionid)"])
        return .success(BackMessage("31"))
    }

    /// callReturn: ends the consult leg and takes the held customer back; from a conference,
    /// the agent goes back into it.
    public func callReturn(agent: Agent, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id, !call.transferred, !call.customerDown,
            let customer = call.customerLeg,
            call.held || call.consultLive || call.customerInIVR || (call.conferenced && !call.agentInConference)
        else { return .failure(BackMessage("33")) }
        if call.customerInIVR, let agentLeg = call.agentLeg {
            // Back from the IVR (agentToIvr mode 1): the agent's leg is taken off hold and reconnected.
            try? await callSwitch.unhold(uniqueid: agentLeg.uniqueid)
            calls[call.sessionid]?.customerInIVR = false
        }
        if let consult = call.currentConsult { try? await callSwitch.hangup(uniqueid: consult.leg.uniqueid) }
        if call.conferenced {
            await rejoinConference(call.sessionid)
            return .success(BackMessage("32"))
        }
        do {
            try await callSwitch.unhold(uniqueid: customer.uniqueid)
        } catch {
            logger.error("call return failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("33"))
        }
        calls[call.sessionid]?.held = false
        emit(call, call.customerSource, .resume, leg: customer)
        if let current = calls[call.sessionid] { await bridge(current, record: false) }
        return .success(BackMessage("32"))
    }

    /// The agent goes back into the conference it stepped out of (its leg joins again).
    func rejoinConference(_ sessionid: String) async {
        guard let call = calls[sessionid], call.conferenced, !call.agentInConference, let agentLeg = call.agentLeg, !call.agentDown,
            let customer = call.customerLeg, !call.customerDown
        else { return }
        let members = [agentLeg.uniqueid, customer.uniqueid] + call.joinedParties.map(\.leg.uniqueid)
        do {
            try await callSwitch.conference(members)
        } catch {
            callLogger.error("could not take the agent back into the conference", metadata: ["error": "\(error)"])
            return
        }
        calls[sessionid]?.agentInConference = true
        emit(call, .agent, .join, leg: agentLeg)
    }

    /// conference: agent, customer and the answered consulted party talk together; from a
    /// conference, the newly consulted party joins it.
    public func conference(agent: Agent, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id, !call.transferred, let index = call.currentConsultIndex,
            call.consults[index].answered, let customer = call.customerLeg, let agentLeg = call.agentLeg
        else { return .failure(BackMessage("35")) }
        let consult = call.consults[index].leg
        let wasConference = call.conferenced
        do {
            if call.held { try await callSwitch.unhold(uniqueid: customer.uniqueid) }
            try await callSwitch.conference(
                [agentLeg.uniqueid, customer.uniqueid] + call.joinedParties.map(\.leg.uniqueid) + [consult.uniqueid])
        } catch {
            logger.error("conference failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("35"))
        }
        calls[call.sessionid]?.held = false
        calls[call.sessionid]?.conferenced = true
        calls[call.sessionid]?.agentInConference = true
        calls[call.sessionid]?.consults[index].joined = true
        let current = calls[call.sessionid] ?? call
        if !wasConference { emit(current, call.customerSource, .join, leg: customer) }
        emit(current, .consult, .join, leg: consult)
        return .success(BackMessage("34"))
    }

    /// hangup `target=consult`: every consulted party of the target agent's call, oldest first
    /// (manual 3.13).
    func hangupConsult(of targetAgent: Agent) async -> Reply {
        guard let call = liveCall(of: targetAgent.id) else { return .failure(BackMessage("92")) }
        let parties = call.consults.filter(\.live)
        guard !parties.isEmpty else { return .failure(BackMessage("92")) }
        var hungUp = false
        for party in parties where (try? await callSwitch.hangup(uniqueid: party.leg.uniqueid)) != nil { hungUp = true }
        return hungUp ? .success(BackMessage("37")) : .failure(BackMessage("36"))
    }
}

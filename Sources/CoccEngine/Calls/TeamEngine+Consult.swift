public import Logging
public import CoccOperations
import CoccSwitch

/// What consult asks for, checked and typed by the catalogue.
public enum ConsultTarget: Sendable, Equatable {
    /// An agent of the team, to be reached as a member of the given group.
    case agent(number: String, groupID: String)
    /// A phone number.
    case external(String)
}

extension TeamEngine {
    /// The agent's own answered two-party call, if any.
    private func ownConversation(of agent: Agent) -> Call? {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id, !call.transferred,
              call.agentAnswered, call.customerAnswered, !call.customerDown, !call.agentDown
        else { return nil }
        return call
    }

    /// consult: holds the customer and dials the consulted party on a third leg, which is
    /// connected to the agent when it answers.
    public func consult(agent: Agent, target: ConsultTarget, directory: Directory, logger: Logger) async -> Reply {
        guard var call = ownConversation(of: agent) else {
            return .failure(BackMessage("56").with(session(of: agent).status.rawValue))
        }
        guard !call.consultLive else { return .failure(BackMessage("95")) }
        let destination: OriginateRequest.Destination
        var consultAgent: Agent?
        switch target {
        case .external(let number):
            destination = .external(number)
        case .agent(let number, let groupID):
            guard let other = directory.agent(team: teamID, number: number), other.id != agent.id else { return .failure(BackMessage("55")) }
            let otherSession = session(of: other)
            guard let group = directory.group(team: teamID, id: groupID), otherSession.loggedIn, otherSession.isSignedIn(to: group.id) else {
                return .failure(BackMessage("25"))
            }
            guard otherSession.call == .none, liveCall(of: other.id) == nil, !otherSession.extensionNumber.isEmpty else {
                return .failure(BackMessage("21"))
            }
            destination = .extension(otherSession.extensionNumber)
            consultAgent = other
        }
        if let leg = call.customerLeg, !call.held {
            do { try await callSwitch.hold(uniqueid: leg.uniqueid, music: true) } catch { return .failure(BackMessage("21")) }
            calls[call.sessionid]?.held = true
            emit(call, call.customerSource, .onhold, leg: leg)
        }
        let uniqueid = legRegistry.allocate(team: teamID)
        legRoles[uniqueid] = (call.sessionid, .consult)
        call = calls[call.sessionid] ?? call
        calls[call.sessionid]?.consultAgent = consultAgent
        calls[call.sessionid]?.consultAnswered = false
        calls[call.sessionid]?.consultDown = false
        do {
            let leg = try await callSwitch.originate(OriginateRequest(
                uniqueid: uniqueid, destination: destination, callerID: call.agentExtension, context: call.direction.rawValue,
                ringTimeout: Self.customerRingTimeout))
            calls[call.sessionid]?.consultLeg = leg
        } catch {
            legRoles[uniqueid] = nil
            legRegistry.release(uniqueid)
            calls[call.sessionid]?.consultAgent = nil
            logger.error("could not dial the consulted party", metadata: ["error": "\(error)"])
            return .failure(BackMessage("26"))
        }
        logger.info("consult", metadata: ["sessionid": "\(call.sessionid)", "target": "\(destination)"])
        return .success(BackMessage("27"))
    }

    /// transfer: hands the customer to the answered consulted party; the agent leaves the call.
    public func transfer(agent: Agent, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id, !call.transferred, call.consultLive, call.consultAnswered,
              let customer = call.customerLeg, let consult = call.consultLeg, let agentLeg = call.agentLeg, !call.customerDown
        else { return .failure(BackMessage("29")) }
        do {
            try await callSwitch.unhold(uniqueid: customer.uniqueid)
            try await callSwitch.bridge(customer.uniqueid, consult.uniqueid)
        } catch {
            logger.error("transfer failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("29"))
        }
        calls[call.sessionid]?.held = false
        calls[call.sessionid]?.transferred = true
        emit(call, call.customerSource, .resume, leg: customer)
        // The agent's leg ends; handle() sees the call was transferred and keeps the others.
        try? await callSwitch.hangup(uniqueid: agentLeg.uniqueid)
        logger.info("transferred", metadata: ["sessionid": "\(call.sessionid)"])
        return .success(BackMessage("31"))
    }

    /// callReturn: ends the consult leg and takes the held customer back.
    public func callReturn(agent: Agent, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id, !call.transferred, !call.customerDown,
              let customer = call.customerLeg, call.held || call.consultLive || call.customerInIVR
        else { return .failure(BackMessage("33")) }
        if call.customerInIVR, let agentLeg = call.agentLeg {
            // Back from the IVR (agentToIvr mode 1): the agent's leg is taken off hold and reconnected.
            try? await callSwitch.unhold(uniqueid: agentLeg.uniqueid)
            calls[call.sessionid]?.customerInIVR = false
        }
        if let consult = call.consultLeg, call.consultLive { try? await callSwitch.hangup(uniqueid: consult.uniqueid) }
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

    /// conference: agent, customer and the answered consulted party talk together.
    public func conference(agent: Agent, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id, !call.transferred, !call.conferenced, call.consultLive,
              call.consultAnswered, let customer = call.customerLeg, let consult = call.consultLeg, let agentLeg = call.agentLeg
        else { return .failure(BackMessage("35")) }
        do {
            try await callSwitch.unhold(uniqueid: customer.uniqueid)
            try await callSwitch.conference([agentLeg.uniqueid, customer.uniqueid, consult.uniqueid])
        } catch {
            logger.error("conference failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("35"))
        }
        calls[call.sessionid]?.held = false
        calls[call.sessionid]?.conferenced = true
        emit(call, call.customerSource, .join, leg: customer)
        emit(call, .consult, .join, leg: consult)
        return .success(BackMessage("34"))
    }

    /// hangup `target=consult`: the consulted party of the target agent's call.
    func hangupConsult(of targetAgent: Agent) async -> Reply {
        guard let call = liveCall(of: targetAgent.id), let leg = call.consultLeg, call.consultLive else { return .failure(BackMessage("92")) }
        do { try await callSwitch.hangup(uniqueid: leg.uniqueid) } catch { return .failure(BackMessage("36")) }
        return .success(BackMessage("37"))
    }
}

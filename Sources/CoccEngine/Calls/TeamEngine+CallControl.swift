public import CoccOperations
public import CoccStorage
import CoccSwitch
public import Logging

/// What hangup's `target` names (manual 5.13).
public enum HangupTarget: String, Sendable, CaseIterable {
    case channel, agent, caller, consult, all, groupadmin
}

extension TeamEngine {
    /// hold: puts the customer of the agent's two-party call on hold, with music unless `silence`.
    /// Only a two-party call can be held (manual 3.20): in a conference or a consult the answer
    /// is BackMsg_96, "not a one-to-one agent-customer call" (in a consult the customer is held already).
    public func hold(agent: Agent, silence: Bool, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id else { return .failure(BackMessage("92")) }
        guard call.agentAnswered, call.customerAnswered, !call.customerDown, let leg = call.customerLeg, call.isTwoParty else {
            return .failure(BackMessage("96"))
        }
        guard !call.held else { return .failure(BackMessage("51")) }
        do {
            try await callSwitch.hold(uniqueid: leg.uniqueid, music: !silence)
        } catch {
            logger.error("hold failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("51"))
        }
        calls[call.sessionid]?.held = true
        // The held party's event: it is the customer who waits.
        emit(call, call.customerSource, .onhold, leg: leg)
        return .success(BackMessage("52"))
    }

    /// resume: takes the customer off hold.
    public func resume(agent: Agent, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id else { return .failure(BackMessage("92")) }
        // During a consult the customer is held by the consult, and callReturn takes it back;
        // resume would connect it to an agent who is talking to the consulted party.
        guard call.customerAnswered, !call.customerDown, let leg = call.customerLeg, call.isTwoParty else {
            return .failure(BackMessage("96"))
        }
        guard call.held else { return .failure(BackMessage("53")) }
        do {
            try await callSwitch.unhold(uniqueid: leg.uniqueid)
        } catch {
            logger.error("resume failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("53"))
        }
        calls[call.sessionid]?.held = false
        emit(call, call.customerSource, .resume, leg: leg)
        return .success(BackMessage("54"))
    }

    /// hangup with uniqueids: each listed leg whose role fits `target` (any leg for `channel`
    /// and `all`), answered `uniqueid:success|failed` (manual 3.13: "when uniqueid is non-empty,
    /// message holds the per-uniqueid results", for every target). Only legs of this team's
    /// calls (of `onlyCallsOf`'s calls, when given) can be hung up; an agent acting on its own
    /// calls (`actingAgent` the same) only the legs ``Call/mayHangUp(_:role:by:)`` allows it.
    public func hangupLegs(
        _ uniqueids: [Int64], target: HangupTarget = .channel, onlyCallsOf: Int64?, actingAgent: Int64? = nil,
        logger: Logger
    ) async -> Reply {
        guard !uniqueids.isEmpty else { return .failure(.parameterEmpty) }
        var results: [String] = []
        var any = false
        for id in uniqueids {
            let allowed =
                legRoles[id].flatMap { entry in calls[entry.sessionid].map { (call: $0, role: entry.role) } }.map { found in
                    let scoped =
                        onlyCallsOf.map { scope in
                            found.call.involves(scope) && (scope != actingAgent || found.call.mayHangUp(id, role: found.role, by: scope))
                        } ?? true
                    return scoped && Self.leg(id, of: found.call, role: found.role, fits: target)
                } ?? false
            if allowed, (try? await callSwitch.hangup(uniqueid: id)) != nil {
                results.append("\(id):success")
                any = true
            } else {
                results.append("\(id):failed")
            }
        }
        logger.info("hangup legs", metadata: ["target": "\(target.rawValue)", "results": "\(results)"])
        return Reply(code: any ? 1 : 2, message: .data(results.joined(separator: ",")))
    }

    /// Whether a leg is what `target` names: an agent's leg (`agent`), the customer (`caller`),
    /// a consulted party (`consult`), a supervisor (`groupadmin`), any (`channel`, `all`).
    static func leg(_ id: Int64, of call: Call, role: Call.Role, fits target: HangupTarget) -> Bool {
        switch target {
        case .channel, .all: return true
        case .agent:
            return role == .agent || (role == .consult && call.consults.first { $0.leg.uniqueid == id }?.agent != nil)
                || (role == .customer && call.calledAgent != nil)
        case .caller: return role == .customer
        case .consult: return role == .consult
        case .groupadmin: return role == .supervisor
        }
    }

    /// hangup by the target agent's call: its own leg (`agent`), the other side (`caller`),
    /// every leg (`all`, supervisors included), the consulted party (`consult`) or the
    /// supervisors listening, whispering or barged in (`groupadmin`).
    public func hangup(target: HangupTarget, targetAgent: Agent, logger: Logger) async -> Reply {
        switch target {
        case .channel:
            return .failure(.parameterError)
        case .agent, .caller, .all:
            guard let call = liveCall(of: targetAgent.id) else { return .failure(BackMessage("92")) }
            let legs: [LegInfo]
            switch target {
            case .agent:
                // The target agent's own leg: the caller's agent, the consulted one, or the called one.
                let own =
                    call.agent?.id == targetAgent.id && !call.transferred
                    ? call.agentLeg
                    : call.consults.last(where: { $0.live && $0.agent?.id == targetAgent.id })?.leg ?? call.customerLeg
                legs = [own].compactMap { $0 }
            case .caller:
                // The customer; for the agent it called, the calling agent.
                legs = [call.calledAgent?.id == targetAgent.id ? call.agentLeg : call.customerLeg].compactMap { $0 }
            default:
                legs = call.liveLegs()
            }
            guard !legs.isEmpty else { return .failure(BackMessage("92")) }
            if target == .all { calls[call.sessionid]?.tearingDown = true }
            var hungUp = false
            for leg in legs where (try? await callSwitch.hangup(uniqueid: leg.uniqueid)) != nil { hungUp = true }
            logger.info(
                "hangup", metadata: ["target": "\(target.rawValue)", "agent": "\(targetAgent.number)", "legs": "\(legs.map(\.uniqueid))"])
            return hungUp ? .success(BackMessage("37")) : .failure(BackMessage("36"))
        case .consult:
            return await hangupConsult(of: targetAgent)
        case .groupadmin:
            return await hangupSupervisors(of: targetAgent)
        }
    }
}

extension TeamEngine {
    /// sendDtmf: plays digits (0-9, *, #) to the other side of the agent's answered call.
    public func sendDTMF(agent: Agent, digits: String, logger: Logger) async -> Reply {
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") }) else {
            return .failure(BackMessage("97"))
        }
        guard let call = liveCall(of: agent.id), call.agentAnswered, call.customerAnswered, !call.customerDown,
            let leg = call.agent?.id == agent.id ? call.customerLeg : call.agentLeg
        else { return .failure(BackMessage("92")) }
        do {
            try await callSwitch.sendDTMF(uniqueid: leg.uniqueid, digits: digits)
        } catch {
            logger.error("DTMF failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("98"))
        }
        return .success(BackMessage("99"))
    }

    /// setVar: sets call-associated data on every live leg of the agent's call. The name is
    /// upper-case letters, digits, `-` and `_`, starting with a letter or digit (manual 5.29).
    public func setVariable(agent: Agent, name: String, value: String, logger: Logger) async -> Reply {
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_" || $0 == "-") }
        guard let first = name.first, first.isASCII, first.isUppercase || first.isNumber, name.allSatisfy(allowed) else {
            return .failure(BackMessage("101"))
        }
        guard let call = liveCall(of: agent.id) else { return .failure(BackMessage("64")) }
        let legs = call.liveLegs()
        guard !legs.isEmpty else { return .failure(BackMessage("64")) }
        do {
            for leg in legs { try await callSwitch.setVariable(uniqueid: leg.uniqueid, name: name, value: value) }
        } catch {
            logger.error("setVar failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("103"))
        }
        return .success(BackMessage("102"))
    }
}

public import CoccOperations
public import CoccStorage
public import CoccSwitch
public import Logging

extension TeamEngine {
    /// intrude (barge), silentMonitor (listen), whisper: rings the supervisor's phone and, when
    /// it answers, attaches it to the target agent's call. The authorization (an account, or a
    /// group admin of one of the target's groups) is the catalogue's.
    /// `supervisor` is the group leader doing it when it is an agent: its channel gets the events
    /// of the call it joins.
    public func supervise(
        _ mode: SpyMode, target: Agent, phoneNumber: String, supervisor: Agent? = nil, directory: Directory,
        logger: Logger
    ) async -> Reply {
        let failed: BackMessage =
            switch mode {
            case .barge: BackMessage("40")
            case .listen: BackMessage("42")
            case .whisper: BackMessage("49")
            }
        guard let call = liveCall(of: target.id), call.agent?.id == target.id, !call.transferred, call.agentAnswered, !call.agentDown else {
            return .failure(failed)
        }
        let number = phoneNumber.trimmingWhitespace()
        guard !number.isEmpty else { return .failure(.parameterEmpty) }
        let destination: OriginateRequest.Destination =
            directory.hasExtension(team: teamID, number: number) ? .extension(number) : .external(number)
        guard let uniqueid = legRegistry.allocate(team: teamID) else { return .failure(failed) }
        legRoles[uniqueid] = (call.sessionid, .supervisor)
        do {
            let leg = try await callSwitch.originate(
                OriginateRequest(
                    uniqueid: uniqueid, destination: destination, callerID: call.agentExtension, context: call.direction.rawValue,
                    ringTimeout: Self.agentRingTimeout))
            calls[call.sessionid]?.supervisors.append(Call.SupervisorLeg(leg: leg, mode: mode, agent: supervisor))
            persistLive(call.sessionid)
        } catch {
            legRoles[uniqueid] = nil
            legRegistry.release(uniqueid)
            logger.error("could not ring the supervisor", metadata: ["error": "\(error)"])
            return .failure(failed)
        }
        logger.info("supervising", metadata: ["mode": "\(mode.rawValue)", "target": "\(target.number)", "phone": "\(number)"])
        return switch mode {
        case .barge: .success(BackMessage("39"))
        case .listen: .success(BackMessage("41"))
        case .whisper: .success(BackMessage("48"))
        }
    }

    /// forcedRelease: tears down every leg of the target agent's call.
    public func forcedRelease(target: Agent, logger: Logger) async -> Reply {
        guard let call = liveCall(of: target.id), !call.liveLegs().isEmpty else { return .failure(BackMessage("45")) }
        var released = false
        calls[call.sessionid]?.tearingDown = true
        for leg in call.liveLegs() where (try? await callSwitch.hangup(uniqueid: leg.uniqueid)) != nil { released = true }
        logger.info("forced release", metadata: ["target": "\(target.number)", "sessionid": "\(call.sessionid)"])
        return released ? .success(BackMessage("46")) : .failure(BackMessage("47"))
    }

    /// hangup `target=groupadmin`: ends the supervisors' legs on the target agent's call.
    func hangupSupervisors(of target: Agent) async -> Reply {
        guard let call = liveCall(of: target.id), !call.liveSupervisorLegs().isEmpty else { return .failure(BackMessage("92")) }
        for leg in call.liveSupervisorLegs() { try? await callSwitch.hangup(uniqueid: leg.uniqueid) }
        return .success(BackMessage("37"))
    }
}

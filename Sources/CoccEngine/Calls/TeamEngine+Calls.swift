public import CoccOperations
public import CoccStorage
public import CoccSwitch
import Foundation
public import Logging

/// What makeCall asks for, checked and typed by the catalogue.
public struct OutboundCallRequest: Sendable {
    public enum Target: Sendable, Equatable {
        /// A phone number (`targettype=exter`).
        case external(String)
        /// An agent of the same team (`targettype=inner`), by number.
        case agent(String)
    }

    public var target: Target
    public var groupID: String
    public var modeltype: String
    public var modelID: String
    public var userdata: String
    public var agentExtension: String
    public var callerID: String
    public var trunk: String

    public init(
        target: Target, groupID: String, modeltype: String, modelID: String, userdata: String,
        agentExtension: String, callerID: String, trunk: String
    ) {
        self.target = target
        self.groupID = groupID
        self.modeltype = modeltype
        self.modelID = modelID
        self.userdata = userdata
        self.agentExtension = agentExtension
        self.callerID = callerID
        self.trunk = trunk
    }
}

extension TeamEngine {
    /// How long the agent's phone, then the customer's, may ring.
    static let agentRingTimeout: Duration = .seconds(30)
    static let customerRingTimeout: Duration = .seconds(45)

    /// The live call the agent is on, if any.
    func liveCall(of agentID: Int64) -> Call? {
        calls.values.first { $0.involves(agentID) }
    }

    /// makeCall: rings the agent's extension first; when it answers, dials the target.
    /// Answers at once; the call's progress arrives as events.
    public func makeCall(agent: Agent, request: OutboundCallRequest, directory: Directory, logger: Logger) async -> Reply {
        var session = session(of: agent)
        guard session.loggedIn, !session.groups.isEmpty else { return .failure(BackMessage("16")) }
        guard !agent.outboundRestricted else { return .failure(BackMessage("18")) }
        var groupID = outboundGroup(of: session)
        // Empty or 0 names no group (vendor pages send 0): the agent's default group applies.
        if !["", "0"].contains(request.groupID.trimmingWhitespace()) {
            guard let group = directory.group(team: teamID, id: request.groupID) else {
                return .failure(BackMessage("11").with(request.groupID))
            }
            guard session.isSignedIn(to: group.id) else { return .failure(BackMessage("16")) }
            groupID = group.id
        } else if session.signIn(of: groupID)?.workMode == .dialin, let other = session.groups.first(where: { $0.workMode != .dialin }) {
            // No group named and the default one takes inbound calls only: the agent dials as a
            // member of the first signed-in group that allows outbound calls.
            groupID = other.groupID
        }
        // Work mode `dialin` is "inbound only" (manual 3.7), as inbound routing already skips
        // `dialout` agents; BackMsg_18 is the manual's "restricted from outbound calls".
        if session.signIn(of: groupID)?.workMode == .dialin {
            logger.notice("makeCall refused: work mode dialin", metadata: ["agent": "\(agent.number)", "group": "\(groupID)"])
            return .failure(BackMessage("18"))
        }
        let exten = request.agentExtension.trimmingWhitespace()
        if !exten.isEmpty {
            guard directory.hasExtension(team: teamID, number: exten) else { return .failure(.extensionNotFound) }
            session.extensionNumber = exten
            commit(session, logger: logger)
        }
        guard !session.extensionNumber.isEmpty else { return .failure(BackMessage("23")) }
        if let call = liveCall(of: agent.id) {
            // Still ringing the agent for a call it asked for: a repeated click, not a new call.
            if call.direction == .dialout && call.agent?.id == agent.id && !call.agentAnswered { return .failure(BackMessage("22")) }
            return .failure(BackMessage("17").with(session.status.rawValue))
        }
        if session.afterCallWorkSince != nil { return .failure(BackMessage("17").with(AgentStatus.acw.rawValue)) }

        let destination: OriginateRequest.Destination
        let customerNumber: String
        var calledAgent: Agent?
        switch request.target {
        case .external(let number):
            destination = .external(number)
            customerNumber = number
        case .agent(let number):
            // Only agents of the caller's own team can be called (manual 5.8).
            guard let target = directory.agent(team: teamID, number: number), target.id != agent.id else {
                return .failure(BackMessage("55"))
            }
            let targetSession = self.session(of: target)
            guard targetSession.loggedIn, !targetSession.extensionNumber.isEmpty, liveCall(of: target.id) == nil else {
                return .failure(BackMessage("20"))
            }
            destination = .extension(targetSession.extensionNumber)
            customerNumber = number
            calledAgent = target
        }
        let call = Call(
            sessionid: SessionID.make(), direction: .dialout, agent: agent, agentExtension: session.extensionNumber, groupID: groupID,
            customerNumber: customerNumber, didNumber: "", customerDestination: destination, calledAgent: calledAgent,
            modeltype: request.modeltype, modelID: request.modelID, userdata: request.userdata, callerID: request.callerID,
            trunk: request.trunk, startedAt: clock())
        guard await startTwoLegCall(call, firstLeg: .extension(call.agentExtension), logger: logger) else {
            return .failure(BackMessage("20"))
        }
        logger.info(
            "call started", metadata: ["sessionid": "\(call.sessionid)", "agent": "\(agent.number)", "target": "\(customerNumber)"])
        return .success(BackMessage("19"))
    }

    /// backCall: rings `exten` (a team extension or any number) first, then `target`, with no
    /// agent session: the manual's two-leg callback. Its events carry `AgentGroupId=0`.
    /// `callerID` is what `target` sees; `internalCallerID` what `exten` sees (qbackCall sets
    /// it; empty: the target's number, as backCall shows it). `userdata` goes into the events.
    public func backCall(
        exten: String, target: String, callerID: String, internalCallerID: String = "", userdata: String = "",
        directory: Directory, logger: Logger
    ) async -> Reply {
        let first: OriginateRequest.Destination = directory.hasExtension(team: teamID, number: exten) ? .extension(exten) : .external(exten)
        let call = Call(
            sessionid: SessionID.make(), direction: .dialout, agent: nil, agentExtension: exten, groupID: 0, customerNumber: target,
            didNumber: "", customerDestination: .external(target), calledAgent: nil, modeltype: "", modelID: "", userdata: userdata,
            callerID: callerID, trunk: "", startedAt: clock())
        guard await startTwoLegCall(call, firstLeg: first, firstCallerID: internalCallerID, logger: logger) else {
            return .failure(BackMessage("20"))
        }
        logger.info("callback started", metadata: ["sessionid": "\(call.sessionid)", "exten": "\(exten)", "target": "\(target)"])
        return .success(BackMessage("19"))
    }

    /// Registers an outbound call and rings its first leg; the target is dialled when that leg
    /// answers (see `handle`). False, with nothing left behind, when the switch refuses.
    private func startTwoLegCall(
        _ call: Call, firstLeg: OriginateRequest.Destination, firstCallerID: String = "",
        logger: Logger
    ) async -> Bool {
        guard let uniqueid = legRegistry.allocate(team: teamID) else { return false }
        calls[call.sessionid] = call
        legRoles[uniqueid] = (call.sessionid, .agent)
        do {
            let leg = try await callSwitch.originate(
                OriginateRequest(
                    uniqueid: uniqueid, destination: firstLeg, callerID: firstCallerID.isEmpty ? call.customerNumber : firstCallerID,
                    context: "dialout", ringTimeout: Self.agentRingTimeout))
            calls[call.sessionid]?.agentLeg = leg
            persistLive(call.sessionid)
            return true
        } catch {
            calls[call.sessionid] = nil
            legRoles[uniqueid] = nil
            legRegistry.release(uniqueid)
            logger.error("could not ring the first leg", metadata: ["number": "\(call.agentExtension)", "error": "\(error)"])
            return false
        }
    }

    /// Connects the agent and the customer once both are up.
    func bridge(_ call: Call, record: Bool = true) async {
        guard let a = call.agentLeg?.uniqueid, let c = call.customerLeg?.uniqueid else { return }
        do { try await callSwitch.bridge(a, c) } catch {
            callLogger.error("bridge failed", metadata: ["error": "\(error)"])
            return
        }
        guard record, let folder = recordingsDirectory else { return }
        let date = Calendar.current.dateComponents([.year, .month, .day], from: call.startedAt)
        let day = String(format: "%04d%02d%02d", date.year ?? 0, date.month ?? 0, date.day ?? 0)
        let relative = "\(teamID)/\(day)/\(call.sessionid).wav"
        do {
            try await callSwitch.startRecording(uniqueid: a, path: folder + "/" + relative)
            calls[call.sessionid]?.recording = relative
        } catch {
            callLogger.error("could not start recording", metadata: ["sessionid": "\(call.sessionid)", "error": "\(error)"])
        }
    }

    /// Dials the target once the agent has answered.
    func dialCustomer(_ sessionid: String) async {
        guard let call = calls[sessionid], !call.agentDown else { return }
        guard let uniqueid = legRegistry.allocate(team: teamID) else {
            calls[sessionid]?.customerCause = .failed
            if let leg = call.agentLeg { try? await callSwitch.hangup(uniqueid: leg.uniqueid) }
            return
        }
        legRoles[uniqueid] = (sessionid, .customer)
        do {
            let leg = try await callSwitch.originate(
                OriginateRequest(
                    uniqueid: uniqueid, destination: call.customerDestination, callerID: call.callerID, trunk: call.trunk,
                    context: "dialout", ringTimeout: Self.customerRingTimeout))
            calls[sessionid]?.customerLeg = leg
        } catch {
            legRoles[uniqueid] = nil
            legRegistry.release(uniqueid)
            callLogger.error("could not dial the customer", metadata: ["sessionid": "\(sessionid)", "error": "\(error)"])
            calls[sessionid]?.customerCause = .failed
            if let leg = call.agentLeg { try? await callSwitch.hangup(uniqueid: leg.uniqueid) }
        }
    }

    /// Ends the call once every leg is down: the CONVERSATION hangup, the call record, the
    /// agents' states and after-call work as the group's mode says.
    func finishIfDone(_ sessionid: String) async {
        guard var call = calls[sessionid], !call.finished, call.liveLegs().isEmpty, !call.legs().isEmpty else { return }
        call.finished = true
        calls[sessionid] = nil
        for leg in call.legs() {
            legRoles[leg.uniqueid] = nil
            legRegistry.release(leg.uniqueid)
        }
        emit(call, .conversation, .hangup, leg: nil, channel: "")
        let record = CallRecord(
            sessionid: call.sessionid, teamID: teamID, direction: call.direction.rawValue, agentNumber: call.agent?.number ?? "",
            customerNumber: call.customerNumber, didNumber: call.didNumber, groupID: call.groupID, startedAt: call.startedAt,
            answeredAt: call.answeredAt, endedAt: clock(), disposition: call.disposition, recording: call.recording,
            userdata: call.userdata,
            modeltype: call.modeltype, modelID: call.modelID)
        saveRecord(record)
        countFinishedCall(record)
        if let target = call.calledAgent { setActivity(.none, of: target) }
        for party in call.consults { if let target = party.agent { setActivity(.none, of: target) } }
        // An agent that transferred the call left it earlier (and its work then was the transfer).
        if let agent = call.agent, !call.transferred {
            setActivity(.none, of: agent)
            // After-call work: mode 1 once the called party rang, mode 2 once it answered (manual
            // 5.5). The called party is the customer outbound, the agent inbound.
            let rang = call.direction == .dialout ? call.customerRang : call.agentRang
            let answered = call.direction == .dialout ? call.customerAnswered : call.agentAnswered
            if let mode = sessions[agent.id]?.signIn(of: call.groupID)?.afterCallWork,
                (mode == .afterRinging && rang) || (mode == .afterAnswer && answered)
            {
                _ = enterAfterCallWork(agent: agent, logger: callLogger)
            }
        }
        callLogger.info("call ended", metadata: ["sessionid": "\(call.sessionid)", "disposition": "\(record.disposition)"])
        await dispatchWaiting()
    }

    func setActivity(_ activity: CallActivity, of agent: Agent) {
        _ = setCallActivity(activity, agent: agent, logger: callLogger)
    }
}

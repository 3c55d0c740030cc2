import CoccOperations
import CoccStorage
public import CoccSwitch
import Foundation
import Logging

/// What the switch reports, applied to the team's calls: rings, answers and hangups of each leg
/// by its role (agent, customer, consulted party, supervisor), and what the others do then.
extension TeamEngine {
    /// A switch notification for one of this team's legs.
    public func handle(_ notification: SwitchNotification) async {
        guard let (sessionid, _) = legRoles[notification.uniqueid] else { return }
        await apply(notification)
        // The call's new state is on disk (a crash loses no call); an ended call is removed.
        // Ringing changes nothing the record keeps (legs, answers, hangups): no write for it.
        if case .ringing = notification { return }
        persistLive(sessionid)
    }

    private func apply(_ notification: SwitchNotification) async {
        guard let (sessionid, role) = legRoles[notification.uniqueid], var call = calls[sessionid] else { return }
        switch (notification, role) {
        case (.incoming, _):
            return  // new calls arrive through receiveInbound
        case (.ringing, .agent):
            call.agentRang = true
            calls[sessionid] = call
            if let agent = call.agent { setActivity(.ringing, of: agent) }
            emit(call, .agent, .ringing, leg: call.agentLeg)
        case (.answered, .agent):
            call.agentAnswered = true
            if let agent = call.agent { setActivity(.talking, of: agent) }
            if call.direction == .dialin {
                call.answeredAt = clock()
                calls[sessionid] = call
                // Inbound agent answer: the manual prints an empty channel (A.5.3, event 3).
                emit(call, .agent, .answer, leg: call.agentLeg, channel: "")
                await bridge(call)
            } else {
                calls[sessionid] = call
                // Outbound agent answer: the manual prints `channel= ` with one space (A.5.2, event 2).
                emit(call, .agent, .answer, leg: call.agentLeg, channel: " ")
                await dialCustomer(sessionid)
            }
        case (.ringing, .customer):
            call.customerRang = true
            calls[sessionid] = call
            if let target = call.calledAgent { setActivity(.ringing, of: target) }
            emit(call, call.customerSource, .ringing, leg: call.customerLeg)
        case (.answered, .customer):
            call.customerAnswered = true
            call.answeredAt = clock()
            calls[sessionid] = call
            if let target = call.calledAgent { setActivity(.talking, of: target) }
            emit(call, call.customerSource, .answer, leg: call.customerLeg, channel: "")
            await bridge(call)
        case (.hungUp(_, let cause), .customer):
            call.customerDown = true
            if call.direction == .dialout { call.customerCause = call.customerAnswered ? .normal : cause }
            calls[sessionid] = call
            emit(call, call.customerSource, .hangup, leg: call.customerLeg)
            for leg in call.liveLegs() { try? await callSwitch.hangup(uniqueid: leg.uniqueid) }
            await finishIfDone(sessionid)
        case (.hungUp, .agent):
            if call.direction == .dialin && !call.agentAnswered && !call.customerDown {
                await requeue(sessionid)
                return
            }
            call.agentDown = true
            // Leaving a conference hands the customer to the parties in it, as a transfer does;
            // a party the agent was consulting from the conference is let go.
            let joined = call.joinedParties
            if call.conferenced && !joined.isEmpty && !call.customerDown && !call.tearingDown {
                call.transferred = true
                call.agentInConference = false
            }
            calls[sessionid] = call
            emit(call, .agent, .hangup, leg: call.agentLeg)
            if call.transferred {
                if let agent = call.agent { setActivity(.none, of: agent) }
                // Supervisors were on the agent who left; so was a party it was still consulting.
                for leg in call.liveSupervisorLegs() { try? await callSwitch.hangup(uniqueid: leg.uniqueid) }
                if let party = call.currentConsult { try? await callSwitch.hangup(uniqueid: party.leg.uniqueid) }
                if let c = call.customerLeg?.uniqueid, !call.customerDown {
                    let others = joined.map(\.leg.uniqueid)
                    if others.count == 1 {
                        try? await callSwitch.bridge(c, others[0])
                    } else if others.count > 1 {
                        try? await callSwitch.conference([c] + others)
                    }
                }
                await dispatchWaiting()
            } else {
                for leg in call.liveLegs() { try? await callSwitch.hangup(uniqueid: leg.uniqueid) }
            }
            await finishIfDone(sessionid)
        case (.ringing, .consult):
            guard let i = call.consultIndex(of: notification.uniqueid) else { return }
            if let target = call.consults[i].agent { setActivity(.ringing, of: target) }
            emit(call, .consult, .ringing, leg: call.consults[i].leg)
        case (.answered, .consult):
            guard let i = call.consultIndex(of: notification.uniqueid) else { return }
            call.consults[i].answered = true
            calls[sessionid] = call
            if let target = call.consults[i].agent { setActivity(.talking, of: target) }
            emit(call, .consult, .answer, leg: call.consults[i].leg, channel: "")
            // The agent talks with the consulted party (it leaves a conference for that).
            if let a = call.agentLeg?.uniqueid, !call.agentDown, !call.transferred, !call.consults[i].joined {
                try? await callSwitch.bridge(a, notification.uniqueid)
                calls[sessionid]?.agentInConference = false
            }
        case (.ringing, .supervisor):
            break
        case (.answered, .supervisor):
            guard let index = call.supervisors.firstIndex(where: { $0.leg.uniqueid == notification.uniqueid }) else { return }
            let supervisor = call.supervisors[index]
            guard let target = call.agentLeg, !call.agentDown else {
                try? await callSwitch.hangup(uniqueid: supervisor.leg.uniqueid)
                return
            }
            do { try await callSwitch.spy(supervisor.leg.uniqueid, on: target.uniqueid, mode: supervisor.mode) } catch {
                callLogger.error("could not attach the supervisor", metadata: ["error": "\(error)"])
                try? await callSwitch.hangup(uniqueid: supervisor.leg.uniqueid)
                return
            }
            calls[sessionid]?.supervisors[index].joined = true
            // The manual names the further parties of a call CONSULT ("the N-th party").
            emit(call, .consult, .join, leg: supervisor.leg)
        case (.hungUp, .supervisor):
            guard let index = call.supervisors.firstIndex(where: { $0.leg.uniqueid == notification.uniqueid }) else { return }
            calls[sessionid]?.supervisors[index].down = true
            calls[sessionid]?.supervisors[index].leftEarly = !call.customerDown
            if call.supervisors[index].joined { emit(call, .consult, .hangup, leg: call.supervisors[index].leg) }
            await finishIfDone(sessionid)
        case (.hungUp, .consult):
            guard let i = call.consultIndex(of: notification.uniqueid) else { return }
            let party = call.consults[i]
            call.consults[i].down = true
            // Left early: the call goes on without it. The last party of a transferred call
            // ends the call, and so is there at the end (its CONVERSATION hangup).
            call.consults[i].leftEarly = !call.customerDown && !(call.transferred && call.joinedParties.isEmpty)
            calls[sessionid] = call
            if let target = party.agent { setActivity(.none, of: target) }
            emit(call, .consult, .hangup, leg: party.leg)
            await consultedPartyLeft(sessionid, party: party)
            await finishIfDone(sessionid)
        }
    }

    /// A consulted party hung up: what the others do now.
    private func consultedPartyLeft(_ sessionid: String, party: Call.ConsultParty) async {
        guard let call = calls[sessionid], !call.customerDown, let customer = call.customerLeg else { return }
        let joined = call.joinedParties
        if call.transferred {
            // The agent is gone: the call lives on while the customer talks with someone.
            if joined.isEmpty {
                for leg in call.liveLegs() { try? await callSwitch.hangup(uniqueid: leg.uniqueid) }
            } else if joined.count == 1 {
                try? await callSwitch.bridge(customer.uniqueid, joined[0].leg.uniqueid)
            }
        } else if party.joined, call.conferenced, joined.isEmpty {
            // The last party left the conference: back to agent and customer, or, while the
            // agent consults someone else, the customer now waits alone and is held.
            calls[sessionid]?.conferenced = false
            if call.agentInConference {
                calls[sessionid]?.agentInConference = false
                await bridge(calls[sessionid] ?? call, record: false)
            } else if (try? await callSwitch.hold(uniqueid: customer.uniqueid, music: true)) != nil {
                calls[sessionid]?.held = true
                calls[sessionid]?.agentInConference = false
                emit(call, call.customerSource, .onhold, leg: customer)
            }
        }
    }
}

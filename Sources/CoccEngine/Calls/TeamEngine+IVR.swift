public import CoccOperations
public import CoccStorage
import CoccSwitch
public import Logging

extension TeamEngine {
    /// agentToIvr: sends the customer into the IVR at `ivrexten`, at the menu `ivrflow` leads to
    /// (`1-2-5`: 1 at the first menu, 2 at the second, 5 at the third; empty: the main menu).
    /// Mode 0 releases the agent; mode 1 keeps its leg on hold until callReturn takes the
    /// customer back (the manual leaves that return path open; callReturn is what an agent has).
    public func agentToIvr(agent: Agent, ivrExten: String, ivrFlow: String, releaseAgent: Bool, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id), call.agent?.id == agent.id, !call.transferred, call.agentAnswered,
            let customer = call.customerLeg, !call.customerDown, call.customerAnswered, let agentLeg = call.agentLeg
        else { return .failure(BackMessage("92")) }
        // Not while a consulted party rings or talks with the agent (from a plain call or from a
        // conference); a conference itself may send the customer on in mode 1.
        guard !call.consultLive else { return .failure(BackMessage("104")) }
        guard !(releaseAgent && call.conferenced) else { return .failure(BackMessage("105")) }
        guard let ivr = ivrMenus[ivrExten.trimmingWhitespace()] else { return .failure(BackMessage("106")) }
        let flow = ivrFlow.trimmingWhitespace()
        let path = flow.isEmpty ? [] : flow.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard path.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") } }),
            ivr.menu(at: path) != nil
        else { return .failure(BackMessage("107")) }
        do {
            if call.held { try await callSwitch.unhold(uniqueid: customer.uniqueid) }
            try await callSwitch.redirect(customer.uniqueid, toIVR: ivrExten.trimmingWhitespace(), path: path)
            if !releaseAgent { try await callSwitch.hold(uniqueid: agentLeg.uniqueid, music: true) }
        } catch {
            logger.error("IVR transfer failed", metadata: ["error": "\(error)"])
            return .failure(BackMessage("109"))
        }
        calls[call.sessionid]?.held = false
        if releaseAgent {
            // The customer stays with the IVR; the agent's leg ends without ending the call.
            calls[call.sessionid]?.transferred = true
            try? await callSwitch.hangup(uniqueid: agentLeg.uniqueid)
        } else {
            calls[call.sessionid]?.customerInIVR = true
        }
        logger.info("customer sent to IVR", metadata: ["ivr": "\(ivrExten)", "flow": "\(flow)", "release": "\(releaseAgent)"])
        return .success(BackMessage("108"))
    }
}

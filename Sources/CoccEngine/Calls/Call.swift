public import Foundation
public import CoccOperations
public import CoccSwitch

/// One call: its legs, what happened to them, and what its events carry.
public struct Call: Sendable {
    public enum Role: Sendable { case agent, customer }

    public let sessionid: String
    public let direction: CallEventMessage.Direction
    public let agent: Agent
    /// The extension the agent's leg rings: the events' `activenum`.
    public let agentExtension: String
    public let groupID: Int64
    public let customerNumber: String
    public let didNumber: String
    public let customerDestination: OriginateRequest.Destination
    /// For an inner call, the agent being called.
    public let calledAgent: Agent?
    public let modeltype: String
    public let modelID: String
    public let userdata: String
    public let callerID: String
    public let trunk: String
    public let startedAt: Date

    public internal(set) var agentLeg: LegInfo?
    public internal(set) var customerLeg: LegInfo?
    public internal(set) var agentAnswered = false
    public internal(set) var agentDown = false
    public internal(set) var customerRang = false
    public internal(set) var customerAnswered = false
    public internal(set) var customerDown = false
    public internal(set) var customerCause: HangupCause?
    public internal(set) var answeredAt: Date?
    public internal(set) var held = false
    var finished = false

    /// The events' source for the customer side.
    var customerSource: CallEventMessage.Source { direction == .dialout ? .callee : .caller }

    /// How the call ended, for the call record.
    var disposition: String {
        if customerAnswered { return "answered" }
        switch customerCause {
        case .busy: return "busy"
        case .noAnswer: return "noanswer"
        case .failed: return "failed"
        default: return agentAnswered ? "cancelled" : "agent-noanswer"
        }
    }

    func legs() -> [LegInfo] { [agentLeg, customerLeg].compactMap { $0 } }
}

/// A call session id: 32 lowercase hexadecimal digits, as in the manual's events.
enum SessionID {
    static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &rng)
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

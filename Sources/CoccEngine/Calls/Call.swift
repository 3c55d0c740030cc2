public import CoccOperations
public import CoccStorage
public import CoccSwitch
public import Foundation

/// One call: its legs, what happened to them, and what its events carry.
public struct Call: Sendable {
    public enum Role: Sendable { case agent, customer, consult, supervisor }

    /// A supervisor's leg on the call: listening, whispering to the agent, or barged in.
    public struct SupervisorLeg: Sendable {
        public var leg: LegInfo
        public var mode: SpyMode
        public var joined = false
        public var down = false
        /// The supervisor when it is an agent (a group leader): its channel gets the call's events.
        public var agent: Agent?
        /// Its leg ended while the customer was still on the call.
        public var leftEarly = false
    }

    /// A consulted party: an agent of the team or a phone number, on its own leg.
    public struct ConsultParty: Sendable {
        public var leg: LegInfo
        public var agent: Agent?
        public var answered = false
        public var down = false
        /// Talks with the customer: in the conference, or handed the customer by a transfer.
        public var joined = false
        /// Its leg ended while the customer was still on the call.
        public var leftEarly = false
        var live: Bool { !down }
    }

    public let sessionid: String
    public let direction: CallEventMessage.Direction
    /// The agent on the call; an inbound call has none while it waits in the queue.
    public internal(set) var agent: Agent?
    /// The extension the agent's leg rings: the events' `activenum`.
    public internal(set) var agentExtension: String
    public let groupID: Int64
    /// Inbound: the queue priority; higher is offered first.
    public let priority: Int
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
    public internal(set) var agentRang = false
    public internal(set) var agentAnswered = false
    public internal(set) var agentDown = false
    public internal(set) var customerRang = false
    public internal(set) var customerAnswered = false
    public internal(set) var customerDown = false
    public internal(set) var customerCause: HangupCause?
    public internal(set) var answeredAt: Date?
    public internal(set) var held = false
    /// The recording's path under the recordings folder, once the conversation is recorded.
    public internal(set) var recording = ""
    /// Every party the agent consulted on this call, oldest first (manual 3.13: hangup
    /// `target=consult` ends "all consulted parties, oldest to newest").
    public internal(set) var consults: [ConsultParty] = []
    /// The agent handed the customer to the consulted party and left (transfer).
    public internal(set) var transferred = false
    /// The customer was sent to an IVR with the agent's leg kept (agentToIvr mode 1).
    public internal(set) var customerInIVR = false
    /// The customer talks with joined consulted parties in a conference (conference).
    public internal(set) var conferenced = false
    /// The agent is in that conference; false while it consults a further party from it.
    public internal(set) var agentInConference = false
    /// Every leg is being hung up (hangup `all`, forcedRelease, shutdown): no hand-over to the
    /// consulted parties when the agent's leg goes first.
    var tearingDown = false
    public internal(set) var supervisors: [SupervisorLeg] = []
    /// Inbound: agents that were offered the call and did not answer.
    var tried: Set<Int64> = []
    var finished = false

    init(
        sessionid: String, direction: CallEventMessage.Direction, agent: Agent?, agentExtension: String, groupID: Int64, priority: Int = 0,
        customerNumber: String, didNumber: String, customerDestination: OriginateRequest.Destination, calledAgent: Agent?,
        modeltype: String, modelID: String, userdata: String, callerID: String, trunk: String, startedAt: Date
    ) {
        self.sessionid = sessionid
        self.direction = direction
        self.agent = agent
        self.agentExtension = agentExtension
        self.groupID = groupID
        self.priority = priority
        self.customerNumber = customerNumber
        self.didNumber = didNumber
        self.customerDestination = customerDestination
        self.calledAgent = calledAgent
        self.modeltype = modeltype
        self.modelID = modelID
        self.userdata = userdata
        self.callerID = callerID
        self.trunk = trunk
        self.startedAt = startedAt
    }

    /// An inbound caller still in the queue's care: not ended and not hung up (with or without
    /// an agent yet). queueCustomerNum and the live view count these.
    var isInQueue: Bool { direction == .dialin && !finished && !customerDown }

    /// The events' source for the customer side.
    var customerSource: CallEventMessage.Source { direction == .dialout ? .callee : .caller }

    /// How the call ended, for the call record.
    var disposition: String {
        if direction == .dialin { return agentAnswered ? "answered" : "abandoned" }
        if customerAnswered { return "answered" }
        switch customerCause {
        case .busy: return "busy"
        case .noAnswer: return "noanswer"
        case .failed: return "failed"
        default: return agentAnswered ? "cancelled" : "agent-noanswer"
        }
    }

    func legs() -> [LegInfo] { [agentLeg, customerLeg].compactMap { $0 } + consults.map(\.leg) + supervisors.map(\.leg) }

    /// The legs still up or ringing.
    func liveLegs() -> [LegInfo] {
        [agentDown ? nil : agentLeg, customerDown ? nil : customerLeg].compactMap { $0 } + consults.filter(\.live).map(\.leg)
            + liveSupervisorLegs()
    }

    func liveSupervisorLegs() -> [LegInfo] { supervisors.filter { !$0.down }.map(\.leg) }

    /// The party being consulted now (ringing or up, not yet talking with the customer).
    var currentConsultIndex: Int? { consults.lastIndex { $0.live && !$0.joined } }
    var currentConsult: ConsultParty? { currentConsultIndex.map { consults[$0] } }

    /// A consult leg that is ringing or up.
    var consultLive: Bool { currentConsultIndex != nil }

    /// The consulted parties talking with the customer.
    var joinedParties: [ConsultParty] { consults.filter { $0.live && $0.joined } }

    /// Agent and customer alone: no consulted party ringing or up, no conference (hold and
    /// resume apply only then, manual 3.20/3.21).
    var isTwoParty: Bool { !conferenced && !consultLive && joinedParties.isEmpty }

    /// Whether an agent on this call may hang up one of its legs itself: the call's agent or the
    /// agent it called any leg but a silent monitor's (which it must not learn of); a consulted
    /// agent its own leg, and the customer's and the other parties' once it talks with them.
    func mayHangUp(_ uniqueid: Int64, role: Role, by actor: Int64) -> Bool {
        if role == .supervisor, agent?.id == actor, supervisors.first(where: { $0.leg.uniqueid == uniqueid })?.mode == .listen {
            return false
        }
        if (agent?.id == actor && !transferred) || calledAgent?.id == actor { return true }
        guard let mine = consults.last(where: { $0.live && $0.agent?.id == actor }) else { return false }
        if mine.leg.uniqueid == uniqueid { return true }
        return mine.joined && (role == .customer || role == .consult)
    }

    func consultIndex(of uniqueid: Int64) -> Int? { consults.firstIndex { $0.leg.uniqueid == uniqueid } }

    /// Whether the agent is on this call: its own agent (until it transferred the call away),
    /// the agent it called, or an agent it consults or conferenced in. (A supervising agent is
    /// not: its leg is the supervisor's, and it stays free for its own calls.)
    func involves(_ agentID: Int64) -> Bool {
        (agent?.id == agentID && !transferred) || calledAgent?.id == agentID
            || consults.contains { $0.live && $0.agent?.id == agentID }
    }
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

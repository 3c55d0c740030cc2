import CoccOperations

/// An agent's status as agentgroupStatus, teamStatus and agentRealtime report it.
public enum AgentStatus: String, Sendable, CaseIterable, Codable {
    case idle, pause, ring, busy, acw, logout

    /// The word login's `param` uses: the manual documents `idel` (sic), `ringing`, `busy`, `pause`.
    /// ACW has no word of its own there; the agent is still occupied, so it reads `busy`.
    public var loginWord: String {
        switch self {
        case .idle, .logout: return "idel"
        case .ring: return "ringing"
        case .busy, .acw: return "busy"
        case .pause: return "pause"
        }
    }
}

/// The pause reasons that have their own statistics, in agentRealtime's order.
public enum PauseReason: String, Sendable, CaseIterable, Codable {
    case rest, leave, meeting, training, lunch, other

    /// The statistics bucket of a free-text reason: a keyword, or `other`, so that totals equal
    /// the sum of the buckets as in the manual's example.
    public init(bucketing reason: String) {
        self = PauseReason(rawValue: reason.trimmingWhitespace().lowercased()) ?? .other
    }
}

/// When a group puts the agent into after-call work: acwAction's `type`.
public enum AfterCallWorkMode: Int, Sendable, Codable, CaseIterable {
    case afterRinging = 1
    case afterAnswer = 2
    case off = 3
}

/// Which calls a group offers the agent: workwayAction's `status`.
public enum WorkMode: String, Sendable, Codable, CaseIterable {
    case dialin, dialout, all
}

/// The agent's part in a call; driven by the call engine.
public enum CallActivity: String, Sendable, Codable {
    case none, ringing, talking
}

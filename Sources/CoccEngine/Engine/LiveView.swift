public import CoccStorage
public import Foundation

/// What a wallboard or an agent's status bar shows: the agents of a team (or of the groups a
/// supervisor leads, or one agent), their state and call, and each group's queue, as the team's
/// engine sees them at one instant.
///
/// ```swift
/// let view = await engine.liveView(scope: .team, directory: directory)
/// view.agents.first?.status        // .pause
/// view.groups.first?.waiting       // 2
/// ```
public struct LiveView: Sendable, Equatable {
    /// Which agents and groups a principal may see.
    public enum Scope: Sendable, Equatable {
        /// The whole team (an account).
        case team
        /// These groups and their agents (a group admin's groups).
        case groups(Set<Int64>)
        /// One agent and the groups it belongs to (the agent desk).
        case agent(Int64)
    }

    public struct AgentLine: Sendable, Equatable {
        public var number: String
        public var name: String
        public var extensionNumber: String
        public var status: AgentStatus
        public var statusSince: Date
        /// The pause's reason, when paused (shown also while a call or ACW outranks the pause).
        public var pauseReason: String?
        public var pauseSince: Date?
        public var afterCallWorkSince: Date?
        public var dnd: Bool
        /// The groups the agent belongs to, with its sign-in there if any.
        public var groups: [GroupMembership]
        /// The call the agent is on, if any.
        public var call: CallLine?
    }

    public struct GroupMembership: Sendable, Equatable {
        public var groupID: Int64
        public var isGroupAdmin: Bool
        /// Nil when the agent is not signed in to the group.
        public var signedInSince: Date?
        public var workMode: WorkMode?
        public var afterCallWork: AfterCallWorkMode?
    }

    public struct CallLine: Sendable, Equatable {
        public var sessionid: String
        /// `dialin` or `dialout`.
        public var direction: String
        /// The party the agent talks to: the customer, or the agent that consults it.
        public var otherParty: String
        public var groupID: Int64
        public var didNumber: String
        public var userdata: String
        public var startedAt: Date
        public var answeredAt: Date?
        public var held: Bool
        /// The agent is being consulted on another agent's call, not the call's own agent.
        public var consulted: Bool
    }

    public struct GroupLine: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var queueNumber: String
        /// Callers in the queue with no agent yet, and since when the longest of them waits.
        public var waiting: Int
        public var longestWaitSince: Date?
        /// Signed-in agents that are idle (could take a call now).
        public var available: Int
        public var signedIn: Int
        /// Inbound calls of today (server time zone) that ended answered or abandoned.
        public var answeredToday: Int
        public var abandonedToday: Int
    }

    public var teamID: Int64
    public var teamIdentity: String
    public var teamName: String
    /// The team's message language: "", "cn" or "en".
    public var language: String
    public var at: Date
    public var agents: [AgentLine]
    public var groups: [GroupLine]
}

public import Foundation

/// One agent's live state: login, group sign-ins, pause, after-call work, call activity.
///
/// It is persisted whole after every change, so sign-ins and pauses survive a restart.
public struct AgentSession: Sendable, Codable, Equatable {
    public struct GroupSignIn: Sendable, Codable, Equatable {
        public var groupID: Int64
        public var afterCallWork: AfterCallWorkMode
        public var workMode: WorkMode
        public var since: Date

        public init(groupID: Int64, afterCallWork: AfterCallWorkMode, workMode: WorkMode, since: Date) {
            self.groupID = groupID
            self.afterCallWork = afterCallWork
            self.workMode = workMode
            self.since = since
        }
    }

    public struct ActivePause: Sendable, Codable, Equatable {
        public var reason: String
        public var since: Date

        // No pause-history row id here: the history is keyed by agent (an agent has at most one
        // open pause), and sessions saved by earlier versions with a `recordID` still decode.
        public init(reason: String, since: Date) {
            self.reason = reason
            self.since = since
        }
    }

    public var agentID: Int64
    public var teamID: Int64
    public var loggedIn: Bool
    public var loginAt: Date?
    /// The extension the agent works on now (setdevice, queueAction's `deviceexten`).
    public var extensionNumber: String
    public var groups: [GroupSignIn]
    public var pause: ActivePause?
    /// Do-not-disturb on the extension, set by queuePause's `dnd`.
    public var dnd: Bool
    public var afterCallWorkSince: Date?
    public var call: CallActivity
    /// When the overall status last changed; agentRealtime reports the time since.
    public var statusSince: Date
    /// The group makeCall dials out in when it names none (the vendor's DefaultGroup). Kept
    /// across logouts; sessions saved before it existed decode it as nil.
    public var defaultGroupID: Int64?

    public init(agent: Agent, now: Date) {
        agentID = agent.id
        teamID = agent.teamID
        loggedIn = false
        loginAt = nil
        extensionNumber = agent.extensionNumber
        groups = []
        pause = nil
        dnd = false
        afterCallWorkSince = nil
        call = .none
        statusSince = now
        defaultGroupID = nil
    }

    public func signIn(of groupID: Int64) -> GroupSignIn? {
        groups.first { $0.groupID == groupID }
    }

    public func isSignedIn(to groupID: Int64) -> Bool { signIn(of: groupID) != nil }

    /// The status in one group: `logout` when not signed in there.
    public func status(inGroup groupID: Int64) -> AgentStatus {
        isSignedIn(to: groupID) ? activityStatus : .logout
    }

    /// The overall status: `logout` when signed in to no group.
    public var status: AgentStatus {
        loggedIn && !groups.isEmpty ? activityStatus : .logout
    }

    /// A call outranks after-call work, which outranks a pause.
    private var activityStatus: AgentStatus {
        switch call {
        case .talking: return .busy
        case .ringing: return .ring
        case .none: break
        }
        if afterCallWorkSince != nil { return .acw }
        if pause != nil { return .pause }
        return .idle
    }
}

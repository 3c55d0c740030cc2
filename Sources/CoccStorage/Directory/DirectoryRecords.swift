import Foundation

/// A tenant, named on the wire by `orgidentity`; its id is the events' `AgentTeamId`.
public struct Team: Sendable, Equatable, Codable {
    public var id: Int64
    public var identity: String
    public var name: String
    /// Where team events are POSTed (event delivery issue); empty when unset.
    public var eventURL: String
    /// Message language for this team's replies when the request has no `lang`: "", "cn" or "en".
    public var language: String

    public init(id: Int64, identity: String, name: String, eventURL: String = "", language: String = "") {
        self.id = id
        self.identity = identity
        self.name = name
        self.eventURL = eventURL
        self.language = language
    }
}

/// A system user of a team (`usertype=account`); agents may belong to one.
public struct Account: Sendable, Equatable, Codable {
    public var id: Int64
    public var teamID: Int64
    public var username: String
    public var passwordHash: String
    /// The "surname" the manual's agentRealtime falls back on.
    public var surname: String
    public var enabled: Bool

    public init(id: Int64, teamID: Int64, username: String, passwordHash: String, surname: String = "", enabled: Bool = true) {
        self.id = id
        self.teamID = teamID
        self.username = username
        self.passwordHash = passwordHash
        self.surname = surname
        self.enabled = enabled
    }
}

/// An agent (`usertype=agent`), known on the wire by its number.
public struct Agent: Sendable, Equatable, Codable {
    public var id: Int64
    public var teamID: Int64
    public var number: String
    public var name: String
    public var passwordHash: String
    /// The extension the agent works on unless a session sets another.
    public var extensionNumber: String
    /// The account the agent belongs to (BackMsg_05/06 refer to it), if any.
    public var accountID: Int64?
    /// May not dial out (makeCall answers BackMsg_18).
    public var outboundRestricted: Bool

    public init(
        id: Int64, teamID: Int64, number: String, name: String, passwordHash: String, extensionNumber: String, accountID: Int64? = nil,
        outboundRestricted: Bool = false
    ) {
        self.outboundRestricted = outboundRestricted
        self.id = id
        self.teamID = teamID
        self.number = number
        self.name = name
        self.passwordHash = passwordHash
        self.extensionNumber = extensionNumber
        self.accountID = accountID
    }
}

/// An agent group (a queue), with its queue number.
public struct AgentGroup: Sendable, Equatable, Codable {
    public var id: Int64
    public var teamID: Int64
    public var name: String
    public var queueNumber: String

    public init(id: Int64, teamID: Int64, name: String, queueNumber: String) {
        self.id = id
        self.teamID = teamID
        self.name = name
        self.queueNumber = queueNumber
    }
}

/// Static members are signed in to the group on login; dynamic members check in with queueAction.
public enum MembershipKind: String, Sendable, Codable, CaseIterable {
    case `static`
    case dynamic
}

/// An agent's membership of a group.
public struct Membership: Sendable, Equatable, Codable {
    public var agentID: Int64
    public var groupID: Int64
    public var kind: MembershipKind
    public var isGroupAdmin: Bool

    public init(agentID: Int64, groupID: Int64, kind: MembershipKind, isGroupAdmin: Bool = false) {
        self.agentID = agentID
        self.groupID = groupID
        self.kind = kind
        self.isGroupAdmin = isGroupAdmin
    }
}

/// A phone extension of a team.
public struct PhoneExtension: Sendable, Equatable, Codable {
    public var teamID: Int64
    public var number: String

    public init(teamID: Int64, number: String) {
        self.teamID = teamID
        self.number = number
    }
}

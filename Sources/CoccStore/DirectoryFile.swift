public import Foundation
public import CoccEngine

/// A whole directory as a JSON file, for `coccd directory load FILE`.
///
/// ```json
/// {"teams": [{"identity": "acme", "name": "Acme",
///   "accounts": [{"username": "admin", "password": "s3cret"}],
///   "agents": [{"number": "1001", "password": "pw", "extension": "1001"}],
///   "groups": [{"name": "Sales", "queueNumber": "7001", "members": [{"agent": "1001", "kind": "static"}]}]}]}
/// ```
public struct DirectoryFile: Codable, Sendable {
    public struct TeamEntry: Codable, Sendable {
        public var identity: String
        public var name: String
        public var id: Int64?
        public var eventURL: String?
        public var language: String?
        public var accounts: [AccountEntry]?
        public var agents: [AgentEntry]?
        public var extensions: [String]?
        public var groups: [GroupEntry]?
        public init(identity: String, name: String, id: Int64? = nil, accounts: [AccountEntry] = [], agents: [AgentEntry] = [],
                    extensions: [String] = [], groups: [GroupEntry] = []) {
            self.identity = identity
            self.name = name
            self.id = id
            self.accounts = accounts
            self.agents = agents
            self.extensions = extensions
            self.groups = groups
        }
    }

    public struct AccountEntry: Codable, Sendable {
        public var username: String
        public var password: String
        public var surname: String?
        public init(username: String, password: String, surname: String? = nil) {
            self.username = username
            self.password = password
            self.surname = surname
        }
    }

    public struct AgentEntry: Codable, Sendable {
        public var number: String
        public var name: String?
        public var password: String
        public var `extension`: String?
        public var account: String?
        public init(number: String, name: String? = nil, password: String, extension exten: String? = nil, account: String? = nil) {
            self.number = number
            self.name = name
            self.password = password
            self.extension = exten
            self.account = account
        }
    }

    public struct GroupEntry: Codable, Sendable {
        public var id: Int64?
        public var name: String
        public var queueNumber: String
        public var members: [MemberEntry]?
        public init(id: Int64? = nil, name: String, queueNumber: String, members: [MemberEntry] = []) {
            self.id = id
            self.name = name
            self.queueNumber = queueNumber
            self.members = members
        }
    }

    public struct MemberEntry: Codable, Sendable {
        public var agent: String
        public var kind: MembershipKind?
        public var admin: Bool?
        public init(agent: String, kind: MembershipKind, admin: Bool = false) {
            self.agent = agent
            self.kind = kind
            self.admin = admin
        }
    }

    public var teams: [TeamEntry]

    public init(teams: [TeamEntry]) { self.teams = teams }
}

extension DirectoryAdmin {
    /// Adds everything in the file. Each team goes in whole or not at all is not promised across
    /// teams, but a failure names the entry that failed.
    public func load(_ file: DirectoryFile) throws {
        for team in file.teams {
            try addTeam(identity: team.identity, name: team.name, id: team.id)
            if team.eventURL != nil || team.language != nil {
                try updateTeam(identity: team.identity, eventURL: team.eventURL, language: team.language)
            }
            for a in team.accounts ?? [] { try addAccount(team: team.identity, username: a.username, password: a.password, surname: a.surname ?? "") }
            for e in team.extensions ?? [] { try addExtension(team: team.identity, number: e) }
            for a in team.agents ?? [] {
                try addAgent(team: team.identity, number: a.number, name: a.name ?? "", password: a.password, extension: a.extension ?? "", account: a.account)
            }
            for g in team.groups ?? [] {
                let gid = try addGroup(team: team.identity, name: g.name, queueNumber: g.queueNumber, id: g.id)
                for m in g.members ?? [] { try addMember(team: team.identity, group: gid, agent: m.agent, kind: m.kind ?? .static, admin: m.admin ?? false) }
            }
        }
    }

    public func load(contentsOf url: URL) throws {
        try load(try JSONDecoder().decode(DirectoryFile.self, from: Data(contentsOf: url)))
    }
}

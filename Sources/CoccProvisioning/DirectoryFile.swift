public import CoccEngine
public import CoccStorage
public import Foundation

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
        public init(
            identity: String, name: String, id: Int64? = nil, accounts: [AccountEntry] = [], agents: [AgentEntry] = [],
            extensions: [String] = [], groups: [GroupEntry] = []
        ) {
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
    /// Adds everything in the file in one transaction: a failure (a duplicate, an unknown agent
    /// in a group) names what failed and leaves the directory exactly as it was. Passwords are
    /// hashed first, so the slow hashing does not hold the write lock.
    public func load(_ file: DirectoryFile) async throws {
        var changes: [DirectoryChange] = []
        for team in file.teams {
            changes.append(.addTeam(identity: team.identity, name: team.name, id: team.id))
            if team.eventURL != nil || team.language != nil {
                changes.append(.updateTeam(identity: team.identity, name: nil, eventURL: team.eventURL, language: team.language))
            }
            for account in team.accounts ?? [] {
                changes.append(
                    .addAccount(
                        team: team.identity, username: account.username, passwordHash: hash(account.password),
                        surname: account.surname ?? ""))
            }
            for number in team.extensions ?? [] { changes.append(.addExtension(team: team.identity, number: number)) }
            for agent in team.agents ?? [] {
                changes.append(
                    .addAgent(
                        team: team.identity, number: agent.number, name: agent.name ?? "", passwordHash: hash(agent.password),
                        extension: agent.extension ?? agent.number, account: agent.account))
            }
            for group in team.groups ?? [] {
                let index = changes.count
                changes.append(.addGroup(team: team.identity, name: group.name, queueNumber: group.queueNumber, id: group.id))
                for m in group.members ?? [] {
                    changes.append(
                        .setMember(
                            team: team.identity, group: .added(index), agent: m.agent, kind: m.kind ?? .static, admin: m.admin ?? false))
                }
            }
        }
        _ = try await store.apply(changes)
    }

    public func load(contentsOf url: URL) async throws {
        try await load(try JSONDecoder().decode(DirectoryFile.self, from: Data(contentsOf: url)))
    }
}

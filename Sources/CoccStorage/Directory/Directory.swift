import CoccOperations

/// An immutable snapshot of the whole directory, indexed for the lookups every request makes.
///
/// The store builds it; ``CallCenter`` swaps in a new snapshot when the stored revision moves,
/// so provisioning from the CLI reaches a running server without a restart.
public struct Directory: Sendable {
    public let revision: Int64
    public let teams: [Int64: Team]
    public let agents: [Int64: Agent]
    public let accounts: [Int64: Account]
    public let groups: [Int64: AgentGroup]
    public let memberships: [Membership]
    public let extensions: [PhoneExtension]

    private let teamByIdentity: [String: Int64]
    private let agentByNumber: [Int64: [String: Int64]]
    private let accountByName: [Int64: [String: Int64]]
    private let membershipsByAgent: [Int64: [Membership]]
    private let membershipsByGroup: [Int64: [Membership]]
    private let extensionsByTeam: [Int64: Set<String>]

    public init(
        revision: Int64, teams: [Team], agents: [Agent], accounts: [Account], groups: [AgentGroup],
        memberships: [Membership], extensions: [PhoneExtension]
    ) {
        self.revision = revision
        self.teams = Dictionary(teams.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.agents = Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.accounts = Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.groups = Dictionary(groups.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.memberships = memberships
        self.extensions = extensions
        self.teamByIdentity = Dictionary(teams.map { ($0.identity, $0.id) }, uniquingKeysWith: { a, _ in a })
        var byNumber: [Int64: [String: Int64]] = [:]
        for agent in agents { byNumber[agent.teamID, default: [:]][agent.number] = agent.id }
        self.agentByNumber = byNumber
        var byName: [Int64: [String: Int64]] = [:]
        for account in accounts { byName[account.teamID, default: [:]][account.username] = account.id }
        self.accountByName = byName
        self.membershipsByAgent = Dictionary(grouping: memberships, by: \.agentID)
        self.membershipsByGroup = Dictionary(grouping: memberships, by: \.groupID)
        var exts: [Int64: Set<String>] = [:]
        for e in extensions { exts[e.teamID, default: []].insert(e.number) }
        self.extensionsByTeam = exts
    }

    /// An empty directory, before anything is provisioned.
    public static let empty = Directory(revision: -1, teams: [], agents: [], accounts: [], groups: [], memberships: [], extensions: [])

    public func team(identity: String) -> Team? {
        teamByIdentity[identity].flatMap { teams[$0] }
    }

    public func agent(team: Int64, number: String) -> Agent? {
        agentByNumber[team]?[number].flatMap { agents[$0] }
    }

    public func account(team: Int64, username: String) -> Account? {
        accountByName[team]?[username].flatMap { accounts[$0] }
    }

    /// The agent's memberships, ordered by group id.
    public func memberships(ofAgent id: Int64) -> [Membership] {
        (membershipsByAgent[id] ?? []).sorted { $0.groupID < $1.groupID }
    }

    /// The group's memberships, ordered by agent number.
    public func memberships(ofGroup id: Int64) -> [Membership] {
        (membershipsByGroup[id] ?? []).sorted { (agents[$0.agentID]?.number ?? "") < (agents[$1.agentID]?.number ?? "") }
    }

    /// A group of this team, by its id as the wire writes it; nil for another team's group.
    public func group(team: Int64, id: String) -> AgentGroup? {
        guard let gid = Int64(id.trimmingWhitespace()), let group = groups[gid], group.teamID == team else { return nil }
        return group
    }

    public func group(team: Int64, queueNumber: String) -> AgentGroup? {
        groups.values.first { $0.teamID == team && $0.queueNumber == queueNumber }
    }

    /// The team's agents, ordered by number.
    public func agents(ofTeam id: Int64) -> [Agent] {
        (agentByNumber[id] ?? [:]).values.compactMap { agents[$0] }.sorted { $0.number < $1.number }
    }

    public func hasExtension(team: Int64, number: String) -> Bool {
        extensionsByTeam[team]?.contains(number) ?? false
    }
}

public import CoccEngine
public import CoccStorage

/// Provisioning: adds, changes and removes teams, accounts, agents, groups, memberships and
/// extensions, on whichever store is open. Passwords are hashed here and never stored in clear.
///
/// ```swift
/// let admin = DirectoryAdmin(store: store)
/// let team = try await admin.addTeam(identity: "acme", name: "Acme")
/// try await admin.addAgent(team: "acme", number: "1001", password: "secret", extension: "1001")
/// ```
/// Each call is one transaction of the store's (``DirectoryProvisioningStore``); a directory
/// file is one too (``load(_:)``).
public struct DirectoryAdmin: Sendable {
    public let store: any DirectoryStore & DirectoryProvisioningStore
    /// PBKDF2 rounds for new hashes; tests lower it to stay fast.
    public var rounds: Int

    public init(store: any DirectoryStore & DirectoryProvisioningStore, rounds: Int = PasswordHash.defaultRounds) {
        self.store = store
        self.rounds = rounds
    }

    public typealias AdminError = DirectoryAdminError

    func hash(_ password: String) -> String { PasswordHash.make(password: password, rounds: rounds) }

    /// Applies one change and answers its id (for an `add`).
    func one(_ change: DirectoryChange) async throws -> Int64 {
        try await store.apply([change]).first ?? 0
    }

    // MARK: Teams

    @discardableResult
    public func addTeam(identity: String, name: String, id: Int64? = nil) async throws -> Int64 {
        try await one(.addTeam(identity: identity, name: name, id: id))
    }

    public func updateTeam(identity: String, name: String? = nil, eventURL: String? = nil, language: String? = nil) async throws {
        _ = try await one(.updateTeam(identity: identity, name: name, eventURL: eventURL, language: language))
    }

    public func removeTeam(identity: String) async throws {
        _ = try await one(.removeTeam(identity: identity))
    }

    // MARK: Accounts

    @discardableResult
    public func addAccount(team: String, username: String, password: String, surname: String = "") async throws -> Int64 {
        try await one(.addAccount(team: team, username: username, passwordHash: hash(password), surname: surname))
    }

    public func setAccount(
        team: String, username: String, password: String? = nil, enabled: Bool? = nil, surname: String? = nil
    ) async throws {
        _ = try await one(
            .setAccount(team: team, username: username, passwordHash: password.map(hash), enabled: enabled, surname: surname))
    }

    public func removeAccount(team: String, username: String) async throws {
        _ = try await one(.removeAccount(team: team, username: username))
    }

    // MARK: Agents

    @discardableResult
    public func addAgent(
        team: String, number: String, name: String = "", password: String, extension exten: String, account: String? = nil
    ) async throws -> Int64 {
        try await one(.addAgent(team: team, number: number, name: name, passwordHash: hash(password), extension: exten, account: account))
    }

    public func setAgent(
        team: String, number: String, name: String? = nil, password: String? = nil, extension exten: String? = nil,
        outboundRestricted: Bool? = nil
    ) async throws {
        _ = try await one(
            .setAgent(
                team: team, number: number, name: name, passwordHash: password.map(hash), extension: exten,
                outboundRestricted: outboundRestricted))
    }

    public func removeAgent(team: String, number: String) async throws {
        _ = try await one(.removeAgent(team: team, number: number))
    }

    // MARK: Groups, memberships, extensions

    @discardableResult
    public func addGroup(team: String, name: String, queueNumber: String, id: Int64? = nil) async throws -> Int64 {
        try await one(.addGroup(team: team, name: name, queueNumber: queueNumber, id: id))
    }

    public func removeGroup(team: String, id: Int64) async throws {
        _ = try await one(.removeGroup(team: team, id: id))
    }

    public func addMember(team: String, group: Int64, agent: String, kind: MembershipKind, admin: Bool = false) async throws {
        _ = try await one(.setMember(team: team, group: .id(group), agent: agent, kind: kind, admin: admin))
    }

    public func removeMember(team: String, group: Int64, agent: String) async throws {
        _ = try await one(.removeMember(team: team, group: group, agent: agent))
    }

    public func addExtension(team: String, number: String) async throws {
        _ = try await one(.addExtension(team: team, number: number))
    }

    public func removeExtension(team: String, number: String) async throws {
        _ = try await one(.removeExtension(team: team, number: number))
    }
}

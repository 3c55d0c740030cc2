/// Provisioning writes to the directory: a list of changes applied in one transaction, so a
/// directory file loads whole or not at all, on every store.
///
/// ```swift
/// let ids = try await store.apply([
///     .addTeam(identity: "acme", name: "Acme", id: nil),
///     .addGroup(team: "acme", name: "Sales", queueNumber: "6001", id: nil),
///     .setMember(team: "acme", group: .added(1), agent: "1001", kind: .static, admin: false),
/// ])
/// ```
/// Passwords arrive hashed: hashing is the caller's (CoccProvisioning's `DirectoryAdmin`), so
/// the slow PBKDF2 never holds a write lock and no store sees a password in clear. Every
/// change bumps the directory revision, which running servers watch.
public protocol DirectoryProvisioningStore: Sendable {
    /// Applies `changes` in order in one transaction and answers, per change, the new row's id
    /// for an `add` (0 for the others). A missing team, agent, account or group throws
    /// ``DirectoryAdminError/notFound(_:)``; a duplicate or conflict throws
    /// ``DirectoryAdminError/invalid(_:)``; either way nothing of the list is kept.
    func apply(_ changes: [DirectoryChange]) async throws -> [Int64]
}

/// One provisioning change (see ``DirectoryProvisioningStore``). Optional fields left nil are
/// left as they are.
public enum DirectoryChange: Sendable, Equatable {
    /// A group named by its id, or by the index (in the same list) of the change that added it.
    public enum GroupReference: Sendable, Equatable {
        case id(Int64)
        case added(Int)
    }

    case addTeam(identity: String, name: String, id: Int64?)
    case updateTeam(identity: String, name: String?, eventURL: String?, language: String?)
    case removeTeam(identity: String)
    case addAccount(team: String, username: String, passwordHash: String, surname: String)
    case setAccount(team: String, username: String, passwordHash: String?, enabled: Bool?, surname: String?)
    case removeAccount(team: String, username: String)
    /// Also adds the extension to the team's extensions when it is not there.
    case addAgent(team: String, number: String, name: String, passwordHash: String, extension: String, account: String?)
    case setAgent(team: String, number: String, name: String?, passwordHash: String?, extension: String?, outboundRestricted: Bool?)
    case removeAgent(team: String, number: String)
    case addGroup(team: String, name: String, queueNumber: String, id: Int64?)
    case removeGroup(team: String, id: Int64)
    /// Adds the membership, or changes its kind and admin flag when it exists.
    case setMember(team: String, group: GroupReference, agent: String, kind: MembershipKind, admin: Bool)
    case removeMember(team: String, group: Int64, agent: String)
    /// Adding an extension the team has is not an error.
    case addExtension(team: String, number: String)
    case removeExtension(team: String, number: String)
}

/// Why a provisioning change was refused.
public enum DirectoryAdminError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case invalid(String)
    public var description: String {
        switch self {
        case .notFound(let what): return "not found: \(what)"
        case .invalid(let why): return "invalid: \(why)"
        }
    }
}

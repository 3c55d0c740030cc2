public import CoccStorage

/// What a request presents to prove who it is: the manual's common parameters.
public struct Credentials: Sendable, Hashable {
    public var orgidentity: String
    public var usertype: String
    public var user: String
    public var pwdtype: String
    public var password: String

    public init(orgidentity: String, usertype: String, user: String, pwdtype: String, password: String) {
        self.orgidentity = orgidentity
        self.usertype = usertype
        self.user = user
        self.pwdtype = pwdtype
        self.password = password
    }
}

/// Who a request acts as, once authenticated.
public enum Principal: Sendable, Equatable {
    case agent(Agent)
    case account(Account)

    public var teamID: Int64 {
        switch self {
        case .agent(let agent): return agent.teamID
        case .account(let account): return account.teamID
        }
    }

    /// The stored hash this principal was verified against; the credential cache compares it.
    var passwordHash: String {
        switch self {
        case .agent(let agent): return agent.passwordHash
        case .account(let account): return account.passwordHash
        }
    }
}

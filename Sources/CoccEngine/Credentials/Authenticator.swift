public import Foundation
public import Logging
public import CoccOperations

/// Checks the manual's common credential parameters against the directory.
///
/// ```swift
/// switch authenticator.authenticate(creds, in: directory, logger: logger) {
/// case .success(let principal): ...
/// case .failure(let message): return .failure(message)   // BackMsg_02, _03, _63, ...
/// }
/// ```
public final class Authenticator: Sendable {
    public let cache: CredentialCache
    public let throttle: LoginThrottle
    let clock: @Sendable () -> Date

    public init(cache: CredentialCache = CredentialCache(), throttle: LoginThrottle = LoginThrottle(), clock: @escaping @Sendable () -> Date = Date.init) {
        self.cache = cache
        self.throttle = throttle
        self.clock = clock
    }

    public enum Failure: Error, Sendable, Equatable {
        case message(BackMessage)
    }

    /// The team a request names, or BackMsg_02.
    public func team(_ identity: String, in directory: Directory) -> Result<Team, Failure> {
        let identity = identity.trimmingWhitespace()
        guard !identity.isEmpty else { return .failure(.message(.parameterEmpty)) }
        guard let team = directory.team(identity: identity) else { return .failure(.message(.teamNotFound)) }
        return .success(team)
    }

    public func authenticate(_ c: Credentials, in directory: Directory, logger: Logger) -> Result<Principal, Failure> {
        guard !c.user.isEmpty, !c.password.isEmpty, !c.pwdtype.isEmpty, !c.usertype.isEmpty else {
            if case .failure(let f) = team(c.orgidentity, in: directory) { return .failure(f) }
            return .failure(.message(.parameterEmpty))
        }
        let team: Team
        switch self.team(c.orgidentity, in: directory) {
        case .success(let t): team = t
        case .failure(let f): return .failure(f)
        }
        let usertype = c.usertype.lowercased()
        guard usertype == "agent" || usertype == "account" else { return .failure(.message(.parameterError)) }
        let wrong: BackMessage = usertype == "agent" ? .agentOrPasswordWrong : .accountOrPasswordWrong
        let pwdtype = c.pwdtype.lowercased()
        guard pwdtype == "plaintext" || pwdtype == "md5" else { return .failure(.message(.parameterError)) }

        let now = clock()
        let key = cache.cacheKey(c)
        let current: (Principal) -> Principal? = { remembered in
            switch remembered {
            case .agent(let a): return directory.agents[a.id].map(Principal.agent)
            case .account(let a): return directory.accounts[a.id].map(Principal.account)
            }
        }
        if let principal = cache.lookup(key, now: now, current: current) {
            return checkEnabled(principal, in: directory)
        }
        let throttleKey = LoginThrottle.key(team: team.identity, user: c.user)
        if throttle.isLocked(throttleKey, now: now) {
            logger.warning("credentials refused: too many failures", metadata: ["team": "\(team.identity)", "user": "\(c.user)"])
            return .failure(.message(wrong))
        }
        let principal: Principal
        if usertype == "agent" {
            guard let agent = directory.agent(team: team.id, number: c.user) else {
                return fail(throttleKey, wrong, reason: "unknown agent", team: team, user: c.user, now: now, logger: logger)
            }
            principal = .agent(agent)
        } else {
            guard let account = directory.account(team: team.id, username: c.user) else {
                return fail(throttleKey, wrong, reason: "unknown account", team: team, user: c.user, now: now, logger: logger)
            }
            principal = .account(account)
        }
        let md5: String
        if pwdtype == "md5" {
            guard PasswordHash.isMD5Hex(c.password) else {
                return fail(throttleKey, wrong, reason: "md5 password is not 32 hex digits", team: team, user: c.user, now: now, logger: logger)
            }
            md5 = c.password.lowercased()
        } else {
            md5 = PasswordHash.md5Hex(c.password)
        }
        guard PasswordHash.verify(md5Hex: md5, against: principal.passwordHash) else {
            return fail(throttleKey, wrong, reason: "wrong password", team: team, user: c.user, now: now, logger: logger)
        }
        throttle.recordSuccess(throttleKey)
        cache.store(key, principal: principal, now: now)
        return checkEnabled(principal, in: directory)
    }

    /// An agent whose account is disabled or gone cannot act (BackMsg_05, BackMsg_06).
    private func checkEnabled(_ principal: Principal, in directory: Directory) -> Result<Principal, Failure> {
        switch principal {
        case .agent(let agent):
            if let accountID = agent.accountID {
                guard let account = directory.accounts[accountID] else { return .failure(.message(BackMessage("06"))) }
                guard account.enabled else { return .failure(.message(.accountDisabled)) }
            }
        case .account(let account):
            guard account.enabled else { return .failure(.message(.accountDisabled)) }
        }
        return .success(principal)
    }

    private func fail(
        _ key: String, _ message: BackMessage, reason: String, team: Team, user: String, now: Date, logger: Logger
    ) -> Result<Principal, Failure> {
        let locked = throttle.recordFailure(key, now: now)
        logger.notice("authentication failed", metadata: ["team": "\(team.identity)", "user": "\(user)", "reason": "\(reason)"])
        if locked {
            logger.warning("login throttled", metadata: ["team": "\(team.identity)", "user": "\(user)", "seconds": "\(Int(throttle.lockout))"])
        }
        return .failure(.message(message))
    }
}

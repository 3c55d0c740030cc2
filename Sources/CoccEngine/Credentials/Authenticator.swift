public import CoccOperations
public import CoccStorage
public import Foundation
public import Logging
import Synchronization

/// Checks the manual's common credential parameters against the directory.
///
/// ```swift
/// switch authenticator.authenticate(creds, from: "192.0.2.7", in: directory, logger: logger) {
/// case .success(let principal): ...
/// case .failure(let message): return .failure(message)   // BackMsg_02, _03, _63, ...
/// }
/// ```
/// Every attempt that reaches the password check costs one slow hash, for an unknown user too
/// (against a dummy hash of the same cost), so the answer's timing does not tell who exists.
/// The throttle is asked first, before the cache: a throttled key gets no guesses at all.
public final class Authenticator: Sendable {
    public let cache: CredentialCache
    public let throttle: LoginThrottle
    /// `pwdtype=token`: the password is a token these issued (``AccessTokens``).
    public let tokens: AccessTokens
    let clock: @Sendable () -> Date
    /// Slow-hash verifications done so far: tests count them instead of timing answers.
    private let verifications = Atomic<Int>(0)
    /// The rounds of the stored hashes seen last, so the dummy hash costs what a real one does.
    private let lastRounds = Atomic<Int>(PasswordHash.defaultRounds)
    private let dummies = Mutex<[Int: String]>([:])

    public init(
        cache: CredentialCache = CredentialCache(), throttle: LoginThrottle = LoginThrottle(),
        tokens: AccessTokens = AccessTokens(), clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.cache = cache
        self.throttle = throttle
        self.tokens = tokens
        self.clock = clock
    }

    public enum Failure: Error, Sendable, Equatable {
        case message(BackMessage)
    }

    /// How many slow-hash verifications this authenticator has done.
    public var slowHashVerifications: Int { verifications.load(ordering: .relaxed) }

    /// The team a request names, or BackMsg_02.
    public func team(_ identity: String, in directory: Directory) -> Result<Team, Failure> {
        let identity = identity.trimmingWhitespace()
        guard !identity.isEmpty else { return .failure(.message(.parameterEmpty)) }
        guard let team = directory.team(identity: identity) else { return .failure(.message(.teamNotFound)) }
        return .success(team)
    }

    /// `address` is the client's IP address as the interface saw it ("" where there is none):
    /// failures are throttled per address, so nobody can lock a user out from elsewhere.
    public func authenticate(_ c: Credentials, from address: String = "", in directory: Directory, logger: Logger) -> Result<
        Principal, Failure
    > {
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
        // BackMsg_03 for agents, BackMsg_63 for accounts: the same answer whether the user is
        // unknown, the password wrong, or the attempt throttled.
        let wrong: BackMessage = usertype == "agent" ? .agentOrPasswordWrong : .accountOrPasswordWrong
        let pwdtype = c.pwdtype.lowercased()
        // `token` is coccd's own: the pages it serves never hold a password past logging in.
        guard pwdtype == "plaintext" || pwdtype == "md5" || pwdtype == "token" else { return .failure(.message(.parameterError)) }

        let now = clock()
        let key = LoginThrottle.Key(team: team.identity, usertype: usertype, user: c.user, address: address)
        let attempt = Attempt(key: key, team: team, message: wrong, now: now, logger: logger)
        switch throttle.check(key, now: now) {
        case .allowed: break
        case .delayed(let until):
            // Debug only: a flood of refused guesses must not flood the log; the warning was
            // written when the delay began.
            logger.debug(
                "credentials refused without checking: repeated failures from this address",
                metadata: attempt.metadata([
                    "retry_after_seconds": "\(Int(until.timeIntervalSince(now).rounded(.up)))"
                ]))
            return .failure(.message(wrong))
        case .ceiling:
            logger.debug("credentials refused without checking: too many failures for this user", metadata: attempt.metadata())
            return .failure(.message(wrong))
        }

        if pwdtype == "token" {
            // No slow hash: the token's MAC is the check. It must name this very user, so a
            // token cannot be replayed as somebody else's (or another team's) credentials.
            guard let principal = tokens.verify(c.password, in: directory, now: now), principal.teamID == team.id,
                Self.names(principal, usertype: usertype, user: c.user)
            else { return fail(attempt, reason: "bad or expired token") }
            throttle.recordSuccess(key, now: now)
            return checkEnabled(principal, in: directory)
        }
        let md5: String
        if pwdtype == "md5" {
            guard PasswordHash.isMD5Hex(c.password) else { return fail(attempt, reason: "md5 password is not 32 hex digits") }
            md5 = c.password.lowercased()
        } else {
            md5 = PasswordHash.md5Hex(c.password)
        }
        let found: Principal? =
            usertype == "agent"
            ? directory.agent(team: team.id, number: c.user).map(Principal.agent)
            : directory.account(team: team.id, username: c.user).map(Principal.account)
        guard let principal = found else {
            // As costly as a wrong password, so that timing does not tell who exists.
            _ = slowVerify(md5, against: dummyHash())
            return fail(attempt, reason: usertype == "agent" ? "unknown agent" : "unknown account")
        }
        let cacheKey = cache.cacheKey(principal, md5Hex: md5)
        if cache.contains(cacheKey, for: principal, now: now) {
            throttle.recordSuccess(key, now: now)
            return checkEnabled(principal, in: directory)
        }
        if let rounds = PasswordHash.rounds(of: principal.passwordHash) { lastRounds.store(rounds, ordering: .relaxed) }
        guard slowVerify(md5, against: principal.passwordHash) else { return fail(attempt, reason: "wrong password") }
        throttle.recordSuccess(key, now: now)
        cache.store(cacheKey, principal: principal, now: now)
        return checkEnabled(principal, in: directory)
    }

    /// Whether the credentials' `usertype` and `user` name this principal.
    static func names(_ principal: Principal, usertype: String, user: String) -> Bool {
        switch principal {
        case .agent(let agent): return usertype == "agent" && agent.number == user
        case .account(let account): return usertype == "account" && account.username == user
        }
    }

    /// The principal a bare token stands for (the streams' `token=`), if it is valid and its
    /// account is enabled: a disabled account's open pages lose their streams too.
    public func principal(forToken token: String, in directory: Directory) -> Principal? {
        guard let principal = tokens.verify(token, in: directory, now: clock()),
            case .success = checkEnabled(principal, in: directory)
        else { return nil }
        return principal
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

    private func slowVerify(_ md5: String, against stored: String) -> Bool {
        verifications.add(1, ordering: .relaxed)
        return PasswordHash.verify(md5Hex: md5, against: stored)
    }

    /// A hash of a random password, made once per cost, that no request can match.
    private func dummyHash() -> String {
        let rounds = lastRounds.load(ordering: .relaxed)
        return dummies.withLock { dummies in
            if let hash = dummies[rounds] { return hash }
            let hash = PasswordHash.make(md5Hex: UUID().uuidString, rounds: rounds)
            dummies[rounds] = hash
            return hash
        }
    }

    /// One attempt's facts, for the failure path and its log lines (never the password).
    private struct Attempt {
        var key: LoginThrottle.Key
        var team: Team
        var message: BackMessage
        var now: Date
        var logger: Logger

        func metadata(_ extra: Logger.Metadata = [:]) -> Logger.Metadata {
            var m: Logger.Metadata = [
                "team": "\(team.identity)", "usertype": "\(key.usertype)", "user": "\(key.user)", "client": "\(key.address)",
            ]
            m.merge(extra) { _, new in new }
            return m
        }
    }

    private func fail(_ attempt: Attempt, reason: String) -> Result<Principal, Failure> {
        let after = throttle.recordFailure(attempt.key, now: attempt.now)
        attempt.logger.notice("authentication failed", metadata: attempt.metadata(["reason": "\(reason)"]))
        switch after {
        case .allowed: break
        case .delayed(let until):
            attempt.logger.warning(
                "login throttled for this address",
                metadata: attempt.metadata([
                    "seconds": "\(Int(until.timeIntervalSince(attempt.now).rounded(.up)))",
                    "failures": "\(throttle.failures(attempt.key))",
                ]))
        case .ceiling:
            attempt.logger.warning("login throttled for this user from untrusted addresses", metadata: attempt.metadata())
        }
        return .failure(.message(attempt.message))
    }
}

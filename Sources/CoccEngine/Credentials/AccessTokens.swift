public import CoccStorage
public import Crypto
public import Foundation
import Synchronization

/// Short-lived signed tokens that stand for an agent or an account, so that a page need not put
/// a password in any URL: the event channels take one as `token=`, and every operation takes one
/// as `pwdtype=token` with the token as `password` (see ``Authenticator``).
///
/// `<team id>.<principal>.<expiry, unix seconds>.<credential version>.<hex HMAC-SHA256 of the rest>`
/// where `<principal>` is the agent's id, or `a` and the account's id. The credential version
/// is a MAC of the stored password hash, which is salted anew on every password change: a token
/// dies with the password it was issued under.
///
/// ```swift
/// let token = tokens.issue(for: .agent(agent))
/// tokens.verify(token, in: directory)      // .agent(agent) until it expires
/// ```
/// The key is random per process until ``useKey(_:)`` gives the data directory's
/// (`access-token.key`), which lets tokens outlive a restart: a page that was open while the
/// server restarted carries on without asking for the password again.
public final class AccessTokens: Sendable {
    private let key: Mutex<SymmetricKey>
    public static let lifetime: TimeInterval = 12 * 3600
    public static let keyFileName = "access-token.key"

    public init(key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = Mutex(key)
    }

    /// Replaces the signing key; tokens signed with the previous key stop working.
    public func useKey(_ newKey: SymmetricKey) {
        key.withLock { $0 = newKey }
    }

    public func issue(for principal: Principal, now: Date = Date()) -> String {
        let payload =
            "\(principal.teamID).\(Self.principalField(principal)).\(Int64(now.timeIntervalSince1970 + Self.lifetime))"
            + ".\(credentialVersion(principal))"
        return payload + "." + mac(payload)
    }

    /// The agent or account a token stands for, if it is genuine, not expired, and the principal
    /// still exists in its team with the password the token was issued under.
    public func verify(_ token: String, in directory: Directory, now: Date = Date()) -> Principal? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, let team = Int64(parts[0]), let expiry = Int64(parts[2]),
            Double(expiry) > now.timeIntervalSince1970,
            ConstantTime.equal(mac(parts[0...3].joined(separator: ".")), parts[4])
        else { return nil }
        let principal: Principal
        if parts[1].hasPrefix("a"), let id = Int64(parts[1].dropFirst()), let account = directory.accounts[id] {
            principal = .account(account)
        } else if let id = Int64(parts[1]), let agent = directory.agents[id] {
            principal = .agent(agent)
        } else {
            return nil
        }
        guard principal.teamID == team, ConstantTime.equal(credentialVersion(principal), parts[3]) else { return nil }
        return principal
    }

    private static func principalField(_ principal: Principal) -> String {
        switch principal {
        case .agent(let agent): return "\(agent.id)"
        case .account(let account): return "a\(account.id)"
        }
    }

    /// 16 hex digits that change whenever the principal's stored password hash does.
    private func credentialVersion(_ principal: Principal) -> String {
        String(mac("credential\n\(Self.principalField(principal))\n\(principal.passwordHash)").prefix(16))
    }

    private func mac(_ payload: String) -> String {
        let key = key.withLock { $0 }
        return Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key))
    }
}

import CoccEngine
import Crypto
import Foundation

/// Short-lived signed tokens for event channels, so a page need not put a password in a URL:
/// `<team id>.<agent id>.<expiry, unix seconds>.<credential version>.<hex HMAC-SHA256 of the rest>`
/// under a key made when the server starts (tokens end with the process; a page fetches a new one).
/// The credential version is a MAC of the agent's stored password hash, which is salted anew on
/// every password change: a token dies with the password it was issued under.
struct PushTokens: Sendable {
    let key = SymmetricKey(size: .bits256)
    static let lifetime: TimeInterval = 12 * 3600

    func issue(for agent: Agent, now: Date = Date()) -> String {
        let payload = "\(agent.teamID).\(agent.id).\(Int64(now.timeIntervalSince1970 + Self.lifetime)).\(credentialVersion(agent))"
        return payload + "." + mac(payload)
    }

    /// The agent a token stands for, if it is genuine, not expired, and the agent still exists
    /// in its team with the password the token was issued under.
    func verify(_ token: String, in directory: Directory, now: Date = Date()) -> Agent? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, let team = Int64(parts[0]), let id = Int64(parts[1]), let expiry = Int64(parts[2]),
            Double(expiry) > now.timeIntervalSince1970,
            ConstantTime.equal(mac(parts[0...3].joined(separator: ".")), parts[4]),
            let agent = directory.agents[id], agent.teamID == team,
            ConstantTime.equal(credentialVersion(agent), parts[3])
        else { return nil }
        return agent
    }

    /// 16 hex digits that change whenever the agent's stored password hash does.
    private func credentialVersion(_ agent: Agent) -> String {
        String(mac("credential\n\(agent.id)\n\(agent.passwordHash)").prefix(16))
    }

    private func mac(_ payload: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }
}

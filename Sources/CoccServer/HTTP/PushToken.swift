import CoccEngine
import Crypto
import Foundation

/// Short-lived signed tokens for event channels, so a page need not put a password in a URL:
/// `<team id>.<agent id>.<expiry, unix seconds>.<hex HMAC-SHA256 of the first three>` under a
/// key made when the server starts (tokens end with the process; a page fetches a new one).
struct PushTokens: Sendable {
    let key = SymmetricKey(size: .bits256)
    static let lifetime: TimeInterval = 12 * 3600

    func issue(team: Int64, agent: Int64, now: Date = Date()) -> String {
        let payload = "\(team).\(agent).\(Int64(now.timeIntervalSince1970 + Self.lifetime))"
        return payload + "." + mac(payload)
    }

    /// The (team, agent) a token stands for, if it is genuine and not expired.
    func verify(_ token: String, now: Date = Date()) -> (team: Int64, agent: Int64)? {
        let parts = token.split(separator: ".").map(String.init)
        guard parts.count == 4, let team = Int64(parts[0]), let agent = Int64(parts[1]), let expiry = Int64(parts[2]),
              Double(expiry) > now.timeIntervalSince1970
        else { return nil }
        let expected = mac(parts[0...2].joined(separator: "."))
        // Constant-time comparison.
        guard expected.utf8.count == parts[3].utf8.count else { return nil }
        var diff: UInt8 = 0
        for (a, b) in zip(expected.utf8, parts[3].utf8) { diff |= a ^ b }
        return diff == 0 ? (team, agent) : nil
    }

    private func mac(_ payload: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }
}

import AsyncHTTPClient
public import CoccCluster
public import CoccOperations
public import Crypto
import Foundation
public import Logging
import NIOCore
import NIOPosix

/// A node's part of a cluster as the dispatcher needs it: where a team is served
/// (``ClusterMembership``), how to reach the other nodes (``OperationForwarder``), and the
/// secret a forwarded request must carry.
///
/// ```swift
/// let routing = ClusterRouting(membership: membership, forwarder: OperationForwarder(secret: secret), secret: secret)
/// let router = CoccApplication.router(configuration: config, center: center, cluster: routing)
/// ```
public struct ClusterRouting: Sendable {
    public let membership: ClusterMembership
    public let forwarder: OperationForwarder
    let secret: String
    /// The longest a forwarded operation may take at its owner (its writes' wait included).
    let operationTimeout: Duration

    public init(membership: ClusterMembership, forwarder: OperationForwarder, secret: String, operationTimeout: Duration = .seconds(15)) {
        self.membership = membership
        self.forwarder = forwarder
        self.secret = secret
        self.operationTimeout = operationTimeout
    }

    /// Runs `here` when this node owns the team, else forwards the operation to the node that
    /// does. A team whose node is gone waits for its next owner until the deadline
    /// (``ClusterSettings/forwardDeadline``), then answers BackMsg_85: the manual's "data
    /// storage error" is the failure it has for state that cannot be reached, and every client
    /// already handles it as "try again".
    func run(
        team: Int64, operation name: String, request: OperationRequest, webroot: String, logger: Logger,
        here: () async -> Reply
    ) async -> Reply {
        let deadline = ContinuousClock.now + membership.settings.forwardDeadline
        var reason = ""
        var waited = false
        while true {
            switch await membership.route(team: team, forwarded: false) {
            case .here:
                if waited { logger.notice("team served again after waiting for its node", metadata: ["team_id": "\(team)"]) }
                return await here()
            case .node(let id, let url):
                do {
                    let forwarded = ForwardedOperation(operation: name, request: request, webroot: webroot)
                    let outcome = try await forwarder.forward(
                        forwarded, to: url, requestID: logger[metadataKey: "hb.request.id"].map { "\($0)" }, timeout: operationTimeout)
                    switch outcome {
                    case .reply(let reply):
                        logger.trace("operation forwarded", metadata: ["team_id": "\(team)", "owner": "\(id)"])
                        return reply
                    case .elsewhere(let other):
                        membership.forgetRoute(team: team)
                        reason = "node \(id) does not own the team (it names \(other.isEmpty ? "nobody" : other))"
                        continue  // ask the store at once
                    case .unavailable(let why):
                        reason = "node \(id): \(why)"
                    }
                } catch  where Self.neverReached(error) {
                    membership.nodeUnreachable(id)
                    reason = "node \(id) at \(url) unreachable: \(error)"
                } catch {
                    // Sent, but no answer came (the node died or stalled while running it): it
                    // may have run, so it is not run again elsewhere (a second makeCall would
                    // be a second call). The client hears the failure and decides.
                    membership.nodeUnreachable(id)
                    logger.error(
                        "forwarded operation got no answer from the team's node; not retried",
                        metadata: ["team_id": "\(team)", "node": "\(id)", "error": "\(error)"])
                    return .failure(.storageError)
                }
            case .unavailable(let why):
                reason = why
            }
            if !waited {
                logger.warning("team not served right now; waiting for its node", metadata: ["team_id": "\(team)", "reason": "\(reason)"])
                waited = true
            }
            guard ContinuousClock.now < deadline else {
                logger.error(
                    "team not served in time; answered as a storage error",
                    metadata: ["team_id": "\(team)", "reason": "\(reason)", "waited": "\(membership.settings.forwardDeadline)"])
                return .failure(.storageError)
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A key every node derives alike from the cluster's secret (HKDF-SHA256, one per
    /// purpose): access tokens and signed recording URLs that one node issues are then good on
    /// every node, where a key in each node's data directory would make them fail on the others.
    public func derivedKey(_ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data("coccd \(purpose)".utf8), outputByteCount: 32)
    }

    /// The request cannot have reached the node: its connection was refused or never came up.
    static func neverReached(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .connectTimeout }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError { return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) }
        return error is NIOConnectionError
    }

    /// Whether a forwarded request carries the cluster's secret (compared in constant time).
    func authenticates(_ presented: String?) -> Bool {
        guard let presented else { return false }
        let a = Array(presented.utf8)
        let b = Array(secret.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

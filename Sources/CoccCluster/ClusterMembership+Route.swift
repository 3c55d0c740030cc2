import CoccStorage
import Synchronization

extension ClusterMembership {
    /// Where the team's request is served. `forwarded`: the request came from another node,
    /// which chose this one: an unowned team is taken here rather than sent to a third node
    /// (two nodes whose lists of live nodes differ for a moment must not bounce a request),
    /// and `.node` tells the sender who owns it instead.
    public func route(team: Int64, forwarded: Bool) async -> TeamRoute {
        if heldFence(team) != nil { return .here }
        let now = ContinuousClock.now
        let cached = state.withLock { s -> (String, String)? in
            guard let remote = s.remote[team], remote.validUntil > now, let node = s.nodes[remote.nodeID],
                (s.unreachable[remote.nodeID] ?? now) <= now
            else { return nil }
            return (node.id, node.advertiseURL)
        }
        if let (id, url) = cached { return .node(id: id, url: url) }
        do {
            let asked = ContinuousClock.now
            if let lease = try await leases.lease(team: team), !lease.isExpired {
                record(LeaseAttempt(lease: lease, acquired: false), askedAt: asked)
                if heldFence(team) != nil { return .here }
                if lease.nodeID == nodeID {
                    return .unavailable("team \(team) is leased by an earlier run of this node for \(lease.remaining) more")
                }
                if let url = reachableURL(of: lease.nodeID) {
                    return .node(id: lease.nodeID, url: url)
                }
                return .unavailable("team \(team)'s node \(lease.nodeID) does not answer; its lease runs out in \(lease.remaining)")
            }
            // Free or expired: it belongs on the preferred live node, which takes it when the
            // request reaches it (or at its next sweep).
            let preferred = forwarded ? nodeID : (RendezvousHash.preferred(team: team, among: candidateNodes()) ?? nodeID)
            if preferred != nodeID, let url = reachableURL(of: preferred) { return .node(id: preferred, url: url) }
            let attempt = try await acquire(team)
            if heldFence(team) != nil { return .here }
            if let url = reachableURL(of: attempt.lease.nodeID) { return .node(id: attempt.lease.nodeID, url: url) }
            return .unavailable("team \(team) is owned by node \(attempt.lease.nodeID)")
        } catch {
            return .unavailable("the store does not answer: \(error)")
        }
    }

    /// This node and the other live ones that forwards can reach.
    func candidateNodes() -> [String] {
        let now = ContinuousClock.now
        return state.withLock { s in
            [nodeID] + s.nodes.keys.filter { (s.unreachable[$0] ?? now) <= now }
        }
    }

    func reachableURL(of node: String) -> String? {
        let now = ContinuousClock.now
        return state.withLock { s in
            guard let known = s.nodes[node], (s.unreachable[node] ?? now) <= now else { return nil }
            return known.advertiseURL
        }
    }
}

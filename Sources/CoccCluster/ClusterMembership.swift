public import CoccEngine
public import CoccStorage
public import Logging
import Synchronization

/// This node's part in a cluster: the leases it holds, what it knows of the other nodes, and
/// the decision where each team's request is served (``route(team:forwarded:)``). It is the
/// ``TeamAdmission`` of the node's ``CallCenter``: an engine is created only under a lease.
///
/// ```swift
/// let membership = ClusterMembership(settings: settings, leases: store.leases!, center: center, logger: logger)
/// center.admit(with: membership)
/// try await membership.join()
/// switch await membership.route(team: 7, forwarded: false) { case .here: ...; case .node(_, let url): ...; case .unavailable: ... }
/// ```
/// What is cached, and why it is safe: this node's own leases are trusted until shortly before
/// they run out by the store's clock (``ClusterSettings/safetyMargin``); other nodes' leases
/// only steer forwarding, and a stale entry costs one refused forward (the other node answers
/// that it does not own the team) and a fresh look at the store.
public final class ClusterMembership: TeamAdmission, Sendable {
    public let settings: ClusterSettings
    let leases: any LeaseStore
    let center: CallCenter
    let logger: Logger

    struct Owned {
        var fence: StoreFence
        var validUntil: ContinuousClock.Instant
    }

    struct Remote {
        var nodeID: String
        var validUntil: ContinuousClock.Instant
    }

    struct State {
        var owned: [Int64: Owned] = [:]
        var remote: [Int64: Remote] = [:]
        /// Other nodes alive at the last refresh, by id.
        var nodes: [String: ClusterNode] = [:]
        /// Nodes a forward could not reach, until when they are not asked again.
        var unreachable: [String: ContinuousClock.Instant] = [:]
        var acquiring: [Int64: Task<LeaseAttempt, any Error>] = [:]
        /// Teams whose lease is held under this node's name by an earlier run (warned once).
        var warnedEarlierRun: Set<Int64> = []
        var leaving = false
    }

    let state = Mutex(State())

    public init(settings: ClusterSettings, leases: any LeaseStore, center: CallCenter, logger: Logger) {
        self.settings = settings
        self.leases = leases
        self.center = center
        var logger = logger
        logger[metadataKey: "node"] = "\(settings.nodeID)"
        self.logger = logger
    }

    public var nodeID: String { settings.nodeID }

    /// Announces this node and reads who else is alive; call before serving requests.
    public func join() async throws {
        try await leases.heartbeat(node: nodeID, advertiseURL: settings.advertiseURL, leaseSeconds: settings.leaseSeconds)
        try await refreshNodes()
        logger.notice(
            "cluster node joined",
            metadata: [
                "advertise_url": "\(settings.advertiseURL)", "lease_seconds": "\(settings.leaseSeconds)",
                "other_nodes": "\(state.withLock { $0.nodes.keys.sorted().joined(separator: ",") })",
            ])
    }

    /// The fence of the team's lease if this node holds it, taking the lease when it is free
    /// or expired; throws ``TeamElsewhere`` otherwise.
    public func admit(team: Int64) async throws -> StoreFence {
        if let fence = heldFence(team) { return fence }
        let attempt = try await acquire(team)
        if let fence = heldFence(team) { return fence }
        throw TeamElsewhere(teamID: team, nodeID: attempt.lease.nodeID)
    }

    /// Joined and not leaving: `/health/ready` answers 200 while this is true.
    public var isServing: Bool { state.withLock { !$0.leaving } }

    /// Whether this node holds the team's lease now (webhook delivery and the dialer run only there).
    public func holds(team: Int64) -> Bool { heldFence(team) != nil }

    /// The leases this node holds.
    public var heldLeases: [StoreFence] { state.withLock { $0.owned.values.map(\.fence) } }

    /// The live nodes known, this one included, by id with their URLs.
    public var liveNodes: [String: String] {
        state.withLock { s in
            var out = Dictionary(uniqueKeysWithValues: s.nodes.values.map { ($0.id, $0.advertiseURL) })
            out[settings.nodeID] = settings.advertiseURL
            return out
        }
    }

    func heldFence(_ team: Int64) -> StoreFence? {
        let now = ContinuousClock.now
        return state.withLock { s in s.owned[team].flatMap { $0.validUntil > now ? $0.fence : nil } }
    }

    /// One lease request per team at a time from this process: a second would take the
    /// lease again (a new epoch) and fence out the first. The request records its answer
    /// before anyone awaiting it resumes, so a caller that joined it finds the lease recorded.
    func acquire(_ team: Int64) async throws -> LeaseAttempt {
        let (task, mine) = state.withLock { s -> (Task<LeaseAttempt, any Error>, Bool) in
            if let task = s.acquiring[team] { return (task, false) }
            let (leases, node, seconds) = (self.leases, settings.nodeID, settings.leaseSeconds)
            let task = Task {
                let asked = ContinuousClock.now
                let attempt = try await leases.acquireLease(team: team, node: node, seconds: seconds)
                self.record(attempt, askedAt: asked)
                return attempt
            }
            s.acquiring[team] = task
            return (task, true)
        }
        defer { if mine { state.withLock { _ = $0.acquiring.removeValue(forKey: team) } } }
        return try await task.value
    }

    /// Takes what a lease request found into the caches. The validity counts from when the
    /// request was sent, so the time it took is not added to the lease.
    func record(_ attempt: LeaseAttempt, askedAt: ContinuousClock.Instant) {
        let lease = attempt.lease
        let (taken, earlierRun) = state.withLock { s -> (Bool, Bool) in
            if lease.nodeID == settings.nodeID {
                let ours = attempt.acquired || s.owned[lease.teamID]?.fence.epoch == lease.epoch
                guard ours, !lease.isExpired, !s.leaving else {
                    return (false, s.warnedEarlierRun.insert(lease.teamID).inserted)
                }
                let fresh = s.owned[lease.teamID] == nil
                s.owned[lease.teamID] = Owned(fence: lease.fence, validUntil: askedAt + lease.remaining - settings.safetyMargin)
                s.remote[lease.teamID] = nil
                return (fresh, false)
            }
            s.remote[lease.teamID] = Remote(nodeID: lease.nodeID, validUntil: askedAt + lease.remaining)
            return (false, false)
        }
        if taken {
            logger.notice("team lease taken", metadata: ["team_id": "\(lease.teamID)", "epoch": "\(lease.epoch)"])
        } else if earlierRun {
            logger.warning(
                "team lease held under this node's name by an earlier run (or another process with the same --node-id); waiting for it to run out",
                metadata: ["team_id": "\(lease.teamID)", "epoch": "\(lease.epoch)", "remaining": "\(lease.remaining)"])
        }
    }

    /// Forgets what was cached about the team's owner (a forward was refused).
    public func forgetRoute(team: Int64) {
        _ = state.withLock { $0.remote.removeValue(forKey: team) }
    }

    /// A forward to `node` failed to connect: not asked again for a while (or until it heartbeats anew).
    public func nodeUnreachable(_ node: String) {
        let until = ContinuousClock.now + .seconds(1)
        state.withLock { s in
            s.unreachable[node] = until
            s.remote = s.remote.filter { $0.value.nodeID != node }
        }
    }
}

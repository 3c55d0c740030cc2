public import Foundation

/// Which node runs each team's engine, kept where every node can see it: the store several
/// coccd nodes share (PostgreSQL). A lease names its node and an **epoch** that goes up every
/// time the team changes hands (or its node restarts); every write of a team's state is
/// fenced with the epoch it was made under (``StoreFence``), so a node that lost a team (it was
/// paused past its lease, or partitioned away) can no longer change it.
///
/// Times are the store's: a lease's remaining life is measured by the database's clock, so the
/// nodes' clocks need not agree.
///
/// ```swift
/// let attempt = try await leases.acquireLease(team: 7, node: "node-a", seconds: 10)
/// if attempt.acquired { /* run the engine, fenced with attempt.lease.fence */ }
/// let lease = attempt.lease
/// let kept = try await leases.renewLeases(node: "node-a", leases: [lease.fence], seconds: 10)
/// ```
public protocol LeaseStore: Sendable {
    /// Records that `node` is alive and where other nodes reach it (`advertiseURL`).
    func heartbeat(node: String, advertiseURL: String, leaseSeconds: Int) async throws
    /// Marks `node` as stopped (graceful shutdown): others stop forwarding to it at once.
    func nodeStopped(node: String) async throws
    /// Takes the team for `node` when nobody holds it or its lease has expired (a new epoch),
    /// and answers the lease as it stands afterwards: this node's, or the holder's that won.
    /// Atomic: of several nodes asking at once, one gets it.
    func acquireLease(team: Int64, node: String, seconds: Int) async throws -> LeaseAttempt
    /// Extends the given leases of `node` that still have the given epochs; answers the teams
    /// renewed (a lease missing from the answer is lost: another node has the team).
    func renewLeases(node: String, leases: [StoreFence], seconds: Int) async throws -> [Int64: Duration]
    /// Gives the leases up at once (graceful shutdown): the next node takes them without waiting.
    func releaseLeases(_ leases: [StoreFence]) async throws
    /// Every lease, held or expired.
    func leases() async throws -> [TeamLease]
    /// The team's lease, held or expired; nil when the team was never owned.
    func lease(team: Int64) async throws -> TeamLease?
    /// Every node that ever registered, newest heartbeat first.
    func nodes() async throws -> [ClusterNode]
    /// A coccd running as a single node on this store holds this for its lifetime (and takes
    /// every team); false when it is held already or cluster nodes would not let it.
    func holdSingleNodeLock() async throws -> Bool
    /// Whether a single-node coccd runs on this store now (a cluster node must not start).
    func singleNodeRunning() async throws -> Bool
    /// A secret every node of the cluster reads from the store (created once): it authenticates
    /// the forwarding of requests between nodes.
    func clusterSecret() async throws -> String
}

/// A team's lease as the store holds it.
public struct TeamLease: Sendable, Equatable {
    public var teamID: Int64
    public var nodeID: String
    public var epoch: Int64
    /// How long the lease still runs, by the store's clock at the time of the read (≤ 0: expired).
    public var remaining: Duration

    public init(teamID: Int64, nodeID: String, epoch: Int64, remaining: Duration) {
        self.teamID = teamID
        self.nodeID = nodeID
        self.epoch = epoch
        self.remaining = remaining
    }

    public var isExpired: Bool { remaining <= .zero }
    /// The fence for writes made under this lease.
    public var fence: StoreFence { StoreFence(teamID: teamID, nodeID: nodeID, epoch: epoch) }
}

/// What ``LeaseStore/acquireLease(team:node:seconds:)`` found: the lease as it stands, and
/// whether this call took it (a lease under the asking node's name that it did not just take
/// belongs to an earlier run of that node, or to a second process wrongly given its name).
public struct LeaseAttempt: Sendable, Equatable {
    public var lease: TeamLease
    public var acquired: Bool
    public init(lease: TeamLease, acquired: Bool) {
        self.lease = lease
        self.acquired = acquired
    }
}

/// A node as its heartbeats describe it.
public struct ClusterNode: Sendable, Equatable {
    public var id: String
    public var advertiseURL: String
    public var startedAt: Date
    /// How long ago its last heartbeat was, by the store's clock.
    public var silentFor: Duration
    public var leaseSeconds: Int
    public var stopped: Bool

    public init(id: String, advertiseURL: String, startedAt: Date, silentFor: Duration, leaseSeconds: Int, stopped: Bool) {
        self.id = id
        self.advertiseURL = advertiseURL
        self.startedAt = startedAt
        self.silentFor = silentFor
        self.leaseSeconds = leaseSeconds
        self.stopped = stopped
    }

    /// Heard from within its lease time and not stopped.
    public var isAlive: Bool { !stopped && silentFor < .seconds(leaseSeconds) }
}

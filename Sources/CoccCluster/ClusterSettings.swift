/// How a node takes part in a cluster: its name, where the others reach it, and the lease time.
///
/// ```swift
/// let settings = ClusterSettings(nodeID: "node-a", advertiseURL: "http://10.0.0.5:4580", leaseSeconds: 10)
/// ```
public struct ClusterSettings: Sendable, Equatable {
    /// Unique per running process (`--node-id`, default the host name).
    public var nodeID: String
    /// The base URL other nodes forward requests to (`--advertise-url`).
    public var advertiseURL: String
    /// How long a lease lasts without renewal: how soon a dead node's teams move (`--lease-seconds`).
    public var leaseSeconds: Int
    /// How long a request for a team whose node is gone waits for the new owner before it
    /// answers the failure code; default: the lease time and 5 s more.
    public var forwardDeadline: Duration
    /// How often the node looks for expired leases, refreshes who is alive and heartbeats.
    public var sweepInterval: Duration = .seconds(1)

    public init(nodeID: String, advertiseURL: String, leaseSeconds: Int = 10, forwardDeadline: Duration? = nil) {
        self.nodeID = nodeID
        self.advertiseURL = advertiseURL
        self.leaseSeconds = max(2, leaseSeconds)
        self.forwardDeadline = forwardDeadline ?? .seconds(max(2, leaseSeconds) + 5)
    }

    /// Leases are renewed three times per lease time: two renewals may fail before one is lost.
    public var renewInterval: Duration { .milliseconds(Int64(leaseSeconds) * 1000 / 3) }

    /// This node trusts its own lease until this long before the store's expiry: a renewal
    /// in flight, or a clock step, must not let it act on a lease another node may already take.
    var safetyMargin: Duration { .milliseconds(Int64(leaseSeconds) * 100) }
}

import Foundation

/// How a node joins a cluster (`"cluster"` in the configuration file, `COCCD_NODE_ID`,
/// `COCCD_ADVERTISE_URL`, `COCCD_LEASE_SECONDS`, or the flags). Clustering is on when a node id
/// or an advertise URL is given (or `enabled`), and needs the PostgreSQL store; without it a
/// coccd on PostgreSQL runs every team itself, as a single node.
///
/// ```json
/// { "database": "postgres://coccd@db/coccd", "cluster": { "nodeID": "node-a", "advertiseURL": "http://10.0.0.5:4580" } }
/// ```
public struct ClusterConfiguration: Sendable, Codable, Equatable {
    public var enabled = false
    /// Unique per process; default (when clustering) the host name.
    public var nodeID = ""
    /// How other nodes reach this one; default `http://<host name>:<port>` (or the listen
    /// address when it is a specific one).
    public var advertiseURL = ""
    public var leaseSeconds = 10

    public init() {}

    public var isOn: Bool { enabled || !nodeID.isEmpty || !advertiseURL.isEmpty }

    public mutating func apply(environment: [String: String]) {
        if let v = environment["COCCD_NODE_ID"], !v.isEmpty { nodeID = v }
        if let v = environment["COCCD_ADVERTISE_URL"], !v.isEmpty { advertiseURL = v }
        if let v = environment["COCCD_LEASE_SECONDS"].flatMap(Int.init) { leaseSeconds = v }
    }

    /// The node id to use: the configured one, else the host name.
    public var resolvedNodeID: String {
        nodeID.isEmpty ? ProcessInfo.processInfo.hostName : nodeID
    }

    /// The advertise URL to use: the configured one, else built from the listen address.
    public func resolvedAdvertiseURL(host: String, port: Int, scheme: String) -> String {
        if !advertiseURL.isEmpty { return advertiseURL }
        let name = ["0.0.0.0", "::", ""].contains(host) ? ProcessInfo.processInfo.hostName : host
        return "\(scheme)://\(name.contains(":") ? "[\(name)]" : name):\(port)"
    }

    enum CodingKeys: String, CodingKey { case enabled, nodeID, advertiseURL, leaseSeconds }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
        nodeID = try c.decodeIfPresent(String.self, forKey: .nodeID) ?? nodeID
        advertiseURL = try c.decodeIfPresent(String.self, forKey: .advertiseURL) ?? advertiseURL
        leaseSeconds = try c.decodeIfPresent(Int.self, forKey: .leaseSeconds) ?? leaseSeconds
    }
}

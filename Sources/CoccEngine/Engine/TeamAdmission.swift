public import CoccStorage

/// Decides whether this process may run a team's engine: on a node of a cluster, only while it
/// holds the team's lease (``LeaseStore``). ``CallCenter/engine(team:)`` asks before it
/// creates an engine.
///
/// ```swift
/// center.admit(with: membership)       // a ClusterMembership
/// try await center.engine(team: 7)     // throws TeamElsewhere when another node owns team 7
/// ```
public protocol TeamAdmission: Sendable {
    /// The fence this node writes the team's state under; throws ``TeamElsewhere`` when
    /// another node owns the team, or the store's error when it cannot tell.
    func admit(team: Int64) async throws -> StoreFence
}

/// The team runs on another node of the cluster.
public struct TeamElsewhere: Error, CustomStringConvertible, Equatable {
    public var teamID: Int64
    public var nodeID: String
    public init(teamID: Int64, nodeID: String) {
        self.teamID = teamID
        self.nodeID = nodeID
    }
    public var description: String { "team \(teamID) runs on node \(nodeID)" }
}

/// Which live node a team belongs on when nobody owns it (first use, or its node died):
/// highest random weight (rendezvous) hashing of team and node. Every node computes the same
/// answer from the same list of live nodes, teams spread evenly, and when a node goes only its
/// teams move, each to its next-best node.
///
/// ```swift
/// RendezvousHash.preferred(team: 7, among: ["node-a", "node-b", "node-c"])   // "node-b", say
/// ```
public enum RendezvousHash {
    public static func preferred(team: Int64, among nodes: some Collection<String>) -> String? {
        nodes.max { weight(team, $0) < weight(team, $1) || (weight(team, $0) == weight(team, $1) && $0 > $1) }
    }

    /// FNV-1a over the team's bytes and the node's, then a 64-bit finaliser (splitmix64), so
    /// that similar names spread as well as different ones. Stable across processes and runs,
    /// unlike Swift's seeded `Hasher`.
    static func weight(_ team: Int64, _ node: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        withUnsafeBytes(of: team.littleEndian) { bytes in
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        for byte in node.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }
}

public import CoccStorage
import Foundation
import PostgresNIO
import Synchronization

/// Leases on the database's clock (`now()`), so that nodes whose clocks differ still agree on
/// when a lease has run out.
extension PostgresStore: LeaseStore {
    public var leases: (any LeaseStore)? { self }

    public func heartbeat(node: String, advertiseURL: String, leaseSeconds: Int) async throws {
        try await read("heartbeat") { connection in
            try await connection.run(
                """
                INSERT INTO cluster_nodes (node_id, advertise_url, lease_seconds) VALUES (\(node), \(advertiseURL), \(leaseSeconds))
                ON CONFLICT (node_id) DO UPDATE SET advertise_url = EXCLUDED.advertise_url, heartbeat_at = now(),
                    lease_seconds = EXCLUDED.lease_seconds,
                    started_at = CASE WHEN cluster_nodes.stopped THEN now() ELSE cluster_nodes.started_at END, stopped = false
                """, logger)
        }
    }

    public func nodeStopped(node: String) async throws {
        try await read("nodeStopped") { connection in
            try await connection.run("UPDATE cluster_nodes SET stopped = true WHERE node_id = \(node)", logger)
        }
    }

    /// One statement takes a free or expired lease (a new epoch, also for this node's own
    /// expired or earlier lease: a restarted node must not write under its previous life's
    /// epoch); the row lock of `ON CONFLICT DO UPDATE` makes concurrent askers queue, and each
    /// later one finds the lease held. When it was not taken, the holder's lease is read.
    public func acquireLease(team: Int64, node: String, seconds: Int) async throws -> LeaseAttempt {
        try await read("acquireLease") { connection in
            let taken = try await connection.rows(
                """
                INSERT INTO team_leases AS l (team_id, node_id, epoch, expires_at)
                VALUES (\(team), \(node), 1, now() + make_interval(secs => \(Double(seconds))))
                ON CONFLICT (team_id) DO UPDATE SET node_id = EXCLUDED.node_id, epoch = l.epoch + 1, expires_at = EXCLUDED.expires_at
                    WHERE l.expires_at <= now()
                RETURNING team_id, node_id, epoch, extract(epoch FROM expires_at - now())::float8
                """, logger)
            if let row = taken.first { return LeaseAttempt(lease: try Self.lease(row), acquired: true) }
            let held = try await connection.rows(
                "SELECT team_id, node_id, epoch, extract(epoch FROM expires_at - now())::float8 FROM team_leases WHERE team_id = \(team)",
                logger)
            guard let row = held.first else {
                throw PostgresStoreError(endpoint: endpoint, operation: "acquireLease", message: "the lease row vanished")
            }
            return LeaseAttempt(lease: try Self.lease(row), acquired: false)
        }
    }

    public func renewLeases(node: String, leases: [StoreFence], seconds: Int) async throws -> [Int64: Duration] {
        guard !leases.isEmpty else { return [:] }
        return try await read("renewLeases") { connection in
            let rows = try await connection.rows(
                """
                UPDATE team_leases AS l SET expires_at = now() + make_interval(secs => \(Double(seconds)))
                FROM unnest(\(ArrayParameter.integers(leases.map(\.teamID))), \(ArrayParameter.integers(leases.map(\.epoch)))) AS k(team, epoch)
                WHERE l.team_id = k.team AND l.epoch = k.epoch AND l.node_id = \(node)
                RETURNING l.team_id, extract(epoch FROM l.expires_at - now())::float8
                """, logger)
            var renewed: [Int64: Duration] = [:]
            for row in rows {
                let (team, remaining) = try row.decode((Int64, Double).self)
                renewed[team] = .milliseconds(Int64(remaining * 1000))
            }
            return renewed
        }
    }

    public func releaseLeases(_ leases: [StoreFence]) async throws {
        guard !leases.isEmpty else { return }
        try await read("releaseLeases") { connection in
            try await connection.run(
                """
                UPDATE team_leases AS l SET expires_at = now() - interval '1 second'
                FROM unnest(\(ArrayParameter.integers(leases.map(\.teamID))), \(ArrayParameter.integers(leases.map(\.epoch))),
                    \(ArrayParameter.text(leases.map(\.nodeID)))) AS k(team, epoch, node)
                WHERE l.team_id = k.team AND l.epoch = k.epoch AND l.node_id = k.node
                """, logger)
        }
    }

    public func leases() async throws -> [TeamLease] {
        try await read("leases") { connection in
            try await connection.rows(
                "SELECT team_id, node_id, epoch, extract(epoch FROM expires_at - now())::float8 FROM team_leases ORDER BY team_id", logger
            ).map(Self.lease)
        }
    }

    public func lease(team: Int64) async throws -> TeamLease? {
        try await read("lease") { connection in
            try await connection.rows(
                "SELECT team_id, node_id, epoch, extract(epoch FROM expires_at - now())::float8 FROM team_leases WHERE team_id = \(team)",
                logger
            ).first.map(Self.lease)
        }
    }

    public func nodes() async throws -> [ClusterNode] {
        try await read("nodes") { connection in
            try await connection.rows(
                """
                SELECT node_id, advertise_url, started_at, extract(epoch FROM now() - heartbeat_at)::float8, lease_seconds, stopped
                FROM cluster_nodes ORDER BY heartbeat_at DESC, node_id
                """, logger
            ).map { row in
                let (id, url, started, silent, seconds, stopped) = try row.decode((String, String, Date, Double, Int, Bool).self)
                return ClusterNode(
                    id: id, advertiseURL: url, startedAt: started, silentFor: .milliseconds(Int64(silent * 1000)), leaseSeconds: seconds,
                    stopped: stopped)
            }
        }
    }

    /// 32 random bytes as hex, inserted once; every node then reads the same value.
    public func clusterSecret() async throws -> String {
        var generator = SystemRandomNumberGenerator()
        let fresh = (0..<4).map { _ in String(format: "%016llx", generator.next()) }.joined()
        return try await read("clusterSecret") { connection in
            try await connection.run(
                "INSERT INTO cluster_settings (name, value) VALUES ('forward_secret', \(fresh)) ON CONFLICT (name) DO NOTHING", logger)
            guard
                let value = try await connection.value(
                    String.self, "SELECT value FROM cluster_settings WHERE name = 'forward_secret'", logger)
            else { throw PostgresStoreError(endpoint: endpoint, operation: "clusterSecret", message: "no secret stored") }
            return value
        }
    }

    /// pg_advisory_lock's key for a single node ("coccdone" in ASCII): a session lock, on a
    /// connection of its own that lives as long as the store, so it goes with the process.
    static let singleNodeLock: Int64 = 0x636F_6363_646F_6E65

    public func holdSingleNodeLock() async throws -> Bool {
        let connection = try await Self.connect(connectionConfiguration, location: location, logger: logger)
        do {
            let held = try await connection.value(Bool.self, "SELECT pg_try_advisory_lock(\(Self.singleNodeLock))", logger) ?? false
            guard held else {
                try? await connection.close()
                return false
            }
            singleNodeConnection.withLock { $0 = connection }
            return true
        } catch {
            try? await connection.close()
            throw PostgresStoreError.wrapping(error, endpoint: endpoint, operation: "holdSingleNodeLock")
        }
    }

    public func singleNodeRunning() async throws -> Bool {
        try await read("singleNodeRunning") { connection in
            try await connection.value(
                Bool.self,
                "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = \(Self.singleNodeLock)",
                logger) ?? false
        }
    }

    static func lease(_ row: PostgresRow) throws -> TeamLease {
        let (team, node, epoch, remaining) = try row.decode((Int64, String, Int64, Double).self)
        return TeamLease(teamID: team, nodeID: node, epoch: epoch, remaining: .milliseconds(Int64(remaining * 1000)))
    }

    /// Inside a write's transaction: the lease still has the fence's node and epoch, and stays
    /// so until the commit (`FOR SHARE`: a takeover's update waits for this transaction).
    func checkFence(_ fence: StoreFence, on connection: PostgresConnection) async throws {
        let held = try await connection.value(
            Int64.self,
            """
            SELECT epoch FROM team_leases WHERE team_id = \(fence.teamID) AND node_id = \(fence.nodeID) AND epoch = \(fence.epoch) FOR SHARE
            """, logger)
        guard held != nil else { throw StoreFenceError(fence: fence) }
    }
}

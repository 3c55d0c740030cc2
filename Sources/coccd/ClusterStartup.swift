import ArgumentParser
import CoccCluster
import CoccEngine
import CoccServer
import CoccStorage
import Logging

/// Joins the cluster the configuration names, before the interfaces open; nil for a single node.
enum ClusterStartup {
    static func join(
        configuration: ServerConfiguration, nodeID: String, scheme: String, store: any DataStore, center: CallCenter, logger: Logger
    ) async throws -> ClusterRouting? {
        guard let leases = store.leases else { return nil }
        guard configuration.cluster.isOn else {
            // A single node on a database that cluster nodes use would run their teams too.
            let alive = (try? await leases.nodes().filter(\.isAlive).map(\.id)) ?? []
            if !alive.isEmpty {
                logger.critical(
                    "cannot start: cluster nodes are running on this database; give this one a --node-id to join them",
                    metadata: ["nodes": "\(alive.joined(separator: ","))"])
                throw ExitCode(StoreOpening.unavailableExitCode)
            }
            // Held for the process's life: a cluster node (or a second single node) refuses to start.
            guard (try? await leases.holdSingleNodeLock()) == true else {
                logger.critical("cannot start: another coccd runs on this database as a single node (without --node-id)")
                throw ExitCode(StoreOpening.unavailableExitCode)
            }
            return nil
        }
        let settings = ClusterSettings(
            nodeID: nodeID,
            advertiseURL: configuration.cluster.resolvedAdvertiseURL(host: configuration.host, port: configuration.port, scheme: scheme),
            leaseSeconds: configuration.cluster.leaseSeconds)
        let membership = ClusterMembership(settings: settings, leases: leases, center: center, logger: logger)
        center.admit(with: membership)
        if (try? await leases.singleNodeRunning()) == true {
            logger.critical("cannot start: a coccd runs on this database as a single node (without --node-id); stop it or give it one")
            throw ExitCode(StoreOpening.unavailableExitCode)
        }
        do {
            try await membership.join()
            let secret = try await leases.clusterSecret()
            // A forwarded operation may wait for its writes at the owner (storeWriteTimeout),
            // and its answer must come back before the caller gives up.
            let timeout = Duration.milliseconds(Int64(configuration.storeWriteTimeoutSeconds * 1000)) + .seconds(10)
            return ClusterRouting(
                membership: membership, forwarder: OperationForwarder(secret: secret), secret: secret, operationTimeout: timeout)
        } catch {
            logger.critical("cannot start: the node cannot join the cluster: \(error)")
            throw ExitCode(StoreOpening.unavailableExitCode)
        }
    }
}

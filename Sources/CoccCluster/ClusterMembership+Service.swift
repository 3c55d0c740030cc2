import AsyncAlgorithms
import CoccEngine
import CoccStorage
import Logging
public import ServiceLifecycle
import Synchronization

/// The node's clock: every `sweepInterval` it heartbeats, refreshes the live nodes, renews its
/// leases when due and takes the expired leases of teams that belong on it (a dead node's);
/// beside it, the store's event notifications wake this node's long-polls and streams.
extension ClusterMembership: Service {
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.relayEvents() }
            var lastRenewal = ContinuousClock.now
            for await _ in AsyncTimerSequence(interval: settings.sweepInterval, clock: .continuous).cancelOnGracefulShutdown() {
                await tick(renew: ContinuousClock.now - lastRenewal >= settings.renewInterval)
                if ContinuousClock.now - lastRenewal >= settings.renewInterval { lastRenewal = .now }
            }
            group.cancelAll()
        }
    }

    /// One turn of the clock (tests call it directly).
    func tick(renew: Bool) async {
        do {
            try await leases.heartbeat(node: nodeID, advertiseURL: settings.advertiseURL, leaseSeconds: settings.leaseSeconds)
            try await refreshNodes()
        } catch {
            logger.warning("cluster heartbeat failed", metadata: ["error": "\(error)"])
        }
        if renew { await renewLeases() }
        await takeOverExpired()
    }

    func refreshNodes() async throws {
        let all = try await leases.nodes()
        let alive = all.filter { $0.isAlive && $0.id != nodeID }
        let (joined, left) = state.withLock { s -> ([String], [String]) in
            let before = Set(s.nodes.keys)
            s.nodes = Dictionary(uniqueKeysWithValues: alive.map { ($0.id, $0) })
            let after = Set(s.nodes.keys)
            // A node that heartbeats is asked again at once.
            for id in after.subtracting(before) { s.unreachable[id] = nil }
            return (after.subtracting(before).sorted(), before.subtracting(after).sorted())
        }
        if !joined.isEmpty { logger.notice("cluster nodes alive", metadata: ["joined": "\(joined.joined(separator: ","))"]) }
        if !left.isEmpty { logger.notice("cluster nodes gone", metadata: ["left": "\(left.joined(separator: ","))"]) }
    }

    /// Renews every held lease; a lease the store did not renew is lost: its engine stops here.
    func renewLeases() async {
        let held = heldLeasesForRenewal()
        guard !held.isEmpty else { return }
        let asked = ContinuousClock.now
        let renewed: [Int64: Duration]
        do { renewed = try await leases.renewLeases(node: nodeID, leases: held, seconds: settings.leaseSeconds) } catch {
            logger.error("lease renewal failed; leases run out unless the next one succeeds", metadata: ["error": "\(error)"])
            return
        }
        var lost: [StoreFence] = []
        state.withLock { s in
            for fence in held {
                if let remaining = renewed[fence.teamID] {
                    s.owned[fence.teamID]?.validUntil = asked + remaining - settings.safetyMargin
                } else if s.owned[fence.teamID]?.fence == fence {
                    s.owned[fence.teamID] = nil
                    lost.append(fence)
                }
            }
        }
        for fence in lost {
            logger.error(
                "team lease lost to another node; its engine stops here",
                metadata: ["team_id": "\(fence.teamID)", "epoch": "\(fence.epoch)"])
            center.evict(team: fence.teamID)
        }
    }

    private func heldLeasesForRenewal() -> [StoreFence] {
        state.withLock { $0.owned.values.map(\.fence) }
    }

    /// Expired leases of teams that belong on this node (by ``RendezvousHash`` over the live
    /// nodes) are taken, and their engines loaded at once: the previous owner's calls end
    /// with their events, webhooks resume from their cursor, sessions are back in memory.
    func takeOverExpired() async {
        guard !state.withLock({ $0.leaving }) else { return }
        let all: [TeamLease]
        do { all = try await leases.leases() } catch { return }
        let candidates = candidateNodes()
        let directory = center.directory
        for lease in all where lease.isExpired && directory.teams[lease.teamID] != nil {
            guard RendezvousHash.preferred(team: lease.teamID, among: candidates) == nodeID else { continue }
            do {
                _ = try await center.engine(team: lease.teamID)
                logger.notice(
                    "team taken over",
                    metadata: ["team_id": "\(lease.teamID)", "previous_node": "\(lease.nodeID)", "previous_epoch": "\(lease.epoch)"])
            } catch is TeamElsewhere {
                continue  // another node was quicker
            } catch {
                logger.error("could not take over a team", metadata: ["team_id": "\(lease.teamID)", "error": "\(error)"])
            }
        }
    }

    /// The store's append notifications wake this node's waiting readers (long-polls, SSE,
    /// webhook loops); a reconnection of the listener wakes them all, since notifications may
    /// have been missed meanwhile.
    func relayEvents() async {
        guard let signals = center.store.eventAppendSignals() else { return }
        let bus = center.eventBus
        for await signal in signals.cancelOnGracefulShutdown() {
            if let team = signal.teamID {
                bus.remoteAppended(team: team, eventid: signal.eventid, local: center.loadedEngine(team: team) != nil)
            } else {
                bus.remoteResync { self.center.loadedEngine(team: $0) != nil }
            }
        }
    }

    /// Graceful shutdown, after the live calls ended and their writes were stored: the leases
    /// are given up (other nodes take the teams at once) and the node is marked stopped.
    public func leave() async {
        let held = state.withLock { s -> [StoreFence] in
            s.leaving = true
            defer { s.owned = [:] }
            return s.owned.values.map(\.fence)
        }
        do {
            try await leases.releaseLeases(held)
            try await leases.nodeStopped(node: nodeID)
            logger.notice("cluster node left; leases given up", metadata: ["teams": "\(held.count)"])
        } catch {
            logger.error("could not give the leases up; they run out by themselves", metadata: ["error": "\(error)"])
        }
    }
}

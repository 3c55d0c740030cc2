public import CoccStorage
public import CoccSwitch
public import Foundation
public import Logging
import Synchronization

/// The engine's entry point: the directory snapshot, authentication and one ``TeamEngine`` per team.
///
/// ```swift
/// let center = try await CallCenter(store: store, switch: pbx)
/// let directory = center.directory
/// let engine = try await center.engine(team: team.id)
/// let reply = await engine.login(agent: agent, directory: directory, logger: logger)
/// ```
public final class CallCenter: Sendable {
    public let store: any DataStore
    public let authenticator: Authenticator
    public let clock: @Sendable () -> Date
    public let callSwitch: any Switch
    let legRegistry: LegRegistry
    let logger: Logger
    /// Where each answered call is recorded (`<team>/<YYYYMMDD>/<sessionid>.wav` below it).
    public let recordingsDirectory: String?
    let ivrMenus: [String: IVRMenu]
    let offerRingTimeout: Duration
    /// Wakes long-polls and streams when a team's event is appended.
    public let eventBus = EventBus()
    private let snapshot: Mutex<Directory>
    private let engines = Mutex<[Int64: TeamEngine]>([:])
    /// Engines being created (their sessions are being read), so that concurrent first
    /// requests for a team share one engine.
    private let loading = Mutex<[Int64: Task<TeamEngine, any Error>]>([:])
    /// Who decides whether this process may run a team (a cluster node's leases); nil: every team.
    private let admissionHolder = Mutex<(any TeamAdmission)?>(nil)

    /// `switch` carries the calls; its notifications are routed to the team that owns each leg.
    public init(
        store: any DataStore, switch callSwitch: any Switch, clock: @escaping @Sendable () -> Date = Date.init,
        legRegistry: LegRegistry = LegRegistry(), logger: Logger = Logger(label: "coccd"), recordingsDirectory: String? = nil,
        ivrMenus: [String: IVRMenu] = IVRMenu.sample, offerRingTimeout: Duration = .seconds(20)
    ) async throws {
        self.offerRingTimeout = offerRingTimeout
        self.recordingsDirectory = recordingsDirectory
        self.ivrMenus = ivrMenus
        self.store = store
        self.clock = clock
        self.callSwitch = callSwitch
        self.legRegistry = legRegistry
        self.logger = logger
        self.authenticator = Authenticator(clock: clock)
        self.snapshot = Mutex(try await store.loadDirectory())
    }

    /// Reads the switch's notifications and handles each in turn, until the stream ends or the
    /// task is cancelled. The server runs it as a service (`SwitchNotificationService`); one
    /// reader per switch: a second call returns at once.
    ///
    /// ```swift
    /// let center = try await CallCenter(store: store, switch: pbx)
    /// Task { await center.consumeSwitchNotifications() }
    /// ```
    public func consumeSwitchNotifications() async {
        for await notification in callSwitch.notifications {
            await handle(notification)
        }
    }

    /// Hands one switch notification to the team engine that owns the leg
    /// (``consumeSwitchNotifications()`` does, and a benchmark that times it).
    public func handle(_ notification: SwitchNotification) async {
        if case .incoming(let leg, let called, let tenant, let priority) = notification {
            guard let team = directory.team(identity: tenant) else {
                logger.warning("inbound call for an unknown team", metadata: ["tenant": "\(tenant)", "called": "\(called)"])
                try? await callSwitch.hangup(uniqueid: leg.uniqueid)
                return
            }
            legRegistry.claim(leg.uniqueid, team: team.id)
            do {
                try await engine(team: team.id).receiveInbound(leg: leg, called: called, priority: priority)
            } catch let elsewhere as TeamElsewhere {
                // Several nodes on one switch: the caller goes to the owner's application.
                legRegistry.release(leg.uniqueid)
                do {
                    try await callSwitch.handOver(
                        uniqueid: leg.uniqueid, toNode: elsewhere.nodeID, called: called, tenant: tenant, priority: priority)
                    logger.info(
                        "inbound call handed to the team's node", metadata: ["tenant": "\(tenant)", "node": "\(elsewhere.nodeID)"])
                } catch {
                    logger.warning(
                        "inbound call for a team of another node could not be handed over; hung up",
                        metadata: ["tenant": "\(tenant)", "node": "\(elsewhere.nodeID)", "error": "\(error)"])
                    try? await callSwitch.hangup(uniqueid: leg.uniqueid)
                }
            } catch {
                logger.error("could not load team state for an inbound call", metadata: ["error": "\(error)"])
            }
            return
        }
        guard let team = legRegistry.owner(of: notification.uniqueid) else {
            logger.debug("notification for an unknown leg", metadata: ["uniqueid": "\(notification.uniqueid)"])
            return
        }
        do {
            try await engine(team: team).handle(notification)
        } catch {
            logger.error("could not load team state for a notification", metadata: ["team_id": "\(team)", "error": "\(error)"])
        }
    }

    /// The team a live leg belongs to, if any (the simulator's control surface scopes by it).
    public func team(owningLeg uniqueid: Int64) -> Int64? {
        legRegistry.owner(of: uniqueid)
    }

    /// The current directory snapshot.
    public var directory: Directory { snapshot.withLock { $0 } }

    /// Loads the directory again when its stored revision moved; returns whether it did.
    @discardableResult
    public func reloadDirectoryIfChanged(logger: Logger) async throws -> Bool {
        let revision = try await store.directoryRevision()
        guard revision != directory.revision else { return false }
        let fresh = try await store.loadDirectory()
        // Two reloads racing: the newer snapshot wins, whichever finishes last.
        let replaced = snapshot.withLock { current -> Bool in
            guard fresh.revision != current.revision else { return false }
            current = fresh
            return true
        }
        guard replaced else { return false }
        // Remembered credentials of removed users, or of users whose password changed, go now
        // (lookups would refuse them anyway; this keeps nothing stale in memory).
        authenticator.cache.invalidate { principal in
            switch principal {
            case .agent(let agent): return fresh.agents[agent.id]?.passwordHash != agent.passwordHash
            case .account(let account): return fresh.accounts[account.id]?.passwordHash != account.passwordHash
            }
        }
        logger.info(
            "directory reloaded",
            metadata: ["revision": "\(fresh.revision)", "teams": "\(fresh.teams.count)", "agents": "\(fresh.agents.count)"])
        return true
    }

    /// Ends after-call work older than `limit` in every team; returns how many it ended.
    @discardableResult
    public func expireAfterCallWork(olderThan limit: TimeInterval) async -> Int {
        let all = engines.withLock { Array($0.values) }
        var ended = 0
        for engine in all { ended += await engine.expireAfterCallWork(olderThan: limit) }
        return ended
    }

    /// Ends the calls a crashed previous run left in the store (``TeamEngine/recoverInterruptedCalls()``);
    /// answers how many. Run at start-up, before the interfaces open.
    @discardableResult
    public func recoverInterruptedCalls() async -> Int {
        let teams: [Int64]
        do { teams = try await store.liveCallTeamIDs() } catch {
            logger.error("could not read interrupted calls", metadata: ["error": "\(error)"])
            return 0
        }
        var ended = 0
        for team in teams {
            do { ended += try await engine(team: team).recoverInterruptedCalls() } catch {
                logger.error(
                    "could not load team state to end its interrupted calls", metadata: ["team_id": "\(team)", "error": "\(error)"])
            }
        }
        // The ended calls' events and records are stored before the interfaces open.
        if ended > 0, !(await flushAllWrites(timeout: .seconds(30))) {
            logger.error("the ended calls' records are not all stored yet", metadata: ["reason": "\(storeWriteFailure ?? "timeout")"])
        }
        return ended
    }

    /// Ends every live call cleanly, with its events; for graceful shutdown.
    public func hangUpAllCalls() async {
        let all = engines.withLock { Array($0.values) }
        for engine in all { await engine.hangUpAllCalls() }
    }

    /// How many calls are live in every loaded team.
    public func liveCallCount() async -> Int {
        let all = engines.withLock { Array($0.values) }
        var count = 0
        for engine in all { count += await engine.liveCallCount }
        return count
    }

    /// A finished call's record, also when the call ended a moment ago and its record is still
    /// queued for the store: an engine queues the record before it forgets the live call, so
    /// once `liveCall(sessionid:)` has said no, waiting for the queued writes finds it.
    public func callRecord(sessionid: String, timeout: Duration = .seconds(5)) async throws -> CallRecord? {
        if let record = try await store.callRecord(sessionid: sessionid) { return record }
        _ = await flushAllWrites(timeout: timeout)
        return try await store.callRecord(sessionid: sessionid)
    }

    /// The team and start of a live call, for getMonitor to find its finished recording segments
    /// before the call has a record. Only loaded engines can have live calls.
    public func liveCall(sessionid: String) async -> (teamID: Int64, startedAt: Date)? {
        let all = engines.withLock { Array($0.values) }
        for engine in all {
            if let start = await engine.liveCallStart(sessionid: sessionid) { return (engine.teamID, start) }
        }
        return nil
    }

    /// Makes engine creation ask `admission` first (a node of a cluster): a team another node
    /// owns gets no engine here (``TeamElsewhere``), and an engine created under a lease fences
    /// its writes with it and first ends the calls the team's previous owner left.
    public func admit(with admission: any TeamAdmission) {
        admissionHolder.withLock { $0 = admission }
    }

    /// The admission in force, if any.
    public var admission: (any TeamAdmission)? { admissionHolder.withLock { $0 } }

    /// The team's engine, created (with its sessions loaded from the store) on first use.
    /// Throws ``TeamElsewhere`` when the admission says another node runs the team.
    public func engine(team id: Int64) async throws -> TeamEngine {
        if let engine = engines.withLock({ $0[id] }) { return engine }
        let task = loading.withLock { loading -> Task<TeamEngine, any Error> in
            if let task = loading[id] { return task }
            let (store, clock, callSwitch, legRegistry, logger) = (self.store, self.clock, self.callSwitch, self.legRegistry, self.logger)
            let (recordingsDirectory, ivrMenus, offerRingTimeout, eventBus, admission) =
                (self.recordingsDirectory, self.ivrMenus, self.offerRingTimeout, self.eventBus, self.admission)
            let task = Task { [weak self] in
                let fence = try await admission?.admit(team: id)
                // Taken over from another node (or from this node's previous run): the event
                // log's live edge in memory is not this engine's.
                if fence != nil { eventBus.forget(team: id) }
                let engine = try await TeamEngine(
                    teamID: id, store: store, clock: clock, callSwitch: callSwitch, legRegistry: legRegistry, logger: logger,
                    directory: { [weak self] in self?.directory ?? .empty }, recordingsDirectory: recordingsDirectory,
                    ivrMenus: ivrMenus, offerRingTimeout: offerRingTimeout, eventBus: eventBus, fence: fence)
                // Under a lease, calls still recorded are the previous owner's (a node that died
                // or lost the team): ended now, as at a restart (TeamEngine+Recovery).
                if let fence {
                    // ...and its import tasks the previous owner left running continue here
                    // from their saved rows (fenced: only while this node holds the lease).
                    let requeued =
                        (try? await StoreFence.$current.withValue(fence) { try await store.requeueInterruptedTasks(teamID: id) }) ?? 0
                    if requeued > 0 {
                        logger.notice(
                            "import tasks of the team's previous owner continue here",
                            metadata: ["team_id": "\(id)", "tasks": "\(requeued)"])
                    }
                    let ended = await engine.recoverInterruptedCalls()
                    if ended > 0 {
                        logger.notice(
                            "calls of the team's previous owner ended",
                            metadata: ["team_id": "\(id)", "calls": "\(ended)", "epoch": "\(fence.epoch)"])
                    }
                }
                return engine
            }
            loading[id] = task
            return task
        }
        do {
            let engine = try await task.value
            // The first to get here publishes it; later ones find it (the same engine). The
            // finished task goes once the engine is published: later requests find the engine.
            let published = engines.withLock { engines in
                if let existing = engines[id] { return existing }
                engines[id] = engine
                return engine
            }
            loading.withLock { _ = $0.removeValue(forKey: id) }
            return published
        } catch {
            // Not kept: the next request tries the store again.
            loading.withLock { _ = $0.removeValue(forKey: id) }
            throw error
        }
    }

    /// Drops the team's engine (its lease moved to another node, or was given up): later
    /// requests ask the admission again. Requests holding the old engine finish against it;
    /// its journal refuses their writes (fenced), so they answer BackMsg_85.
    public func evict(team id: Int64) {
        let engine = engines.withLock { $0.removeValue(forKey: id) }
        eventBus.forget(team: id)
        if engine != nil { logger.notice("team engine stopped here", metadata: ["team_id": "\(id)"]) }
    }

    /// The teams whose engines run here.
    public var loadedTeams: [Int64] { engines.withLock { Array($0.keys) } }

    /// The team's engine if it has been created (nil: the team has had no request or call yet).
    public func loadedEngine(team id: Int64) -> TeamEngine? {
        engines.withLock { $0[id] }
    }

    /// Waits until the team's queued store writes are applied; false when `timeout` passed
    /// first or the team has no engine yet (nothing to wait for: true).
    public func flushWrites(team id: Int64, timeout: Duration) async -> Bool {
        guard let engine = loadedEngine(team: id) else { return true }
        return await engine.journal.flush(timeout: timeout)
    }

    /// Why the store is refusing writes now (the first team whose journal is failing), or nil.
    public var storeWriteFailure: String? {
        let all = engines.withLock { Array($0.values) }
        return all.lazy.compactMap { $0.journal.failure }.first
    }

    /// Waits for every loaded team's queued writes (shutdown, before the store closes).
    public func flushAllWrites(timeout: Duration) async -> Bool {
        let all = engines.withLock { Array($0.values) }
        var ok = true
        for engine in all where !(await engine.journal.flush(timeout: timeout)) { ok = false }
        return ok
    }
}

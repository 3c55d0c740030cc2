public import CoccStorage
public import CoccSwitch
public import Foundation
public import Logging
import Synchronization

/// The engine's entry point: the directory snapshot, authentication and one ``TeamEngine`` per team.
///
/// ```swift
/// let center = try CallCenter(store: store)
/// let directory = center.directory
/// let engine = try center.engine(team: team.id)
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

    /// `switch` carries the calls; its notifications are routed to the team that owns each leg.
    public init(
        store: any DataStore, switch callSwitch: any Switch, clock: @escaping @Sendable () -> Date = Date.init,
        legRegistry: LegRegistry = LegRegistry(), logger: Logger = Logger(label: "coccd"), recordingsDirectory: String? = nil,
        ivrMenus: [String: IVRMenu] = IVRMenu.sample, offerRingTimeout: Duration = .seconds(20)
    ) throws {
        self.offerRingTimeout = offerRingTimeout
        self.recordingsDirectory = recordingsDirectory
        self.ivrMenus = ivrMenus
        self.store = store
        self.clock = clock
        self.callSwitch = callSwitch
        self.legRegistry = legRegistry
        self.logger = logger
        self.authenticator = Authenticator(clock: clock)
        self.snapshot = Mutex(try store.loadDirectory())
    }

    /// Reads the switch's notifications and handles each in turn, until the stream ends or the
    /// task is cancelled. The server runs it as a service (`SwitchNotificationService`); one
    /// reader per switch: a second call returns at once.
    ///
    /// ```swift
    /// let center = try CallCenter(store: store, switch: pbx)
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
    public func reloadDirectoryIfChanged(logger: Logger) throws -> Bool {
        let revision = try store.directoryRevision()
        guard revision != directory.revision else { return false }
        let fresh = try store.loadDirectory()
        snapshot.withLock { $0 = fresh }
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
        do { teams = try store.liveCallTeamIDs() } catch {
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

    /// The team and start of a live call, for getMonitor to find its finished recording segments
    /// before the call has a record. Only loaded engines can have live calls.
    public func liveCall(sessionid: String) async -> (teamID: Int64, startedAt: Date)? {
        let all = engines.withLock { Array($0.values) }
        for engine in all {
            if let start = await engine.liveCallStart(sessionid: sessionid) { return (engine.teamID, start) }
        }
        return nil
    }

    /// The team's engine, created (with its sessions loaded from the store) on first use.
    public func engine(team id: Int64) throws -> TeamEngine {
        try engines.withLock { engines in
            if let engine = engines[id] { return engine }
            let engine = try TeamEngine(
                teamID: id, store: store, clock: clock, callSwitch: callSwitch, legRegistry: legRegistry, logger: logger,
                directory: { [weak self] in self?.directory ?? .empty }, recordingsDirectory: recordingsDirectory,
                ivrMenus: ivrMenus, offerRingTimeout: offerRingTimeout, eventBus: eventBus)
            engines[id] = engine
            return engine
        }
    }
}

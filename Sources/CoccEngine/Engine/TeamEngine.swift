import CoccOperations
public import CoccStorage
public import CoccSwitch
public import Foundation
public import Logging

/// The live state of one team's agents. One actor per team keeps a team consistent without
/// locks and lets teams run in parallel.
///
/// Every method takes the directory snapshot the request was authenticated against, so one
/// request sees one consistent directory. A change is applied in memory and its writes queued
/// in the team's ``StoreJournal`` in the same step, with no `await` between: the actor's state
/// never shows half a change to an interleaved request. The operation then waits for the
/// journal (the dispatcher does) before it answers, so a success means the change is durable.
public actor TeamEngine {
    public let teamID: Int64
    let store: any EngineStore
    /// The team's queued store writes, in order (see ``StoreJournal``).
    public nonisolated let journal: StoreJournal
    let clock: @Sendable () -> Date
    /// Every change to sessions or calls moves ``changes`` on, so live views can follow.
    var sessions: [Int64: AgentSession] { didSet { changes.changed() } }
    let callSwitch: any Switch
    let legRegistry: LegRegistry
    /// Live calls by session id, and which call and side each live leg belongs to.
    var calls: [String: Call] = [:] { didSet { changes.changed() } }
    var legRoles: [Int64: (sessionid: String, role: Call.Role)] = [:]
    /// For what happens outside a request (switch notifications).
    let callLogger: Logger
    /// The current directory, for work that starts from a notification rather than a request.
    let directoryProvider: @Sendable () -> Directory
    /// Where conversations are recorded; nil: not recorded.
    let recordingsDirectory: String?
    /// The IVRs agents may transfer to, by extension.
    let ivrMenus: [String: IVRMenu]
    /// How long an offered agent's phone rings before the call goes to the next agent.
    let offerRingTimeout: Duration
    /// Told of every appended event, to wake long-polls and streams.
    let eventBus: EventBus
    /// monitorCtrl's recording segments of live calls, by session id (see TeamEngine+RecordingSegments).
    var recordingSegments: [String: RecordingSegments] = [:]
    /// Goes up on every change of the team's live state (``LiveView``); nonisolated, so that a
    /// view can wait for it without entering the actor.
    public nonisolated let changes = ChangeSignal()
    /// The sessions as last published, for status reads that skip the actor (``SessionBoard``).
    public nonisolated let board = SessionBoard()
    /// Today's inbound figures per group, read once a day from the call records.
    var inboundOutcomes: InboundOutcomes?

    public init(
        teamID: Int64, store: any EngineStore, clock: @escaping @Sendable () -> Date, callSwitch: any Switch,
        legRegistry: LegRegistry, logger: Logger, directory: @escaping @Sendable () -> Directory,
        recordingsDirectory: String? = nil, ivrMenus: [String: IVRMenu] = IVRMenu.sample,
        offerRingTimeout: Duration = .seconds(20), eventBus: EventBus = EventBus(), fence: StoreFence? = nil
    ) async throws {
        self.offerRingTimeout = offerRingTimeout
        self.eventBus = eventBus
        self.directoryProvider = directory
        self.ivrMenus = ivrMenus
        self.recordingsDirectory = recordingsDirectory
        self.teamID = teamID
        self.store = store
        self.clock = clock
        self.callSwitch = callSwitch
        self.legRegistry = legRegistry
        var logger = logger
        logger[metadataKey: "team_id"] = "\(teamID)"
        self.callLogger = logger
        let journal = StoreJournal(logger: logger, fence: fence)
        self.journal = journal
        var sessions = Dictionary(try await store.loadSessions(teamID: teamID).map { ($0.agentID, $0) }, uniquingKeysWith: { a, _ in a })
        // Calls do not survive the process: an agent saved as ringing or talking (a crash, not a
        // graceful stop, which hangs calls up first) is returned to its other state.
        for (id, var session) in sessions where session.call != .none {
            session.call = .none
            let cleared = session
            journal.enqueue("session \(id)") { try await store.saveSession(cleared) }
            sessions[id] = session
            logger.notice("agent call state cleared at start-up", metadata: ["team_id": "\(teamID)", "agent_id": "\(id)"])
        }
        self.sessions = sessions
        board.publish(sessions, version: changes.version)
    }

    /// Hangs up every live call of the team, so each ends with its hangup events (shutdown).
    public func hangUpAllCalls() async {
        for call in calls.values {
            calls[call.sessionid]?.tearingDown = true
            for leg in call.legs() { try? await callSwitch.hangup(uniqueid: leg.uniqueid) }
        }
    }

    var liveCallCount: Int { calls.count }

    /// The agent's session, or a fresh logged-out one.
    func session(of agent: Agent) -> AgentSession {
        sessions[agent.id] ?? AgentSession(agent: agent, now: clock())
    }

    /// A read-only copy of an agent's session, for status views and tests.
    public func sessionSnapshot(agentID: Int64) -> AgentSession? {
        sessions[agentID]
    }

    /// Makes `new` current and queues its write; moves `statusSince` when the overall status
    /// changed. It cannot fail here: the journal keeps and retries the write, and an operation
    /// learns of a store that does not take it from the journal's flush (BackMsg_85).
    func commit(_ new: AgentSession, logger: Logger) {
        var new = new
        let old = sessions[new.agentID]
        if old?.status != new.status { new.statusSince = clock() }
        sessions[new.agentID] = new
        let store = self.store
        let saved = new
        journal.enqueue("session \(new.agentID)") { try await store.saveSession(saved) }
    }

    /// Closes the open pause of `session`, in the history (queued) and in the session.
    func endPause(_ session: inout AgentSession, logger: Logger) {
        guard let pause = session.pause else { return }
        let (store, agentID, now) = (self.store, session.agentID, clock())
        journal.enqueue("pause end \(agentID)") { try await store.endPause(agentID: agentID, at: now) }
        session.pause = nil
        logger.info("pause ended", metadata: ["agent_id": "\(session.agentID)", "reason": "\(pause.reason)"])
    }

    /// Puts the agent into after-call work; the call engine calls this as a group's mode says.
    public func enterAfterCallWork(agent: Agent, logger: Logger) -> Bool {
        var session = session(of: agent)
        guard session.loggedIn, !session.groups.isEmpty else { return false }
        session.afterCallWorkSince = clock()
        commit(session, logger: logger)
        return true
    }

    /// Sets what the agent is doing in a call; the call engine drives this.
    public func setCallActivity(_ activity: CallActivity, agent: Agent, logger: Logger) -> Bool {
        var session = session(of: agent)
        session.call = activity
        commit(session, logger: logger)
        return true
    }
}

/// Group ids as the wire lists them: `1,2,3`, a trailing comma allowed, spaces ignored.
enum GroupList {
    static func parse(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}

public import CoccStorage
public import Foundation
import Synchronization

/// The live edge of the event log: every append goes through here, so waiting readers (long-
/// polls, streams) wake the moment an event for *their* channel exists, and read recent events
/// from memory instead of SQLite.
///
/// ```swift
/// bus.append(to: store, journal: journal, team: 1, at: now, agents: [agent.id]) { id in message.render(eventid: id) }
/// await bus.wait(team: 1, agent: agent.id, after: cursor, timeout: .seconds(30))
/// let next = bus.recent(team: 1, after: cursor, agent: agent.id, limit: 100) ?? (try await store.events(...))
/// ```
/// A wake-up is only a hint: readers always re-read from the log (memory or store), so a lost
/// race costs at most one timeout, never an event. Only the agents an event is for (and the
/// team's readers) are woken: with 1,000 agent pages open, an event wakes one page, not all.
public final class EventBus: Sendable {
    /// How many recent events per team are kept in memory.
    public static let recentCapacity = 4_096

    struct Entry {
        let event: StoredEvent
        let agents: [Int64]
        /// False for an agent's own copy of an event (see `TeamEngine.emit`): not on the team channel.
        let teamChannel: Bool
    }

    /// A reader waiting for its channel: `wake` is called once, outside the lock, when the
    /// channel has something (or the waiter is dropped with ``unwatch(_:)``, which does not call it).
    private struct Waiter {
        let id: Int
        let wake: @Sendable () -> Void
    }

    private struct Team {
        var latest: Int64 = 0
        /// The newest id another process said it appended (``remoteAppended(team:eventid:)``):
        /// waiters wake for it and re-read the store.
        var remoteLatest: Int64 = 0
        /// The newest event on the team channel (private copies excluded).
        var teamLatest: Int64 = 0
        var agentLatest: [Int64: Int64] = [:]
        /// Events with consecutive ids, oldest first, since this process started appending.
        var recent: [Entry] = []
        var teamWaiters: [Waiter] = []
        var agentWaiters: [Int64: [Waiter]] = [:]
    }

    private struct State {
        var teams: [Int64: Team] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Queues the append to the durable log in the team's journal, and publishes once the
    /// event is stored: a reader never sees an event that a crash could take back. The journal
    /// applies one team's writes in order, which keeps the in-memory run in id order.
    /// `teamChannel` false: only the given agents' channels carry the event. `appended` is
    /// told the stored event (for logs).
    public func append(
        to store: any EngineStore, journal: StoreJournal, team: Int64, at: Date, agents: [Int64], teamChannel: Bool = true,
        render: @escaping @Sendable (Int64) -> String, appended: (@Sendable (StoredEvent) -> Void)? = nil
    ) {
        journal.enqueue("event") {
            let stored = try await store.appendEvent(teamID: team, at: at, agentIDs: agents, teamChannel: teamChannel, render: render)
            self.published(stored, agents: agents, teamChannel: teamChannel)
            appended?(stored)
        }
    }

    func published(_ event: StoredEvent, agents: [Int64], teamChannel: Bool = true) {
        let woken = state.withLock { s -> [@Sendable () -> Void] in
            var team = s.teams[event.teamID] ?? Team()
            if let last = team.recent.last, last.event.eventid + 1 != event.eventid { team.recent.removeAll() }
            team.recent.append(Entry(event: event, agents: agents, teamChannel: teamChannel))
            if team.recent.count > 2 * Self.recentCapacity { team.recent.removeFirst(team.recent.count - Self.recentCapacity) }
            team.latest = max(team.latest, event.eventid)
            var woken: [@Sendable () -> Void] = []
            if teamChannel {
                team.teamLatest = max(team.teamLatest, event.eventid)
                woken = team.teamWaiters.map(\.wake)
                team.teamWaiters.removeAll()
            }
            for agent in agents {
                team.agentLatest[agent] = max(team.agentLatest[agent] ?? 0, event.eventid)
                woken += (team.agentWaiters.removeValue(forKey: agent) ?? []).map(\.wake)
            }
            s.teams[event.teamID] = team
            return woken
        }
        for wake in woken { wake() }
    }

    /// Another process appended event `eventid` to the team's log (a cluster's owner node, told
    /// by the store's notification): every waiter of the team wakes and reads the store. The
    /// memory run is dropped unless this process appends the team's events itself (`local`),
    /// since it no longer reaches the log's end.
    public func remoteAppended(team: Int64, eventid: Int64?, local: Bool) {
        let woken = state.withLock { s -> [@Sendable () -> Void] in
            guard var t = s.teams[team] ?? (local ? nil : Team()) else { return [] }
            // nil: notifications may have been missed; the waiters are woken and re-read.
            if let eventid {
                if local && eventid <= t.latest { return [] }  // our own append, already published
                t.remoteLatest = max(t.remoteLatest, eventid)
            }
            if !local { t.recent.removeAll() }
            let woken = t.teamWaiters.map(\.wake) + t.agentWaiters.values.flatMap { $0.map(\.wake) }
            t.teamWaiters.removeAll()
            t.agentWaiters.removeAll()
            s.teams[team] = t
            return woken
        }
        for wake in woken { wake() }
    }

    /// Listening restarted: notifications may have been missed, so every waiter re-reads.
    public func remoteResync(isLocal: (Int64) -> Bool) {
        let teams = state.withLock { Array($0.teams.keys) }
        for team in teams { remoteAppended(team: team, eventid: nil, local: isLocal(team)) }
    }

    /// Forgets the team's memory run (its engine moved here from another node, or away).
    public func forget(team: Int64) {
        state.withLock { s in
            s.teams[team]?.recent.removeAll()
            s.teams[team]?.latest = 0
        }
    }

    /// The team's newest event id, if this process has appended any (nil: ask the store).
    public func latest(team: Int64) -> Int64? {
        state.withLock { s in s.teams[team].flatMap { $0.recent.isEmpty ? nil : $0.latest } }
    }

    /// The team's events after `eventid` (one agent's when `agent` is given), from memory; nil
    /// when memory does not reach back that far, and the store must answer.
    public func recent(team: Int64, after eventid: Int64, agent: Int64?, limit: Int) -> [StoredEvent]? {
        state.withLock { s -> [StoredEvent]? in
            guard let t = s.teams[team], let first = t.recent.first?.event.eventid, first <= eventid + 1 else { return nil }
            // Nothing on the channel after the cursor: answered without walking the run. A
            // stream's keep-alive or a poll's timeout asks this with a cursor thousands of events
            // back (the team's, not the agent's, events since): walking them for each of 10,000
            // subscribers that time out together was a 100-ms stall (push_benchmark.sh, 10000x1).
            if (agent.map { t.agentLatest[$0] ?? 0 } ?? t.teamLatest) <= eventid { return [] }
            var out: [StoredEvent] = []
            var index = Int(max(0, eventid + 1 - first))
            while index < t.recent.count && out.count < limit {
                let entry = t.recent[index]
                if agent.map({ entry.agents.contains($0) }) ?? entry.teamChannel { out.append(entry.event) }
                index += 1
            }
            return out
        }
    }

    /// Whether memory holds every event after `eventid` (then ``recent(team:after:agent:limit:)``
    /// answers for it, and no event after it can have been pruned unseen).
    public func covers(team: Int64, after eventid: Int64) -> Bool {
        state.withLock { s in
            guard let first = s.teams[team]?.recent.first?.event.eventid else { return false }
            return first <= eventid + 1
        }
    }

    /// A registered waiter, for ``unwatch(_:)``.
    public struct Watch: Sendable {
        let team: Int64
        let agent: Int64?
        let id: Int
    }

    /// Calls `wake` once, from whichever thread publishes, when the channel has an event after
    /// `eventid`; nil (and `wake` is not called) when it has one already. For readers that wait
    /// without a task: the lean long-poll parks its connection on the event loop with one of
    /// these instead of a suspended task. Call ``unwatch(_:)`` if it is no longer wanted.
    public func watch(team: Int64, agent: Int64? = nil, after eventid: Int64, wake: @escaping @Sendable () -> Void) -> Watch? {
        state.withLock { s -> Watch? in
            if Self.ready(s, team: team, agent: agent, after: eventid) { return nil }
            s.nextID += 1
            let waiter = Waiter(id: s.nextID, wake: wake)
            if let agent {
                s.teams[team, default: Team()].agentWaiters[agent, default: []].append(waiter)
            } else {
                s.teams[team, default: Team()].teamWaiters.append(waiter)
            }
            return Watch(team: team, agent: agent, id: waiter.id)
        }
    }

    /// Drops a waiter that was not woken yet; true if it was still waiting (its `wake` will
    /// not be called), false if it was woken already.
    @discardableResult
    public func unwatch(_ watch: Watch) -> Bool {
        state.withLock { s -> Bool in
            if let agent = watch.agent {
                guard let i = s.teams[watch.team]?.agentWaiters[agent]?.firstIndex(where: { $0.id == watch.id }) else { return false }
                s.teams[watch.team]?.agentWaiters[agent]?.remove(at: i)
                if s.teams[watch.team]?.agentWaiters[agent]?.isEmpty == true { s.teams[watch.team]?.agentWaiters[agent] = nil }
                return true
            }
            guard let i = s.teams[watch.team]?.teamWaiters.firstIndex(where: { $0.id == watch.id }) else { return false }
            s.teams[watch.team]?.teamWaiters.remove(at: i)
            return true
        }
    }

    /// How many readers wait on the team's channels (for tests and operators: a closed page
    /// must not leave one behind).
    public func waiterCount(team: Int64) -> Int {
        state.withLock { s in
            guard let t = s.teams[team] else { return 0 }
            return t.teamWaiters.count + t.agentWaiters.values.reduce(0) { $0 + $1.count }
        }
    }

    private static func ready(_ s: State, team: Int64, agent: Int64?, after eventid: Int64) -> Bool {
        guard let t = s.teams[team] else { return false }
        return (agent.map { t.agentLatest[$0] ?? 0 } ?? t.teamLatest) > eventid || t.remoteLatest > eventid
    }

    /// Returns when the channel has an event after `eventid` (at once if it already has), or
    /// when `timeout` has passed, or when the task is cancelled. `agent` nil: the team's channel.
    public func wait(team: Int64, agent: Int64? = nil, after eventid: Int64, timeout: Duration) async {
        if state.withLock({ Self.ready($0, team: team, agent: agent, after: eventid) }) { return }
        let wait = PendingWait(bus: self)
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                wait.start(continuation)
                let watch = self.watch(team: team, agent: agent, after: eventid) { wait.finish() }
                guard let watch else { return wait.finish() }
                wait.registered(watch)
                wait.timer(
                    Task { [wait] in
                        try? await Task.sleep(for: timeout)
                        wait.finish()
                    })
            }
        } onCancel: {
            wait.finish()
        }
    }
}

/// One ``EventBus/wait(team:agent:after:timeout:)``: whichever of the wake-up, the timeout and
/// cancellation comes first resumes it, exactly once, and releases the other two.
private final class PendingWait: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, Never>?
        var finished = false
        var watch: EventBus.Watch?
        var timer: Task<Void, Never>?
    }

    private let bus: EventBus
    private let state = Mutex(State())

    init(bus: EventBus) { self.bus = bus }

    func start(_ continuation: CheckedContinuation<Void, Never>) {
        let resumeNow = state.withLock { s -> Bool in
            if s.finished { return true }  // cancelled before it started
            s.continuation = continuation
            return false
        }
        if resumeNow { continuation.resume() }
    }

    func registered(_ watch: EventBus.Watch) {
        let drop = state.withLock { s -> Bool in
            if s.finished { return true }
            s.watch = watch
            return false
        }
        if drop { bus.unwatch(watch) }
    }

    func timer(_ task: Task<Void, Never>) {
        let cancel = state.withLock { s -> Bool in
            if s.finished { return true }
            s.timer = task
            return false
        }
        if cancel { task.cancel() }
    }

    func finish() {
        let (continuation, watch, timer) = state.withLock { s -> (CheckedContinuation<Void, Never>?, EventBus.Watch?, Task<Void, Never>?) in
            if s.finished { return (nil, nil, nil) }
            s.finished = true
            defer { (s.continuation, s.watch, s.timer) = (nil, nil, nil) }
            return (s.continuation, s.watch, s.timer)
        }
        if let watch { bus.unwatch(watch) }
        timer?.cancel()
        continuation?.resume()
    }
}

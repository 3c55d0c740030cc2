import CoccEngine
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// One long-poll of an agent's channel, as both paths serve it: the route (a task that
/// suspends on the event bus) and the lean path (``HotPathHandler``, which parks the connection
/// on its event loop with ``EventBus/watch(team:agent:after:wake:)``). Both take the same steps
/// and build the same answers; each step has a form that needs no store (memory holds the live
/// edge of the log) and one that asks the store when memory does not reach.
struct LongPoll: Sendable {
    /// Where the page said it is: an event id (`If-None-Match`), a time (`If-Modified-Since`),
    /// or nothing (the present).
    enum Start: Sendable {
        case eventid(Int64)
        case since(Date)
        case present
    }

    let agent: Agent
    let format: PushLineFormat
    let deadline: ContinuousClock.Instant
    /// Nil until ``PushAdapter/resolve(_:start:)`` knows it.
    var cursor: Int64?
    /// Ends the wait of a poll that runs outside the server's task tree (the lean path's
    /// task), where graceful shutdown does not reach: the connection's handler stops it.
    var stop: PollStop?

    var team: Int64 { agent.teamID }
}

/// A poll request read: refused, or the poll and where it starts.
enum PollBegin: Sendable {
    case refused(EndpointResponse)
    case poll(LongPoll, LongPoll.Start)
}

/// What a poll does next.
enum PollStep: Sendable {
    /// Answer this (events, a resync, or 304 at the deadline).
    case answer(EndpointResponse)
    /// Nothing for the agent up to the team's event `after`: wait for the channel past it.
    case wait(after: Int64)
    /// Memory does not reach the cursor: the store must answer (``PushAdapter/step(_:)``).
    case needsStore
}

extension PushAdapter {
    /// The agent and the poll's start, from the channel name and the request's headers; or the
    /// refusal. Never suspends: the credential check answers from its cache or hashes in place.
    func begin(_ request: EndpointRequest, channel raw: String, logger: Logger) -> PollBegin {
        let directory = center.directory
        let agent: Agent
        if raw.hasPrefix("token-") {
            guard case .agent(let found) = center.authenticator.principal(forToken: String(raw.dropFirst(6)), in: directory) else {
                return .refused(Self.text(.forbidden, "bad or expired token\n"))
            }
            agent = found
        } else {
            guard let found = authenticate(raw, from: request.clientAddress, directory: directory, logger: logger) else {
                return .refused(Self.text(.forbidden, "bad credentials\n"))
            }
            agent = found
        }
        let headers = request.head.headerFields
        let start: LongPoll.Start
        if let etag = headers[.ifNoneMatch].map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/")) }), let id = Int64(etag) {
            start = .eventid(id)
        } else if let since = headers[.ifModifiedSince].flatMap(HTTPDate.parse) {
            start = .since(since)
        } else {
            start = .present
        }
        let format = PushLineFormat.requested(
            query: request.uri.queryParameters, accept: headers[.accept],
            default: PushLineFormat(rawValue: dispatcher.configuration.pushLineFormat) ?? .message)
        // 90-100% of the timeout, at random: pages that connected together (after a restart or a
        // network blip) would otherwise time out together at every round, thousands of 304s and
        // new polls in one instant (a 100-ms stall at 10,000 subscribers, push_benchmark.sh).
        let timeout = dispatcher.configuration.pollTimeoutSeconds * Double.random(in: 0.9...1.0)
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        return .poll(LongPoll(agent: agent, format: format, deadline: deadline), start)
    }

    /// The cursor from memory: true when memory holds it and every event after it (then
    /// none was pruned unseen, and no resync is due); false when the store must be asked
    /// (``resolve(_:start:)``).
    func resolveNow(_ poll: inout LongPoll, start: LongPoll.Start) -> Bool {
        let bus = center.eventBus
        let cursor: Int64
        switch start {
        case .eventid(let id): cursor = id
        case .since: return false
        case .present:
            guard let latest = bus.latest(team: poll.team) else { return false }
            cursor = latest
        }
        guard bus.covers(team: poll.team, after: cursor) else { return false }
        poll.cursor = cursor
        return true
    }

    /// ``resolveNow(_:start:)`` asking the store.
    func resolve(_ poll: inout LongPoll, start: LongPoll.Start) async throws -> EndpointResponse? {
        if resolveNow(&poll, start: start) { return nil }
        let store = center.store
        let cursor: Int64
        switch start {
        case .eventid(let id): cursor = id
        case .since(let date): cursor = try await store.lastEventID(teamID: poll.team, atOrBefore: date)
        case .present: cursor = try await center.latestEventID(team: poll.team)
        }
        poll.cursor = cursor
        if try await EventRetention.isStale(cursor: cursor, teamID: poll.team, center: center) {
            // Events after this cursor are gone: say so, and move the page to the present.
            let latest = try await center.latestEventID(team: poll.team)
            return Self.lines([poll.format.render(EventRetention.resyncMessage(eventid: latest))], etag: latest, at: Date())
        }
        return nil
    }

    /// The agent's events after the cursor from memory, or the wait, or 304 past the deadline.
    func stepNow(_ poll: inout LongPoll, shuttingDown: Bool) -> PollStep {
        let bus = center.eventBus
        guard let cursor = poll.cursor, let teamLatest = bus.latest(team: poll.team),
            let events = bus.recent(team: poll.team, after: cursor, agent: poll.agent.id, limit: Self.batch)
        else { return .needsStore }
        if let answer = answer(events, poll: &poll, teamLatest: teamLatest) { return .answer(answer) }
        guard deadlinePassed(poll, shuttingDown: shuttingDown) else { return .wait(after: teamLatest) }
        guard let at = bus.recent(team: poll.team, after: poll.cursor! - 1, agent: nil, limit: 1) else { return .needsStore }
        return .answer(Self.notModified(poll.cursor!, at: at.first?.at))
    }

    /// ``stepNow(_:shuttingDown:)`` asking the store.
    func step(_ poll: inout LongPoll, shuttingDown: Bool) async throws -> PollStep {
        let now = stepNow(&poll, shuttingDown: shuttingDown)
        guard case .needsStore = now else { return now }
        let cursor = poll.cursor!
        let teamLatest = try await center.latestEventID(team: poll.team)
        let events = try await center.events(team: poll.team, after: cursor, agent: poll.agent.id, limit: Self.batch)
        if let answer = answer(events, poll: &poll, teamLatest: teamLatest) { return .answer(answer) }
        guard deadlinePassed(poll, shuttingDown: shuttingDown) else { return .wait(after: teamLatest) }
        let at = try await center.store.events(teamID: poll.team, after: poll.cursor! - 1, limit: 1, agentID: nil).first?.at
        return .answer(Self.notModified(poll.cursor!, at: at))
    }

    /// The events' answer; or, with none for the agent up to the team's latest event, the
    /// cursor moved there and nil.
    private func answer(_ events: [StoredEvent], poll: inout LongPoll, teamLatest: Int64) -> EndpointResponse? {
        if let last = events.last {
            return Self.lines(events.map { poll.format.render($0.message) }, etag: last.eventid, at: last.at)
        }
        poll.cursor = max(poll.cursor!, teamLatest)
        return nil
    }

    /// A graceful stop ends waiting polls at once: the page polls again with its cursor.
    private func deadlinePassed(_ poll: LongPoll, shuttingDown: Bool) -> Bool {
        shuttingDown || poll.deadline <= ContinuousClock.now
    }

    /// The route's poll: resolve, then step and wait until an answer.
    func poll(_ request: EndpointRequest, channel: String, logger: Logger) async throws -> EndpointResponse {
        switch begin(request, channel: channel, logger: logger) {
        case .refused(let refusal): return refusal
        case .poll(var poll, let start):
            if let answer = try await resolve(&poll, start: start) { return answer }
            return try await run(poll)
        }
    }

    /// Steps and waits until an answer, from a resolved poll (the lean path hands one over
    /// when memory stops reaching its cursor).
    func run(_ poll: LongPoll) async throws -> EndpointResponse {
        var poll = poll
        while true {
            let shuttingDown = Task.isCancelled || Task.isShuttingDownGracefully || poll.stop?.isStopped == true
            switch try await step(&poll, shuttingDown: shuttingDown) {
            case .answer(let answer): return answer
            case .needsStore: continue  // not returned by step
            case .wait(let after):
                let remaining = poll.deadline - ContinuousClock.now
                let (team, agent, bus) = (poll.team, poll.agent.id, center.eventBus)
                if let stop = poll.stop {
                    await stop.during { await bus.wait(team: team, agent: agent, after: after, timeout: remaining) }
                } else {
                    try? await cancelWhenGracefulShutdown { await bus.wait(team: team, agent: agent, after: after, timeout: remaining) }
                }
            }
        }
    }

    /// A 200 answer: one line per message, `\r\n` between them, and the cursor to send back.
    static func lines(_ lines: [String], etag: Int64, at: Date) -> EndpointResponse {
        var response = EndpointResponse(contentType: "text/plain; charset=utf-8", body: ByteBuffer(string: lines.joined(separator: "\r\n")))
        response.headers[.cacheControl] = "no-cache"
        response.headers[.eTag] = String(etag)
        response.headers[.lastModified] = HTTPDate.format(at)
        return response
    }

    /// Nothing new before the deadline: the cursor, and the time of the event it names (now
    /// when the log has none at or after it on the team channel).
    static func notModified(_ cursor: Int64, at: Date?) -> EndpointResponse {
        EndpointResponse(
            status: .notModified,
            headers: [.eTag: String(cursor), .lastModified: HTTPDate.format(at ?? Date()), .cacheControl: "no-cache"], body: ByteBuffer())
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> EndpointResponse {
        EndpointResponse(status: status, contentType: "text/plain; charset=utf-8", body: ByteBuffer(string: body))
    }
}

/// Stops a poll's wait from outside its task: the wait runs in a task of its own, which
/// ``stop()`` cancels, and the poll then answers what it has (304, or events) instead of
/// failing, as a route's poll does when graceful shutdown cancels its wait.
final class PollStop: Sendable {
    private struct State {
        var stopped = false
        var current: Task<Void, Never>?
    }

    private let state = Mutex(State())

    var isStopped: Bool { state.withLock { $0.stopped } }

    func stop() {
        state.withLock { s -> Task<Void, Never>? in
            s.stopped = true
            return s.current
        }?.cancel()
    }

    /// Runs `body` until it returns or ``stop()`` cancels it.
    func during(_ body: @escaping @Sendable () async -> Void) async {
        let task = Task { await body() }
        let cancelNow = state.withLock { s -> Bool in
            s.current = task
            return s.stopped
        }
        if cancelNow { task.cancel() }
        await task.value
        state.withLock { $0.current = nil }
    }
}

import CoccEngine
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Server-Sent Events for new integrations: `GET /coccinterface/events?orgidentity=...&usertype=...
/// &user=...&pwdtype=...&password=...`. An agent receives its own channel, an account the whole
/// team's. Each event is `id: <eventid>` and `data: <chapter-6 message>`; a browser's
/// EventSource resumes after a reconnect with `Last-Event-ID` (or `?lastEventId=` on the first
/// connection), so nothing is lost or repeated. The stream opens with `event: cursor` carrying
/// its starting id, so a page that has seen no event yet also resumes from there. A comment line
/// every 15 s keeps proxies open.
///
/// Two paths serve it with the same steps (``EventStream``): the route, a task per stream; and
/// the lean path (``HotPathHandler``), which writes from the connection's event loop when the
/// event bus calls back.
struct EventStreamAdapter: Sendable {
    let dispatcher: OperationDispatcher
    static let keepAlive: Duration = .seconds(15)
    static let path = "/coccinterface/events"
    static let keepAliveFrame = ": keep-alive\n\n"

    var center: CallCenter { dispatcher.center }

    func register(on router: Router<CoccRequestContext>) {
        router.get(RouterPath(Self.path)) { request, context in
            let endpoint = try await EndpointRequest(request, context: context, bodyLimit: 0)
            return try await self.stream(endpoint, logger: context.logger)
        }
    }

    /// A stream request read: refused, or whose channel and where it starts (nil: the present).
    enum Begin {
        case refused(EndpointResponse)
        case stream(EventStream, start: Int64?)
    }

    func begin(_ request: EndpointRequest, logger: Logger) -> Begin {
        let q = request.uri.queryDictionary
        guard let principal = Request.principal(q, center: center, clientAddress: request.clientAddress, logger: logger) else {
            return .refused(PushAdapter.text(.forbidden, "bad credentials\n"))
        }
        let agentID: Int64? = if case .agent(let agent) = principal { agent.id } else { nil }
        let resume = request.head.headerFields[HTTPField.Name("Last-Event-ID")!] ?? q["lastEventId"]
        return .stream(EventStream(team: principal.teamID, agentID: agentID, cursor: 0), start: resume.flatMap { Int64($0) })
    }

    /// The answer's head: the stream's length is unknown, so it is sent chunked.
    static var head: EndpointResponse {
        var response = EndpointResponse(contentType: "text/event-stream; charset=utf-8", body: ByteBuffer())
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// The opening frames from the cursor: the retry delay, the cursor, and a resync when
    /// events after the cursor are gone (then the stream goes on from the present).
    func opening(_ stream: inout EventStream, start: Int64?) async throws -> String {
        if let start { stream.cursor = start } else { stream.cursor = try await center.latestEventID(team: stream.team) }
        var text = "retry: 2000\n\n" + SSEFrame.cursor(stream.cursor)
        if try await EventRetention.isStale(cursor: stream.cursor, teamID: stream.team, center: center) {
            stream.cursor = try await center.latestEventID(team: stream.team)
            text += SSEFrame.event(id: stream.cursor, data: EventRetention.resyncMessage(eventid: stream.cursor))
        }
        return text
    }

    /// ``opening(_:start:)`` from memory; nil when the store must answer.
    func openingNow(_ stream: inout EventStream, start: Int64?) -> String? {
        let bus = center.eventBus
        guard let cursor = start ?? bus.latest(team: stream.team), bus.covers(team: stream.team, after: cursor) else { return nil }
        stream.cursor = cursor
        return "retry: 2000\n\n" + SSEFrame.cursor(cursor)
    }

    func stream(_ request: EndpointRequest, logger: Logger) async throws -> Response {
        var stream: EventStream
        let start: Int64?
        switch begin(request, logger: logger) {
        case .refused(let refusal): return refusal.response
        case .stream(let begun, let from): (stream, start) = (begun, from)
        }
        let opening = try await opening(&stream, start: start)
        let center = self.center
        let head = Self.head
        return Response(
            status: head.status, headers: head.headers,
            body: ResponseBody { [stream] writer in
                var stream = stream
                try await writer.write(ByteBuffer(string: opening))
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    switch try await stream.step(center) {
                    case .frames(let text):
                        try await writer.write(ByteBuffer(string: text))
                    case .wait(let teamLatest):
                        let (team, agent, bus) = (stream.team, stream.agentID, center.eventBus)
                        try? await cancelWhenGracefulShutdown {
                            await bus.wait(team: team, agent: agent, after: teamLatest, timeout: Self.keepAlive)
                        }
                        if try await center.latestEventID(team: stream.team) == teamLatest {
                            try await writer.write(ByteBuffer(string: Self.keepAliveFrame))
                        }
                    case .needsStore:
                        continue  // not returned by step
                    }
                }
                logger.debug("event stream ended", metadata: ["team_id": "\(stream.team)"])
                try await writer.finish(nil)
            })
    }
}

/// One event stream's channel and cursor, and its steps: the frames of the events after the
/// cursor, or the wait for the channel.
struct EventStream: Sendable {
    let team: Int64
    /// Nil: the team's channel (an account's stream).
    let agentID: Int64?
    var cursor: Int64

    enum Step: Sendable {
        case frames(String)
        /// Nothing on the channel up to the team's event `after`.
        case wait(after: Int64)
        case needsStore
    }

    static let batch = 100

    mutating func stepNow(_ center: CallCenter) -> Step {
        let bus = center.eventBus
        guard let teamLatest = bus.latest(team: team),
            let events = bus.recent(team: team, after: cursor, agent: agentID, limit: Self.batch)
        else { return .needsStore }
        return take(events, teamLatest: teamLatest)
    }

    mutating func step(_ center: CallCenter) async throws -> Step {
        let now = stepNow(center)
        guard case .needsStore = now else { return now }
        let teamLatest = try await center.latestEventID(team: team)
        return take(try await center.events(team: team, after: cursor, agent: agentID, limit: Self.batch), teamLatest: teamLatest)
    }

    private mutating func take(_ events: [StoredEvent], teamLatest: Int64) -> Step {
        if let last = events.last {
            cursor = last.eventid
            return .frames(events.map { SSEFrame.event(id: $0.eventid, data: $0.message) }.joined())
        }
        cursor = max(cursor, teamLatest)
        return .wait(after: teamLatest)
    }
}

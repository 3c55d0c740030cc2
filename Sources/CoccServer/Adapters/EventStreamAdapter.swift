import CoccEngine
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
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
struct EventStreamAdapter: Sendable {
    let dispatcher: OperationDispatcher
    static let keepAlive: Duration = .seconds(15)

    func register(on router: Router<CoccRequestContext>) {
        router.get("/coccinterface/events") { request, context in try await self.stream(request, context) }
    }

    func stream(_ request: Request, _ context: CoccRequestContext) async throws -> Response {
        let center = dispatcher.center
        let q = request.queryDictionary
        guard let principal = request.queryPrincipal(center: center, context: context) else {
            return Response(
                status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "bad credentials\n")))
        }
        let team = principal.teamID
        let agentID: Int64? = if case .agent(let agent) = principal { agent.id } else { nil }
        let store = center.store
        let resume = request.headers[HTTPField.Name("Last-Event-ID")!] ?? q["lastEventId"]
        let start: Int64
        if let resumed = resume.flatMap({ Int64($0) }) { start = resumed } else { start = try await center.latestEventID(team: team) }
        let bus = center.eventBus
        let logger = context.logger
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                var cursor = start
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                try await writer.write(ByteBuffer(string: SSEFrame.cursor(cursor)))
                if try await EventRetention.isStale(cursor: cursor, teamID: team, store: store) {
                    // Events after the cursor are gone: say so, then go on from the present.
                    cursor = try await center.latestEventID(team: team)
                    try await writer.write(
                        ByteBuffer(string: SSEFrame.event(id: cursor, data: EventRetention.resyncMessage(eventid: cursor))))
                }
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    let teamLatest = try await center.latestEventID(team: team)
                    let events = try await center.events(team: team, after: cursor, agent: agentID, limit: 100)
                    if !events.isEmpty {
                        let text = events.map { SSEFrame.event(id: $0.eventid, data: $0.message) }.joined()
                        try await writer.write(ByteBuffer(string: text))
                        cursor = events.last!.eventid
                        continue
                    }
                    cursor = max(cursor, teamLatest)
                    try? await cancelWhenGracefulShutdown {
                        await bus.wait(team: team, agent: agentID, after: teamLatest, timeout: Self.keepAlive)
                    }
                    if try await center.latestEventID(team: team) == teamLatest {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                logger.debug("event stream ended", metadata: ["team_id": "\(team)"])
                try await writer.finish(nil)
            })
    }
}

import CoccEngine
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The live state behind the agent desk and the wallboard, as JSON (``LiveViewJSON``):
///
/// - `GET /coccinterface/state?token=T` (or the usual credential parameters): an agent's own line
///   and its groups; with `view=wallboard`, a group admin's groups and their agents; an account's
///   whole team.
/// - `GET /coccinterface/state/stream?token=T[&view=wallboard]`: the same as Server-Sent Events,
///   `event: state`, sent at once and again whenever the team's state changes (at most every
///   100 ms; bursts such as a call's set-up are sent as one), and every 15 s.
/// - `GET /coccinterface/calls?token=T[&date=YYYY-MM-DD]`: the day's call records (an agent's
///   own, or the team's for an account), newest first, at most 500.
struct LiveViewAdapter: Sendable {
    let dispatcher: OperationDispatcher
    static let keepAlive: Duration = .seconds(15)
    static let coalesce: Duration = .milliseconds(100)

    var center: CallCenter { dispatcher.center }

    func register(on router: Router<CoccRequestContext>) {
        router.get("/coccinterface/state") { request, context in
            switch await self.resolve(request, context) {
            case .failure(let refused): return refused.response
            case .success(let (engine, scope, me)):
                let view = await engine.liveView(scope: scope, directory: self.center.directory)
                return Self.json(.ok, LiveViewJSON.encode(view, me: me))
            }
        }
        router.get("/coccinterface/state/stream") { request, context in
            switch await self.resolve(request, context) {
            case .failure(let refused): return refused.response
            case .success(let (engine, scope, me)): return self.stream(engine: engine, scope: scope, me: me, logger: context.logger)
            }
        }
        router.get("/coccinterface/calls") { request, context in try await self.calls(request, context) }
    }

    /// The principal's engine, what it may see, and its agent number (nil for an account).
    func resolve(_ request: Request, _ context: CoccRequestContext) async -> Result<(TeamEngine, LiveView.Scope, String?), Refused> {
        guard let principal = request.queryPrincipal(center: center, context: context) else {
            return .failure(Refused(Self.json(.forbidden, #"{"error":"bad credentials"}"#)))
        }
        let directory = center.directory
        let scope: LiveView.Scope
        var me: String?
        switch principal {
        case .account: scope = .team
        case .agent(let agent):
            me = agent.number
            if request.uri.queryParameters["view"] == "wallboard" {
                let led = Set(directory.memberships(ofAgent: agent.id).filter(\.isGroupAdmin).map(\.groupID))
                guard !led.isEmpty else { return .failure(Refused(Self.json(.forbidden, #"{"error":"not an account or a group admin"}"#))) }
                scope = .groups(led)
            } else {
                scope = .agent(agent.id)
            }
        }
        do {
            return .success((try await center.engine(team: principal.teamID), scope, me))
        } catch is TeamElsewhere where dispatcher.cluster != nil {
            // A node of a cluster that does not run the team: its node answers, through here.
            let proxy = ClusterProxy(routing: dispatcher.cluster!)
            return .failure(Refused(await proxy.relay(request, team: principal.teamID, logger: context.logger)))
        } catch {
            context.logger.error("could not load team state", metadata: ["error": "\(error)"])
            return .failure(Refused(Self.json(.serviceUnavailable, #"{"error":"team state unavailable"}"#)))
        }
    }

    /// A `Response` that refuses the request; a `Result` needs it to be an `Error`.
    struct Refused: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }

    func stream(engine: TeamEngine, scope: LiveView.Scope, me: String?, logger: Logger) -> Response {
        let center = center
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                var seen = engine.changes.version
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    let view = await engine.liveView(scope: scope, directory: center.directory)
                    try await writer.write(ByteBuffer(string: "event: state\ndata: \(LiveViewJSON.encode(view, me: me))\n\n"))
                    let previous = seen
                    seen =
                        (try? await cancelWhenGracefulShutdown {
                            _ = await engine.changes.wait(after: previous, timeout: Self.keepAlive)
                            // A call's set-up changes the state several times within milliseconds:
                            // one frame for the lot.
                            try await Task.sleep(for: Self.coalesce)
                            return engine.changes.version
                        }) ?? engine.changes.version
                }
                logger.debug("state stream ended")
                try await writer.finish(nil)
            })
    }

    func calls(_ request: Request, _ context: CoccRequestContext) async throws -> Response {
        guard let principal = request.queryPrincipal(center: center, context: context) else {
            return Self.json(.forbidden, #"{"error":"bad credentials"}"#)
        }
        let calendar = Calendar.current
        let now = center.clock()
        var day = calendar.startOfDay(for: now)
        if let text = request.uri.queryParameters["date"].map(String.init), !text.isEmpty {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3,
                let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
            else { return Self.json(.badRequest, #"{"error":"date is YYYY-MM-DD"}"#) }
            day = date
        }
        let next = calendar.date(byAdding: .day, value: 1, to: day) ?? day.addingTimeInterval(86_400)
        var agentNumber: String?
        if case .agent(let agent) = principal { agentNumber = agent.number }
        do {
            let records = try await center.store.callRecords(
                teamID: principal.teamID, from: day, to: next, agentNumber: agentNumber, limit: 500)
            return Self.json(.ok, LiveViewJSON.encode(records, at: now, calendar: calendar))
        } catch {
            context.logger.error("could not read call records", metadata: ["error": "\(error)"])
            return Self.json(.serviceUnavailable, #"{"error":"call records unavailable"}"#)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response { .jsonNoStore(status, body) }
}

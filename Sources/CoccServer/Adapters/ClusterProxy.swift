import AsyncHTTPClient
import CoccCluster
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Pages' live state (`/coccinterface/state`, its stream) needs the team's engine, which runs
/// on one node: another node relays the request to it and streams the answer back as it
/// comes (the SSE stream too). Operations are forwarded as typed replies instead
/// (``ClusterRouting``); this is for the few routes whose answer is not a ``Reply``.
struct ClusterProxy: Sendable {
    let routing: ClusterRouting
    /// Marks a relayed request, so that a node that does not own the team either answers 503
    /// rather than relaying it once more.
    static let relayedHeader = HTTPField.Name("X-Coccd-Relayed")!

    func relay(_ request: Request, team: Int64, logger: Logger) async -> Response {
        if request.headers[Self.relayedHeader] != nil {
            return .jsonNoStore(.serviceUnavailable, #"{"error":"team state is on another node"}"#)
        }
        guard case .node(let id, let url) = await routing.membership.route(team: team, forwarded: false) else {
            return .jsonNoStore(.serviceUnavailable, #"{"error":"team state unavailable"}"#)
        }
        var outbound = HTTPClientRequest(url: url + request.uri.description)
        outbound.method = .GET
        outbound.headers.add(name: Self.relayedHeader.rawName, value: routing.membership.nodeID)
        for field in request.headers where ["accept", "cookie", "authorization", "last-event-id"].contains(field.name.canonicalName) {
            outbound.headers.add(name: field.name.rawName, value: field.value)
        }
        do {
            let answer = try await routing.forwarder.client.execute(outbound, timeout: .seconds(10))
            var headers = HTTPFields()
            for (name, value) in answer.headers where ["content-type", "cache-control"].contains(name.lowercased()) {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            logger.debug("page state relayed to the team's node", metadata: ["node": "\(id)"])
            return Response(
                status: HTTPResponse.Status(code: Int(answer.status.code)), headers: headers,
                // A relayed stream ends when this node stops (the page reconnects through
                // another node), rather than holding the graceful stop until the owner's ends.
                body: ResponseBody { writer in
                    for try await buffer in answer.body.cancelOnGracefulShutdown() { try await writer.write(buffer) }
                    try await writer.finish(nil)
                })
        } catch {
            routing.membership.nodeUnreachable(id)
            logger.warning("could not relay page state to the team's node", metadata: ["node": "\(id)", "error": "\(error)"])
            return .jsonNoStore(.serviceUnavailable, #"{"error":"team state unavailable"}"#)
        }
    }
}

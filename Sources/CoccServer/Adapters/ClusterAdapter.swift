import CoccCatalogue
import CoccCluster
import CoccEngine
import CoccOperations
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The routes other nodes of a cluster call: a forwarded operation (`POST /cluster/v1/operation`)
/// and this node's view (`GET /cluster/v1/status`: its leases and the live nodes it knows).
/// Both need the cluster's secret; without it they answer 403 and do nothing.
struct ClusterAdapter {
    let dispatcher: OperationDispatcher
    let routing: ClusterRouting

    func register(on router: Router<CoccRequestContext>) {
        let byName = Dictionary(uniqueKeysWithValues: dispatcher.catalogue.operations.map { ($0.descriptor.name, $0) })
        router.post(RouterPath(OperationForwarder.path)) { request, context -> Response in
            guard routing.authenticates(request.headers[HTTPField.Name(OperationForwarder.secretHeader)!]) else {
                context.logger.warning(
                    "forwarded operation without the cluster's key refused", metadata: ["client": "\(context.clientAddress)"])
                return Response(status: .forbidden)
            }
            let body = try await request.body.collect(upTo: dispatcher.configuration.maxBodyBytes + 65_536)
            guard let forwarded = try? ForwardedOperation.decode(Data(body.readableBytesView)), let operation = byName[forwarded.operation]
            else {
                return Response(status: .badRequest)
            }
            let forwardedRequest = forwarded.request
            guard let team = dispatcher.teamID(of: forwardedRequest) else {
                // The sender found the team in its directory; this node's is older: it runs it
                // here as any unknown team would be answered.
                return json(
                    .ok,
                    ForwardedReply(
                        reply: await dispatcher.execute(
                            operation, forwardedRequest, team: nil, webroot: forwarded.webroot, logger: context.logger)))
            }
            var logger = context.logger
            logger[metadataKey: "operation"] = "\(operation.descriptor.name)"
            logger[metadataKey: "interface"] = "\(forwardedRequest.interface.rawValue)"
            logger[metadataKey: "forwarded"] = "true"
            switch await routing.membership.route(team: team, forwarded: true) {
            case .here:
                let start = ContinuousClock.now
                let reply = await dispatcher.execute(operation, forwardedRequest, team: team, webroot: forwarded.webroot, logger: logger)
                dispatcher.metrics.record(
                    operation: operation.descriptor.name, interface: "cluster", code: reply.code, duration: ContinuousClock.now - start)
                return json(.ok, ForwardedReply(reply: reply))
            case .node(let id, _):
                return json(.conflict, ForwardedReply(elsewhere: id))
            case .unavailable(let why):
                logger.info("forwarded operation not served here now", metadata: ["team_id": "\(team)", "reason": "\(why)"])
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: why)))
            }
        }
        router.get("/cluster/v1/status") { request, _ -> Response in
            guard routing.authenticates(request.headers[HTTPField.Name(OperationForwarder.secretHeader)!]) else {
                return Response(status: .forbidden)
            }
            let held = routing.membership.heldLeases.sorted { $0.teamID < $1.teamID }
            let status: [String: any Sendable] = [
                "node": routing.membership.nodeID,
                "teams": held.map { ["team_id": $0.teamID, "epoch": $0.epoch] },
                "engines": dispatcher.center.loadedTeams.sorted(),
                "nodes": routing.membership.liveNodes,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: status, options: [.sortedKeys])) ?? Data("{}".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    func json(_ status: HTTPResponse.Status, _ reply: ForwardedReply) -> Response {
        let data = (try? reply.encoded()) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

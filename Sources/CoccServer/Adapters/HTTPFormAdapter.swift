import CoccCatalogue
import CoccOperations
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The HTTP interface: `EVENT=LOGIN&...` as a GET query or a POSTed form, answered with the
/// bare `|Retuen|` string. Deployed pages split it and need exactly its parts: nothing else.
struct HTTPFormAdapter: Sendable {
    static let paths = ["/coccinterfaces", "/asterccinterfaces"]

    let dispatcher: OperationDispatcher

    func register(on router: Router<CoccRequestContext>) {
        for path in Self.paths {
            router.get(RouterPath(path)) { request, context in try await self.call(request, context) }
            router.post(RouterPath(path)) { request, context in try await self.call(request, context) }
        }
    }

    func call(_ request: Request, _ context: CoccRequestContext) async throws -> Response {
        let endpoint = try await EndpointRequest(request, context: context, bodyLimit: dispatcher.configuration.maxBodyBytes)
        return await dispatcher.complete(outcome(endpoint, logger: context.logger), logger: context.logger).response
    }

    func outcome(_ request: EndpointRequest, logger: Logger) -> EndpointOutcome {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where parameters[String(key)] == nil {
            parameters[String(key)] = String(value)
        }
        if request.method == .post {
            // The form wins over the query string.
            parameters.merge(FormDecoding.decode(request.body.readableBytesView)) { _, form in form }
        }
        let event = parameters["EVENT"] ?? parameters.first { $0.key.lowercased() == "event" }?.value ?? ""
        guard !event.isEmpty else {
            return .response(text(Reply.failure(.parameterEmpty).retuenString(style: dispatcher.configuration.messageStyle)))
        }
        guard let operation = dispatcher.catalogue.http(event) else {
            dispatcher.metrics.recordRejected(interface: "http", reason: "unknown_event")
            logger.notice("unknown EVENT", metadata: ["event": "\(event)"])
            return .response(text(Reply.failure(.parameterError).retuenString(style: dispatcher.configuration.messageStyle)))
        }
        return .operation(
            EndpointCall(
                operation: operation,
                request: OperationRequest(parameters: parameters, interface: .http, clientAddress: request.clientAddress),
                webroot: PublicBase.webroot(authority: request.head.authority, configuration: dispatcher.configuration)
            ) { reply, style in text(reply.retuenString(style: style)) })
    }

    func text(_ body: String) -> EndpointResponse {
        EndpointResponse(contentType: "text/plain; charset=utf-8", body: ByteBuffer(string: body))
    }
}

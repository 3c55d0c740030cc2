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
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where parameters[String(key)] == nil {
            parameters[String(key)] = String(value)
        }
        if request.method == .post {
            let body = try await request.body.collect(upTo: dispatcher.configuration.maxBodyBytes)
            // The form wins over the query string.
            parameters.merge(FormDecoding.decode(body.readableBytesView)) { _, form in form }
        }
        let event = parameters["EVENT"] ?? parameters.first { $0.key.lowercased() == "event" }?.value ?? ""
        guard !event.isEmpty else { return text(Reply.failure(.parameterEmpty).retuenString(style: dispatcher.configuration.messageStyle)) }
        guard let operation = dispatcher.catalogue.http(event) else {
            dispatcher.metrics.recordRejected(interface: "http", reason: "unknown_event")
            context.logger.notice("unknown EVENT", metadata: ["event": "\(event)"])
            return text(Reply.failure(.parameterError).retuenString(style: dispatcher.configuration.messageStyle))
        }
        let (reply, style) = await dispatcher.run(
            operation, OperationRequest(parameters: parameters, interface: .http, clientAddress: context.clientAddress),
            webroot: PublicBase.webroot(for: request, configuration: dispatcher.configuration), logger: context.logger)
        return text(reply.retuenString(style: style))
    }

    func text(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

import CoccCatalogue
import CoccOperations
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The Script interface: the CJI plugin, its test page, and JSONP at `/setevent/<name>CJI`.
struct CJIAdapter: Sendable {
    let dispatcher: OperationDispatcher

    func register(on router: Router<CoccRequestContext>) {
        let plugin = CJIPlugin.script(catalogue: dispatcher.catalogue)
        let page = CJIPlugin.testPage(catalogue: dispatcher.catalogue)
        router.get("/coccinterface/astcc_CJI.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/javascript; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: plugin)))
        }
        router.get("/coccinterface/test_CJI.html") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        for prefix in ["/setevent", "/coccinterface/setevent"] {
            router.get(RouterPath("\(prefix)/:name")) { request, context in try await self.call(request, context) }
        }
    }

    /// A callback is a dotted path of JavaScript identifiers (`cb`, `jQuery123_456`, `app.onLogin`).
    static func isSafeCallback(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 128 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.unicodeScalars.first, !(first >= "0" && first <= "9") else { return false }
            return part.unicodeScalars.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "$"
            }
        }
    }

    func call(_ request: Request, _ context: CoccRequestContext) async throws -> Response {
        let endpoint = try await EndpointRequest(
            request, context: context, bodyLimit: dispatcher.configuration.maxBodyBytes, routeName: context.parameters.get("name") ?? "")
        return await dispatcher.complete(outcome(endpoint, logger: context.logger), logger: context.logger).response
    }

    func outcome(_ request: EndpointRequest, logger: Logger) -> EndpointOutcome {
        // Decoded as a form: jQuery's getJSON (the vendor plugin's transport) writes a space as `+`
        // (dialerListCJI's `dialtime=2031-01-01+09:00:00`). The first of repeated names wins.
        var parameters = FormDecoding.decode(request.uri.query ?? "")
        let callback = parameters.removeValue(forKey: "callback")
        parameters["_"] = nil  // jQuery's cache buster
        if let callback, !Self.isSafeCallback(callback) {
            return .response(
                EndpointResponse(
                    status: .badRequest, contentType: "text/plain; charset=utf-8", body: ByteBuffer(string: "invalid callback name\n")))
        }
        guard let operation = dispatcher.catalogue.cji(request.routeName) else {
            dispatcher.metrics.recordRejected(interface: "cji", reason: "unknown_function")
            return .response(
                Self.answer(Reply.failure(.parameterError).cjiJSON(style: dispatcher.configuration.messageStyle), callback: callback))
        }
        return .operation(
            EndpointCall(
                operation: operation,
                request: OperationRequest(parameters: parameters, interface: .cji, clientAddress: request.clientAddress),
                webroot: PublicBase.webroot(authority: request.head.authority, configuration: dispatcher.configuration)
            ) { reply, style in Self.answer(reply.cjiJSON(style: style), callback: callback) })
    }

    /// The JSON, or JSONP when the page named a callback.
    static func answer(_ json: String, callback: String?) -> EndpointResponse {
        guard let callback else { return EndpointResponse(contentType: "application/json; charset=utf-8", body: ByteBuffer(string: json)) }
        // The leading comment keeps a hostile callback from forming a Flash or script preamble.
        var response = EndpointResponse(
            contentType: "application/javascript; charset=utf-8", body: ByteBuffer(string: "/**/\(callback)(\(json));"))
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}

import CoccCatalogue
import CoccOperations
import HTTPTypes
import Hummingbird
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
        let name = context.parameters.get("name") ?? ""
        // Decoded as a form: jQuery's getJSON (the vendor plugin's transport) writes a space as `+`
        // (dialerListCJI's `dialtime=2031-01-01+09:00:00`). The first of repeated names wins.
        var parameters = FormDecoding.decode(request.uri.query ?? "")
        let callback = parameters.removeValue(forKey: "callback")
        parameters["_"] = nil  // jQuery's cache buster
        if let callback, !Self.isSafeCallback(callback) {
            return Response(
                status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "invalid callback name\n")))
        }
        let json: String
        if let operation = dispatcher.catalogue.cji(name) {
            let (reply, style) = await dispatcher.run(
                operation, OperationRequest(parameters: parameters, interface: .cji, clientAddress: context.clientAddress),
                webroot: PublicBase.webroot(for: request, configuration: dispatcher.configuration), logger: context.logger)
            json = reply.cjiJSON(style: style)
        } else {
            dispatcher.metrics.recordRejected(interface: "cji", reason: "unknown_function")
            json = Reply.failure(.parameterError).cjiJSON(style: dispatcher.configuration.messageStyle)
        }
        guard let callback else {
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        // The leading comment keeps a hostile callback from forming a Flash or script preamble.
        return Response(
            status: .ok, headers: [.contentType: "application/javascript; charset=utf-8", .xContentTypeOptions: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(string: "/**/\(callback)(\(json));")))
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}

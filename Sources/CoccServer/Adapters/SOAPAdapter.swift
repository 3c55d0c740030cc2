import CoccCatalogue
import CoccOperations
import CoccSOAP
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The SOAP WebService: `POST /coccwi.php` (and the old names), and the WSDL on `GET ?wsdl`.
struct SOAPAdapter: Sendable {
    static let paths = ["/coccwi.php", "/astcccwi.php", "/soap"]
    /// The manual's webroot holds the WSDL as a file beside the endpoint (`coccwi.wsdl`); these
    /// serve the same generated document, advertising the `.php` endpoint beside them.
    static let wsdlFiles = ["/coccwi.wsdl": "/coccwi.php", "/astcccwi.wsdl": "/astcccwi.php"]

    let dispatcher: OperationDispatcher
    let reader: SOAPEnvelopeReader
    let parsePool: SOAPParsePool

    init(dispatcher: OperationDispatcher) {
        self.dispatcher = dispatcher
        let configuration = dispatcher.configuration
        let metrics = dispatcher.metrics
        self.reader = SOAPEnvelopeReader(
            limits: configuration.soapLimits, maxConcurrentParses: configuration.maxConcurrentParses,
            onParse: { metrics.recordSOAPParse() })
        self.parsePool = SOAPParsePool(threads: configuration.soapParseThreads, capacity: configuration.maxConcurrentParses)
    }

    var configuration: ServerConfiguration { dispatcher.configuration }

    func register(on router: Router<CoccRequestContext>) {
        for path in Self.paths {
            router.post(RouterPath(path)) { request, context in try await self.call(request, context) }
            router.get(RouterPath(path)) { request, _ in self.wsdl(request) }
            router.head(RouterPath(path)) { request, _ in self.wsdl(request) }
        }
        for (file, endpoint) in Self.wsdlFiles {
            router.get(RouterPath(file)) { request, _ in self.wsdlDocument(style: .rpcLiteral, location: self.base(for: request) + endpoint)
            }
            router.head(RouterPath(file)) { request, _ in
                self.wsdlDocument(style: .rpcLiteral, location: self.base(for: request) + endpoint)
            }
        }
    }

    // MARK: WSDL

    /// `?wsdl`, `?WSDL`, `?wsdl=rpc-encoded`, `?wsdl=doc-literal`; any other GET gets a pointer to it.
    func wsdl(_ request: Request) -> Response {
        guard let (_, value) = request.uri.queryParameters.first(where: { $0.key.lowercased() == "wsdl" }) else {
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "coccd COCC WebService. WSDL: \(location(for: request))?wsdl\n")))
        }
        let name = String(value).lowercased()
        guard let style = name.isEmpty ? .rpcLiteral : WSDLGenerator.Style(rawValue: name) else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "unknown WSDL style; use rpc-literal, rpc-encoded or doc-literal\n")))
        }
        return wsdlDocument(style: style, location: location(for: request))
    }

    func wsdlDocument(style: WSDLGenerator.Style, location: String) -> Response {
        let text = WSDLGenerator(namespace: configuration.soapNamespace, location: location)
            .generate(operations: dispatcher.catalogue.descriptors, style: style)
        return Response(status: .ok, headers: [.contentType: "text/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The endpoint the WSDL advertises: the configured public URL, else this request's Host.
    func location(for request: Request) -> String {
        base(for: request) + request.uri.path
    }

    func base(for request: Request) -> String {
        PublicBase.url(for: request, configuration: configuration)
    }

    // MARK: Calls

    func call(_ request: Request, _ context: CoccRequestContext) async throws -> Response {
        // The SOAP cap, not the form interface's: never buffer more than a CTI request needs.
        let limit = configuration.soapMaxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            return tooLarge()
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return tooLarge()
        }
        let soap: SOAPRequest
        do {
            // The markup scan here (linear, bounded by the cap); libxml2 on the parse pool.
            let screened = try reader.screen(Array(buffer: body))
            soap = try await parsePool.parse(screened, with: reader)
        } catch {
            dispatcher.metrics.recordRejected(interface: "soap", reason: error.code == .server ? "busy" : "fault")
            context.logger.notice("SOAP fault", metadata: ["reason": "\(error.message)"])
            return fault(error)
        }
        guard
            let operation = dispatcher.catalogue.soap(soap.operation)
                ?? dispatcher.catalogue.operations.first(where: { $0.descriptor.soapName?.lowercased() == soap.operation.lowercased() })
        else {
            dispatcher.metrics.recordRejected(interface: "soap", reason: "unknown_operation")
            return fault(SOAPFault(.client, "Procedure '\(soap.operation)' not present", version: soap.version))
        }
        let parameters = soap.parameters(for: operation.descriptor)
        let (reply, style) = await dispatcher.run(
            operation, OperationRequest(parameters: parameters, interface: .soap, clientAddress: context.clientAddress),
            webroot: PublicBase.webroot(for: request, configuration: configuration), logger: context.logger)
        let xml = SOAPResponseWriter.response(
            // An alias is answered under the name it was called by, as its client's stub expects.
            version: soap.version,
            operation: operation.descriptor.soapAliases.contains(soap.operation)
                ? soap.operation : operation.descriptor.soapName ?? soap.operation,
            namespace: soap.namespace ?? configuration.soapNamespace, value: reply.soapString(style: style))
        return Response(status: .ok, headers: [.contentType: soap.version.contentType], body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    func fault(_ fault: SOAPFault) -> Response {
        Response(
            status: HTTPResponse.Status(code: fault.httpStatus), headers: [.contentType: fault.version.contentType],
            body: .init(byteBuffer: ByteBuffer(string: SOAPResponseWriter.fault(fault))))
    }

    func tooLarge() -> Response {
        dispatcher.metrics.recordRejected(interface: "soap", reason: "body_too_large")
        var response = fault(SOAPFault(.client, "Request body larger than \(configuration.soapMaxBodyBytes) bytes"))
        response.status = .contentTooLarge
        response.headers[.connection] = "close"
        return response
    }
}

extension ServerConfiguration {
    /// What a SOAP body may hold before libxml2 sees it.
    var soapLimits: SOAPLimits {
        SOAPLimits(
            maxBodyBytes: soapMaxBodyBytes, maxAttributesPerElement: soapMaxAttributesPerElement,
            maxNamespaceDeclarationsPerElement: soapMaxNamespaceDeclarationsPerElement, maxDepth: soapMaxDepth)
    }
}

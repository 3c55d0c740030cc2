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
        let endpoint: EndpointRequest
        do {
            endpoint = try await EndpointRequest(request, context: context, bodyLimit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return tooLarge()
        }
        return await dispatcher.complete(outcome(endpoint, logger: context.logger), logger: context.logger).response
    }

    /// Bodies up to this size are parsed on the thread that read them: a screened envelope this
    /// small (bounded depth, attributes and declarations) parses in microseconds, less than the
    /// hop to the parse pool and back costs. Larger ones go to the pool, so that no client's
    /// expensive body holds up the threads that serve everybody else.
    static let inlineParseBytes = 8 * 1024

    /// What the envelope asks for: a fault, or the operation to run and its reply's writer.
    func outcome(_ request: EndpointRequest, logger: Logger) -> EndpointOutcome {
        let screened: ScreenedEnvelope
        do {
            // The markup scan here (linear, bounded by the cap); libxml2 inline or on the parse pool.
            screened = try reader.screen(Array(buffer: request.body))
            if request.body.readableBytes <= Self.inlineParseBytes {
                return call(try reader.parse(screened), request, logger: logger)
            }
        } catch {
            return .response(refused(error, logger: logger))
        }
        return .later {
            do throws(SOAPFault) {
                return self.call(try await self.parsePool.parse(screened, with: self.reader), request, logger: logger)
            } catch {
                return .response(self.refused(error, logger: logger))
            }
        }
    }

    func refused(_ error: SOAPFault, logger: Logger) -> EndpointResponse {
        dispatcher.metrics.recordRejected(interface: "soap", reason: error.code == .server ? "busy" : "fault")
        logger.notice("SOAP fault", metadata: ["reason": "\(error.message)"])
        return faultResponse(error)
    }

    func call(_ soap: SOAPRequest, _ request: EndpointRequest, logger: Logger) -> EndpointOutcome {
        guard
            let operation = dispatcher.catalogue.soap(soap.operation)
                ?? dispatcher.catalogue.operations.first(where: { $0.descriptor.soapName?.lowercased() == soap.operation.lowercased() })
        else {
            dispatcher.metrics.recordRejected(interface: "soap", reason: "unknown_operation")
            return .response(faultResponse(SOAPFault(.client, "Procedure '\(soap.operation)' not present", version: soap.version)))
        }
        // An alias is answered under the name it was called by, as its client's stub expects.
        let name =
            operation.descriptor.soapAliases.contains(soap.operation) ? soap.operation : operation.descriptor.soapName ?? soap.operation
        let (version, namespace) = (soap.version, soap.namespace ?? configuration.soapNamespace)
        return .operation(
            EndpointCall(
                operation: operation,
                request: OperationRequest(
                    parameters: soap.parameters(for: operation.descriptor), interface: .soap, clientAddress: request.clientAddress),
                webroot: PublicBase.webroot(authority: request.head.authority, configuration: configuration)
            ) { reply, style in
                let xml = SOAPResponseWriter.response(
                    version: version, operation: name, namespace: namespace, value: reply.soapString(style: style))
                return EndpointResponse(contentType: version.contentType, body: ByteBuffer(string: xml))
            })
    }

    func faultResponse(_ fault: SOAPFault) -> EndpointResponse {
        EndpointResponse(
            status: HTTPResponse.Status(code: fault.httpStatus), contentType: fault.version.contentType,
            body: ByteBuffer(string: SOAPResponseWriter.fault(fault)))
    }

    func fault(_ fault: SOAPFault) -> Response {
        faultResponse(fault).response
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

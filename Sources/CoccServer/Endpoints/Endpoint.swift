import CoccCatalogue
import CoccOperations
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// A request to one of the operation endpoints (SOAP, the form interface, CJI), however it came
/// in: through a Hummingbird route, or through the lean path of ``HotPathHandler``. Both build
/// one of these and hand it to the same adapter code, so both answer alike.
struct EndpointRequest: Sendable {
    var head: HTTPRequest
    /// As Hummingbird parses it (`URI(head.path)`), so the query decodes the same on both paths.
    var uri: URI
    /// The whole body, already collected within the endpoint's cap.
    var body: ByteBuffer
    var clientAddress: String
    /// The last path component where the route has one (CJI's `/setevent/<name>`).
    var routeName: String = ""

    var method: HTTPRequest.Method { head.method }
}

/// An endpoint's answer: status, headers and the whole body.
struct EndpointResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    init(status: HTTPResponse.Status = .ok, contentType: String, body: ByteBuffer) {
        self.status = status
        self.headers = [.contentType: contentType]
        self.body = body
    }

    init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// As a Hummingbird response (the route path).
    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

/// What an adapter made of a request: an answer already (a fault, a refusal), an operation to
/// run and how to write its reply, or work that must suspend before it knows (a large SOAP
/// body parses on the parse pool).
enum EndpointOutcome: Sendable {
    case response(EndpointResponse)
    case operation(EndpointCall)
    case later(@Sendable () async -> EndpointOutcome)
}

/// An operation to run for an endpoint, and the writer of its reply in the endpoint's format.
struct EndpointCall: Sendable {
    var operation: Operation
    var request: OperationRequest
    var webroot: String
    var write: @Sendable (Reply, MessageStyle) -> EndpointResponse
}

extension OperationDispatcher {
    /// The outcome's answer, running its operation (and its wait for the store) as needed.
    func complete(_ outcome: EndpointOutcome, logger: Logger) async -> EndpointResponse {
        switch outcome {
        case .response(let response):
            return response
        case .operation(let call):
            let (reply, style) = await run(call.operation, call.request, webroot: call.webroot, logger: logger)
            return call.write(reply, style)
        case .later(let next):
            return await complete(next(), logger: logger)
        }
    }

    /// The outcome's answer when it can be given without suspending; nil: ``complete(_:logger:)``.
    func completeImmediately(_ outcome: EndpointOutcome, logger: Logger) -> EndpointResponse? {
        switch outcome {
        case .response(let response):
            return response
        case .operation(let call):
            guard let (reply, style) = runImmediately(call.operation, call.request, webroot: call.webroot, logger: logger) else {
                return nil
            }
            return call.write(reply, style)
        case .later:
            return nil
        }
    }
}

extension EndpointRequest {
    /// From a Hummingbird route: the body collected up to `limit` (413 past it, as Hummingbird answers).
    init(_ request: Request, context: CoccRequestContext, bodyLimit: Int, routeName: String = "") async throws {
        let body = request.method == .get || request.method == .head ? ByteBuffer() : try await request.body.collect(upTo: bodyLimit)
        self.init(head: request.head, uri: request.uri, body: body, clientAddress: context.clientAddress, routeName: routeName)
    }
}

import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The endpoints that ``HotPathHandler`` serves itself, and which requests it takes: the
/// operation endpoints, called by desktops, CRMs and agent pages many times a second. Every
/// other request, and every request of theirs that a route would treat specially, is left to
/// the Hummingbird routes, so the lean path only has to be right for the plain case.
struct HotEndpoints: Sendable {
    enum Kind: Sendable {
        /// An operation endpoint (``EndpointOutcome``).
        case operation(Interface)
        /// A long-poll channel (``HotPathHandler+Poll``).
        case pull
        /// An event stream (``HotPathHandler+Stream``).
        case stream
    }

    enum Interface: Sendable { case soap, form, cji }

    let dispatcher: OperationDispatcher
    let soap: SOAPAdapter
    let form: HTTPFormAdapter
    let cji: CJIAdapter
    let push: PushAdapter
    let events: EventStreamAdapter
    let logger: Logger
    /// Hummingbird's `Server` header, which the routes' answers carry.
    let serverName: String

    static let cjiPrefixes = ["/setevent/", "/coccinterface/setevent/"]
    /// The long-poll channels (``PushAdapter``): thousands of pages each hold one open.
    static let pullPrefix = "/agentindesks/agentpull/"

    /// The endpoint a request head is for, when the lean path may serve it. Not taken (the
    /// routes answer them): a browser's cross-origin request (the CORS middleware adds its
    /// headers), `Connection: close` (Hummingbird closes after the answer), a body without a
    /// length or longer than the endpoint's cap (the route answers 413 its way), a path the
    /// router would decode or match otherwise.
    func kind(of head: HTTPRequest) -> (Kind, routeName: String)? {
        guard head.headerFields[.origin] == nil else { return nil }
        if let connection = head.headerFields[.connection], connection.lowercased().contains("close") { return nil }
        guard let target = head.path else { return nil }
        let path = target.firstIndex(of: "?").map { target[..<$0] } ?? target[...]
        let length: Int
        if let text = head.headerFields[.contentLength] {
            guard let n = Int(text), n >= 0 else { return nil }
            length = n
        } else {
            guard head.headerFields[.transferEncoding] == nil else { return nil }
            length = 0
        }
        let configuration = dispatcher.configuration
        switch head.method {
        case .post:
            if SOAPAdapter.paths.contains(where: { $0 == path }) {
                return length <= configuration.soapMaxBodyBytes ? (.operation(.soap), "") : nil
            }
            if HTTPFormAdapter.paths.contains(where: { $0 == path }) {
                return length <= configuration.maxBodyBytes ? (.operation(.form), "") : nil
            }
            return nil
        case .get:
            guard length == 0 else { return nil }
            if HTTPFormAdapter.paths.contains(where: { $0 == path }) { return (.operation(.form), "") }
            if path == EventStreamAdapter.path { return (.stream, "") }
            if path.hasPrefix(Self.pullPrefix) {
                // A name the router would decode (`%`) is left to it.
                let name = path.dropFirst(Self.pullPrefix.count)
                guard !name.isEmpty, !name.contains("/"), !name.contains("%") else { return nil }
                return (.pull, String(name))
            }
            for prefix in Self.cjiPrefixes where path.hasPrefix(prefix) {
                let name = path.dropFirst(prefix.count)
                guard !name.isEmpty, !name.contains("/"), !name.contains("%") else { return nil }
                return (.operation(.cji), String(name))
            }
            return nil
        default:
            return nil
        }
    }

    func outcome(_ interface: Interface, _ request: EndpointRequest, logger: Logger) -> EndpointOutcome {
        switch interface {
        case .soap: soap.outcome(request, logger: logger)
        case .form: form.outcome(request, logger: logger)
        case .cji: cji.outcome(request, logger: logger)
        }
    }

    /// The logger of one request, with a request id as the routes' loggers have.
    func requestLogger() -> Logger {
        var logger = logger
        logger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
        return logger
    }

    /// The answer's head: the endpoint's headers, and the length, date and server name that
    /// Hummingbird adds to the routes' answers.
    func head(of response: EndpointResponse) -> HTTPResponse {
        var fields = response.headers
        fields[.contentLength] = String(response.body.readableBytes)
        fields[.date] = HTTPDateCache.shared.now
        fields[.server] = serverName
        return HTTPResponse(status: response.status, headerFields: fields)
    }

    /// A streamed answer's head: as ``head(of:)`` without a length, so the encoder sends it
    /// chunked, as it does a route's streamed body.
    func streamHead(of response: EndpointResponse) -> HTTPResponse {
        var fields = response.headers
        fields[.date] = HTTPDateCache.shared.now
        fields[.server] = serverName
        return HTTPResponse(status: response.status, headerFields: fields)
    }
}

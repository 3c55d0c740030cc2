public import CoccOperations
public import Foundation

/// An operation sent to the node that owns its team, and that node's reply, as JSON between
/// nodes (`POST /cluster/v1/operation`). The reply travels as the engine's typed ``Reply``
/// (code, BackMsg number and argument, extra field, format), not as rendered text: the node
/// the client called renders it with the same writer as for a local answer, so the bytes on
/// the wire are the same whichever node owns the team.
///
/// ```swift
/// let body = try ForwardedOperation(operation: "login", request: request, webroot: "http://lb/").encoded()
/// let reply = try ForwardedReply.decode(answer).reply
/// ```
public struct ForwardedOperation: Codable, Sendable, Equatable {
    /// The catalogue's name of the operation (`OperationDescriptor.name`).
    public var operation: String
    public var interface: String
    public var parameters: [String: String]
    /// The caller's address, for the owner's login throttle.
    public var client: String
    /// The manual's `webroot_address` as the calling node computed it (recording URLs).
    public var webroot: String

    public init(operation: String, request: OperationRequest, webroot: String) {
        self.operation = operation
        self.interface = request.interface.rawValue
        self.parameters = request.parameters
        self.client = request.clientAddress
        self.webroot = webroot
    }

    public var request: OperationRequest {
        OperationRequest(parameters: parameters, interface: Interface(rawValue: interface) ?? .soap, clientAddress: client)
    }

    public func encoded() throws -> Data { try JSONEncoder().encode(self) }
    public static func decode(_ data: Data) throws -> ForwardedOperation { try JSONDecoder().decode(Self.self, from: data) }
}

/// The owner's answer: a reply, or "not mine" with the node it believes owns the team.
public struct ForwardedReply: Codable, Sendable, Equatable {
    public var code: Int?
    public var back: String?
    public var argument: String?
    public var data: String?
    public var extraKey: String?
    public var extraValue: String?
    public var format: String?
    public var cjiCode: Int?
    /// Set when the receiving node does not own the team (its belief of who does, or "").
    public var elsewhere: String?

    public init(reply: Reply) {
        code = reply.code
        switch reply.message {
        case .back(let message):
            back = message.number
            argument = message.argument
        case .data(let value): data = value
        }
        extraKey = reply.extra?.cjiKey
        extraValue = reply.extra?.value
        switch reply.format {
        case .retuen: format = "retuen"
        case .pipe: format = "pipe"
        case .pipeOnSOAP: format = "pipeOnSOAP"
        }
        cjiCode = reply.cjiCode
    }

    public init(elsewhere node: String) { self.elsewhere = node }

    /// The reply, or nil for a "not mine" answer (or one that carries no reply).
    public var reply: Reply? {
        guard elsewhere == nil, let code else { return nil }
        let message: Reply.Message
        if let back { message = .back(BackMessage(back, argument: argument)) } else { message = .data(data ?? "") }
        let extra = extraKey.map { Reply.Extra(cjiKey: $0, value: extraValue ?? "") }
        let format: Reply.Format =
            switch self.format {
            case "pipe": .pipe
            case "pipeOnSOAP": .pipeOnSOAP
            default: .retuen
            }
        return Reply(code: code, message: message, extra: extra, format: format, cjiCode: cjiCode)
    }

    public func encoded() throws -> Data { try JSONEncoder().encode(self) }
    public static func decode(_ data: Data) throws -> ForwardedReply { try JSONDecoder().decode(Self.self, from: data) }
}

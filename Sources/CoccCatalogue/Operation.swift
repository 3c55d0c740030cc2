public import CoccCampaigns
public import CoccEngine
public import CoccOperations
import CoccStorage
public import Logging

/// What a handler gets besides the request: the engine and a logger carrying the request id.
public struct OperationContext: Sendable {
    public var center: CallCenter
    public var logger: Logger
    /// The manual's `webroot_address`: the base of recording URLs, ending with `/`.
    public var webrootAddress: String
    /// importWS's engine; nil where the store has no campaign tables.
    public var imports: ImportService?
    /// The client's IP address ("" where unknown), for the login throttle.
    public var clientAddress: String
    /// Signs getMonitor's URLs; nil: the old product's unsigned URLs.
    public var recordingURLs: RecordingURLSigner?

    public init(
        center: CallCenter, logger: Logger, webrootAddress: String = "", imports: ImportService? = nil, clientAddress: String = "",
        recordingURLs: RecordingURLSigner? = nil
    ) {
        self.center = center
        self.logger = logger
        self.webrootAddress = webrootAddress
        self.imports = imports
        self.clientAddress = clientAddress
        self.recordingURLs = recordingURLs
    }
}

/// An operation: its descriptor (names, parameter orders) and its handler.
///
/// A read-only operation may also have an `immediate` handler: the same answer, given without
/// suspending (no actor hop, no store), or nil when it cannot be given so (the team is not
/// loaded, its published state is stale); the adapters then run `handler`. The hot reads
/// (agentStatus, agentgroupStatus) have one, so that they are answered on the thread that read
/// the request. It must never change state: nothing waits for its writes.
public struct Operation: Sendable {
    public typealias Immediate = @Sendable (OperationRequest, OperationContext) -> Reply?

    public let descriptor: OperationDescriptor
    public let handler: @Sendable (OperationRequest, OperationContext) async -> Reply
    public let immediate: Immediate?

    public init(
        _ descriptor: OperationDescriptor, immediate: Immediate? = nil,
        handler: @escaping @Sendable (OperationRequest, OperationContext) async -> Reply
    ) {
        self.descriptor = descriptor
        self.immediate = immediate
        self.handler = handler
    }

    public func callAsFunction(_ request: OperationRequest, _ context: OperationContext) async -> Reply {
        await handler(request, context)
    }
}

/// The one catalogue of operations that the SOAP, HTTP and CJI adapters, the WSDL and the CJI
/// plugin are all made from. Adding an operation means adding it here, and nowhere else.
///
/// ```swift
/// let catalogue = Catalogue.standard
/// catalogue.soap("login")        // by SOAP name
/// catalogue.http("queuepause")   // by EVENT, case-insensitively
/// catalogue.cji("loginCJI")      // by CJI function name
/// ```
public struct Catalogue: Sendable {
    public let operations: [Operation]
    private let bySOAP: [String: Operation]
    private let byEvent: [String: Operation]
    private let byCJI: [String: Operation]

    public init(_ operations: [Operation]) {
        self.operations = operations
        var soap: [String: Operation] = [:]
        var event: [String: Operation] = [:]
        var cji: [String: Operation] = [:]
        for op in operations {
            for name in [op.descriptor.soapName].compactMap({ $0 }) + op.descriptor.soapAliases {
                precondition(soap[name] == nil, "duplicate SOAP name \(name)")
                soap[name] = op
            }
            for e in op.descriptor.httpEvents {
                precondition(event[e.lowercased()] == nil, "duplicate EVENT \(e)")
                event[e.lowercased()] = op
            }
            if let name = op.descriptor.cjiName {
                precondition(cji[name.lowercased()] == nil, "duplicate CJI name \(name)")
                cji[name.lowercased()] = op
            }
        }
        bySOAP = soap
        byEvent = event
        byCJI = cji
    }

    public var descriptors: [OperationDescriptor] { operations.map(\.descriptor) }

    /// By SOAP operation name; exact, as the WSDL spells it.
    public func soap(_ name: String) -> Operation? { bySOAP[name] }

    /// By HTTP `EVENT`, matched case-insensitively.
    public func http(_ event: String) -> Operation? { byEvent[event.lowercased()] }

    /// By CJI function name (`loginCJI`), case-insensitively: deployed pages vary the case.
    public func cji(_ name: String) -> Operation? { byCJI[name.lowercased()] }

    /// The operations this build provides, in the manual's order (its chapter 3), then the vendor extras.
    public static let standard = Catalogue([
        login, logout, queueAction, queuePause, acwAction, acwOff, workwayAction, makeCall, consult, transfer, callReturn, conference,
        hangup,
        intrude, silentMonitor, agentStatus, whisper, agentgroupStatus, forcedRelease, hold, resume, groupStatusNum, queueCustomerNum,
        teamStatus, agentRealtime, sendDtmf, setVar, agentToIvr, backCall, setdevice, getMonitor,
        importData,
        // The vendor plugin's extras, which the manual does not list.
        dialerList, monitorCtrl, qbackCall, setDefaultGroup,
    ])
}

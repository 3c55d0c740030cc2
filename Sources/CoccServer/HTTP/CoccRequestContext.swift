public import Hummingbird
public import NIOCore

/// The request context of every coccd route: Hummingbird's basic one plus the client's address,
/// which `BasicRequestContext` drops. The login throttle keys failures on it.
///
/// ```swift
/// router.post("/coccwi.php") { request, context in context.clientAddress }   // "192.0.2.7"
/// ```
public struct CoccRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection, as the channel reports it; nil in router tests.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text (`127.0.0.1`, `::1`), or "" when the channel has none.
    public var clientAddress: String {
        guard let remoteAddress else { return "" }
        return remoteAddress.ipAddress ?? remoteAddress.pathname ?? ""
    }
}

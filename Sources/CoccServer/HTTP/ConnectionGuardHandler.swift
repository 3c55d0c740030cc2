import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Guards each connection against slow clients and answers `Expect: 100-continue`.
///
/// - A client must finish its first request head within `requestTimeout` of connecting, each
///   later head within `keepAliveTimeout` of the previous response, and every body within
///   `requestTimeout` of its head; otherwise the connection is closed. Hummingbird's idle
///   timeout alone lets a client that trickles a byte every few seconds hold a connection
///   forever. Later heads get the longer keep-alive bound because a pooled client connection
///   legitimately sits quiet between requests.
/// - .NET clients send `Expect: 100-continue` and wait ~350 ms for an interim answer;
///   Hummingbird does not send one, so this handler does, at once.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let requestTimeout: TimeAmount
    private let keepAliveTimeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(requestTimeout: TimeAmount, keepAliveTimeout: TimeAmount) {
        self.requestTimeout = requestTimeout
        self.keepAliveTimeout = keepAliveTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, requestTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, requestTimeout)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(var head):
            arm(context, requestTimeout)  // now the body's deadline
            if head.headerFields[.expect]?.lowercased() == "100-continue" {
                head.headerFields[.expect] = nil
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
                context.fireChannelRead(wrapInboundOut(.head(head)))
                return
            }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context, keepAliveTimeout) }  // the next request's head
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }
}

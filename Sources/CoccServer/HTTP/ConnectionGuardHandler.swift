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
/// - While the server is under pressure (`limiter`: most of the connection cap in use), a
///   connection waiting for a head is closed after `pressureTimeout` of silence instead, so idle
///   keep-alive connections make room for clients with something to say.
/// - .NET clients send `Expect: 100-continue` and wait ~350 ms for an interim answer;
///   Hummingbird does not send one, so this handler does, at once — unless the announced
///   `Content-Length` is over `maxBodyBytes`: then the answer is `413` and the connection is
///   closed, and the client never sends the body (RFC 9110 §10.1.1).
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Limits: Sendable {
        var requestTimeout: TimeAmount
        var keepAliveTimeout: TimeAmount
        var pressureTimeout: TimeAmount = .seconds(3)
        var maxBodyBytes = Int.max
    }

    private let limits: Limits
    private let limiter: ConnectionLimiter?
    /// Coarse (``TimerWheel``): armed and cancelled for every request of every connection.
    private var deadline: TimerWheel.Timer?
    /// A request refused before its body: what the client still sends of it is dropped.
    private var refusing = false

    init(limits: Limits, limiter: ConnectionLimiter? = nil) {
        self.limits = limits
        self.limiter = limiter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { awaitHead(context, within: limits.requestTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        awaitHead(context, within: limits.requestTimeout)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refusing { return }
        switch unwrapInboundIn(data) {
        case .head(var head):
            arm(context, limits.requestTimeout)  // now the body's deadline
            if head.headerFields[.expect]?.lowercased() == "100-continue" {
                if let length = head.headerFields[.contentLength].flatMap(Int.init), length > limits.maxBodyBytes {
                    refuseTooLarge(context)
                    return
                }
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
        if case .end = unwrapOutboundIn(data) { awaitHead(context, within: limits.keepAliveTimeout) }  // the next request's head
        context.write(data, promise: promise)
    }

    /// `413 Content Too Large`, `Connection: close`, written from here (the application never
    /// sees the request), then the connection closes.
    private func refuseTooLarge(_ context: ChannelHandlerContext) {
        refusing = true
        deadline?.cancel()
        let text = "Request body larger than \(limits.maxBodyBytes) bytes"
        let response = HTTPResponse(
            status: .contentTooLarge,
            headerFields: [
                .connection: "close", .contentType: "text/plain; charset=utf-8", .contentLength: String(text.utf8.count),
            ])
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(string: text))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Waits for a request head: closes after `timeout`, or sooner once the server is under
    /// pressure (checked every `pressureTimeout`, so an idle connection notices pressure that
    /// began after it went quiet).
    private func awaitHead(_ context: ChannelHandlerContext, within timeout: TimeAmount) {
        guard let limiter, limits.pressureTimeout < timeout else { return arm(context, timeout) }
        let end = NIODeadline.now() + timeout
        let step = limits.pressureTimeout
        func tick() {
            let next = min(end, NIODeadline.now() + step)
            deadline = TimerWheel.on(context.eventLoop).schedule(in: next - NIODeadline.now()) {
                if NIODeadline.now() >= end || limiter.underPressure { context.close(promise: nil) } else { tick() }
            }
        }
        deadline?.cancel()
        tick()
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        deadline?.cancel()
        let channel = context.channel
        deadline = TimerWheel.on(context.eventLoop).schedule(in: timeout) {
            channel.close(promise: nil)
        }
    }
}

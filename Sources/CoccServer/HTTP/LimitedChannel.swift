public import HummingbirdCore
public import Logging
public import NIOCore

/// Wraps the server's child channel setup (HTTP/1, or TLS then HTTP/1) with the connection caps:
/// an admitted connection is counted until it closes; a refused one is answered `503` (plain
/// HTTP only; over TLS it is just closed) and closed before any request is read.
public struct LimitedChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value

    let base: Base
    let limiter: ConnectionLimiter
    /// Over TLS a plain-text 503 would be noise to the client; the connection is only closed.
    let answersRefusal: Bool

    public init(_ base: Base, limiter: ConnectionLimiter, answersRefusal: Bool) {
        self.base = base
        self.limiter = limiter
        self.answersRefusal = answersRefusal
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Runs on the child's event loop before it is registered; the peer address is known.
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        let admission = limiter.admit(address)
        if admission == .admitted {
            let limiter = self.limiter
            channel.closeFuture.whenComplete { _ in limiter.release(address) }
        } else {
            logger.notice(
                "connection refused",
                metadata: [
                    "reason": "\(admission == .tooManyFromAddress ? "per-address cap" : "connection cap")", "address": "\(address)",
                    "open": "\(limiter.openConnections)",
                ])
            do {
                try channel.pipeline.syncOperations.addHandler(RefusedConnectionHandler(answers: answersRefusal))
            } catch {
                channel.close(promise: nil)
            }
        }
        return base.setup(channel: channel, logger: logger)
    }

    public func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// First in a refused connection's pipeline: drops whatever the client sends, answers 503 with
/// `Connection: close` (when `answers`), and closes.
final class RefusedConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let answers: Bool

    init(answers: Bool) { self.answers = answers }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(_ context: ChannelHandlerContext) {
        guard answers else {
            context.close(promise: nil)
            return
        }
        let text =
            "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: 25\r\n\r\nToo many open connections"
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text))).whenComplete { _ in channel.close(promise: nil) }
    }
}

import CoccEngine
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Serves the operation endpoints (``HotEndpoints``) straight from the channel pipeline, on the
/// event loop that read the request, ahead of Hummingbird's per-connection task and router.
///
/// Why: a Hummingbird route costs each request a trip through an async sequence, the
/// connection's task and the router, about as much CPU as the whole of an agentStatus; measured
/// in `Benchmarks/soap_benchmark.sh`. Here a read with an immediate handler (``Operation``) is
/// parsed, answered and written without leaving the event loop; any other operation runs in a
/// task, as on a route, and its answer is written back on the loop.
///
/// It sits after Hummingbird's connection-state handler (idle timeout, graceful shutdown) and
/// the slow-client guard (timeouts, 100-continue), which see its requests and answers as
/// they see the routes'. Ordering on a connection is kept: a request that arrives while the
/// routes still owe an answer goes to the routes as well, and what arrives while this handler
/// runs an operation waits (reads are held) until that answer is written.
final class HotPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// The request is for the routes: its parts pass on.
        case forwarding
        case collecting(HotEndpoints.Kind, routeName: String, head: HTTPRequest, body: ByteBuffer)
        /// Its operation runs; what comes in meanwhile waits in `waiting`.
        case running
        /// A long-poll waits for its channel on this event loop (``HotPathHandler+Poll``); as
        /// `running` for what comes in meanwhile.
        case parked(ParkedPoll)
        /// An event stream is being written (``HotPathHandler+Stream``) until the client goes or
        /// the server stops.
        case streaming(StreamState)
    }

    let endpoints: HotEndpoints
    private var state = State.idle
    /// The stop of a poll that goes on in a task (the store answers it): told when the client
    /// goes or the server stops, so the poll answers at once instead of waiting.
    var pollStop: PollStop?
    /// The server is stopping, or the client closed its side: a poll answers now, not waiting.
    var pollsAnswerAtOnce = false
    /// Tells a wake-up of a parked poll from one of an earlier poll on the same connection.
    var pollGeneration = 0
    /// Answers the routes still owe (requests passed on whose answer's end has not gone out).
    private var owedByRoutes = 0
    private var waiting = CircularBuffer<HTTPRequestPart>()
    private var readHeld = false
    /// The client closed its side while a request was here: told to the routes after the answer,
    /// or they would end the connection before it is written.
    private var inputClosedHeld = false
    private var clientAddress = ""
    /// Parts passed on since the last read-complete: the routes' async channel hands its
    /// buffer on at a read-complete, so parts passed on after a read (from `waiting`) need one.
    private var passedSinceReadComplete = false

    init(endpoints: HotEndpoints) {
        self.endpoints = endpoints
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let remote = context.channel.remoteAddress
        clientAddress = remote?.ipAddress ?? remote?.pathname ?? ""
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if isWaitingForAnswer {
            waiting.append(part)
        } else if !waiting.isEmpty {
            waiting.append(part)
            drain(context)
        } else {
            take(part, context: context)
        }
    }

    private func take(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if owedByRoutes == 0, let (kind, name) = endpoints.kind(of: head) {
                state = .collecting(kind, routeName: name, head: head, body: ByteBuffer())
            } else {
                state = .forwarding
                owedByRoutes += 1
                pass(part, context)
            }
        case (.collecting(let kind, let name, let head, var body), .body(var chunk)):
            // The head's Content-Length is within the endpoint's cap, and the decoder holds the
            // body to it, so this cannot grow past the cap.
            state = .running  // no copy-on-write of `body` while it is appended to
            body.writeBuffer(&chunk)
            state = .collecting(kind, routeName: name, head: head, body: body)
        case (.collecting(let kind, let name, let head, let body), .end):
            state = .running
            serve(kind, routeName: name, head: head, body: body, context: context)
        case (.forwarding, .end):
            state = .idle
            pass(part, context)
        case (.forwarding, _), (.idle, _):
            // Bodies of a request for the routes; anything out of order is theirs to refuse.
            pass(part, context)
        case (.collecting, .head), (.running, _), (.parked, _), (.streaming, _):
            // The decoder never sends a head before the end of the previous request.
            pass(part, context)
        }
    }

    private func pass(_ part: HTTPRequestPart, _ context: ChannelHandlerContext) {
        passedSinceReadComplete = true
        context.fireChannelRead(wrapInboundOut(part))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        passedSinceReadComplete = false
        context.fireChannelReadComplete()
    }

    private func serve(_ kind: HotEndpoints.Kind, routeName: String, head: HTTPRequest, body: ByteBuffer, context: ChannelHandlerContext) {
        let logger = endpoints.requestLogger()
        let request = EndpointRequest(
            head: head, uri: .init(head.path ?? ""), body: body, clientAddress: clientAddress, routeName: routeName)
        let interface: HotEndpoints.Interface
        switch kind {
        case .pull: return servePoll(request, logger: logger, context: context)
        case .stream: return serveStream(request, logger: logger, context: context)
        case .operation(let which): interface = which
        }
        let outcome = endpoints.outcome(interface, request, logger: logger)
        if let response = endpoints.dispatcher.completeImmediately(outcome, logger: logger) {
            answer(response, context: context)
            return
        }
        let dispatcher = endpoints.dispatcher
        answerLater(context: context, logger: logger) { await dispatcher.complete(outcome, logger: logger) }
    }

    /// Runs `body` in a task and writes its answer on the event loop; a thrown error answers
    /// 500, as a route's does.
    func answerLater(
        context: ChannelHandlerContext, logger: Logger, _ body: @escaping @Sendable () async throws -> EndpointResponse
    ) {
        state = .running
        let promise = context.eventLoop.makePromise(of: EndpointResponse.self)
        promise.completeWithTask(body)
        promise.futureResult.assumeIsolated().whenComplete { result in
            self.pollStop = nil
            switch result {
            case .success(let response):
                self.answer(response, context: context)
            case .failure(let error):
                logger.error("request failed", metadata: ["error": "\(error)"])
                self.answer(EndpointResponse(status: .internalServerError, headers: [:], body: ByteBuffer()), context: context)
            }
        }
    }

    var parkedPoll: ParkedPoll? {
        if case .parked(let poll) = state { return poll }
        return nil
    }

    var streamState: StreamState? {
        if case .streaming(let stream) = state { return stream }
        return nil
    }

    /// The connection carries an event stream from now on.
    func startStreaming(_ stream: StreamState) {
        state = .streaming(stream)
    }

    /// Parks the connection while its poll waits (reads held, as while an operation runs).
    func park(_ poll: ParkedPoll) {
        state = .parked(poll)
    }

    /// The poll parked with `generation`, if it still waits; the connection stops waiting for it.
    func unpark(_ generation: Int) -> ParkedPoll? {
        guard case .parked(let poll) = state, poll.generation == generation else { return nil }
        state = .running
        return poll
    }

    func answer(_ response: EndpointResponse, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(endpoints.head(of: response))), promise: nil)
        context.write(wrapOutboundOut(.body(response.body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        answered(context: context)
    }

    /// The answer's end is written: what waited goes on.
    func answered(context: ChannelHandlerContext) {
        state = .idle
        drain(context)
        if passedSinceReadComplete {
            passedSinceReadComplete = false
            context.fireChannelReadComplete()
        }
        if case .idle = state {
            if readHeld {
                readHeld = false
                context.read()
            }
            if inputClosedHeld, waiting.isEmpty {
                inputClosedHeld = false
                context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            }
        }
    }

    /// Takes the parts that waited, until one starts an operation that suspends.
    private func drain(_ context: ChannelHandlerContext) {
        while !waiting.isEmpty {
            if isWaitingForAnswer { return }
            take(waiting.removeFirst(), context: context)
        }
    }

    private var isWaitingForAnswer: Bool {
        switch state {
        case .running, .parked, .streaming: return true
        case .idle, .forwarding, .collecting: return false
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, isBusy {
            inputClosedHeld = true
            // A page that closes while its poll or stream waits may be gone altogether (a closed
            // socket reads as a half-close until something is written): the poll answers now and
            // the stream ends, so the connection ends instead of holding a waiter until timeout.
            stopWaiting(context)
            return
        }
        if event is QuiesceObserver.Stopping {
            stopWaiting(context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        streamWritable(context: context)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A parked poll or a stream holds a wake-up in the event bus and a timer: both go with
        // the client.
        if case .parked(let poll) = state { poll.release(endpoints.dispatcher.center.eventBus) }
        if case .streaming(let stream) = state { stream.release(endpoints.dispatcher.center.eventBus) }
        state = .running  // nothing is written to a closed channel
        pollStop?.stop()
        context.fireChannelInactive()
    }

    private var isBusy: Bool {
        switch state {
        case .collecting, .running, .parked, .streaming: return true
        case .idle, .forwarding: return !waiting.isEmpty
        }
    }

    func read(context: ChannelHandlerContext) {
        // Backpressure, as the routes' async channel applies it: no more bytes while an
        // operation runs, so a client cannot queue requests here without end.
        if isWaitingForAnswer {
            readHeld = true
            return
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), owedByRoutes > 0 {
            owedByRoutes -= 1
        }
        context.write(data, promise: promise)
    }
}

import CoccEngine
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// An event stream on its connection: where it is, and what it waits for. Confined to the
/// connection's event loop.
final class StreamState {
    var stream: EventStream
    let logger: Logger
    /// Tells a wake-up or keep-alive of the current wait from an earlier one.
    var generation = 0
    var watch: EventBus.Watch?
    var keepAlive: TimerWheel.Timer?
    /// The store is being asked (memory does not reach the cursor).
    var fetching = false
    /// Frames wait for the client to read what was written.
    var blocked = false

    init(stream: EventStream, logger: Logger) {
        self.stream = stream
        self.logger = logger
    }

    func release(_ bus: EventBus) {
        if let watch { bus.unwatch(watch) }
        watch = nil
        keepAlive?.cancel()
        keepAlive = nil
        generation += 1
    }
}

/// The event stream on the lean path. Why: each of thousands of open streams was a task
/// suspended in ``EventBus/wait(team:agent:after:timeout:)`` with a sleep task beside it, and
/// every event woke tasks that hopped to the event loop to write. Here the event bus calls back,
/// the loop reads the frames from memory and writes them. The steps are ``EventStream``'s, as
/// on the route; where memory does not reach, the store is asked in a task and the stream goes
/// on from its answer. While the client does not read, no more frames are read from the log
/// (the cursor stays), so a slow page holds no more than the channel's write buffer.
extension HotPathHandler {
    func serveStream(_ request: EndpointRequest, logger: Logger, context: ChannelHandlerContext) {
        let adapter = endpoints.events
        switch adapter.begin(request, logger: logger) {
        case .refused(let refusal):
            answer(refusal, context: context)
        case .stream(var stream, let start):
            if let opening = adapter.openingNow(&stream, start: start) {
                return open(StreamState(stream: stream, logger: logger), opening: opening, context: context)
            }
            openLater(stream, start: start, logger: logger, context: context)
        }
    }

    /// Opens the stream once the store has told where it starts (asked in a task); 500 if it
    /// could not, as a route answers when its handler throws.
    private func openLater(_ stream: EventStream, start: Int64?, logger: Logger, context: ChannelHandlerContext) {
        let adapter = endpoints.events
        let promise = context.eventLoop.makePromise(of: (EventStream, String).self)
        promise.completeWithTask {
            var stream = stream
            let text = try await adapter.opening(&stream, start: start)
            return (stream, text)
        }
        promise.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let (stream, text)):
                self.open(StreamState(stream: stream, logger: logger), opening: text, context: context)
            case .failure(let error):
                logger.error("event stream failed to open", metadata: ["error": "\(error)"])
                self.answer(EndpointResponse(status: .internalServerError, headers: [:], body: ByteBuffer()), context: context)
            }
        }
    }

    private func open(_ state: StreamState, opening: String, context: ChannelHandlerContext) {
        startStreaming(state)
        context.write(wrapOutboundOut(.head(endpoints.streamHead(of: EventStreamAdapter.head))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(string: opening))), promise: nil)
        // The server stopped (or the client closed its side) while it opened: it ends at once,
        // as a route's stream does then.
        if pollsAnswerAtOnce { return endStream(context: context) }
        pump(state, context: context)
    }

    /// Writes what memory has for the stream, then waits (or asks the store).
    private func pump(_ state: StreamState, context: ChannelHandlerContext) {
        guard streamState === state, !state.fetching else { return }
        let center = endpoints.dispatcher.center
        // Bounded, so that a stream far behind does not keep the loop from its other connections.
        for _ in 0..<16 {
            guard context.channel.isWritable else {
                state.blocked = true
                return context.flush()
            }
            switch state.stream.stepNow(center) {
            case .frames(let text):
                context.write(wrapOutboundOut(.body(ByteBuffer(string: text))), promise: nil)
            case .wait(let after):
                context.flush()
                return wait(state, after: after, context: context)
            case .needsStore:
                context.flush()
                return fetch(state, context: context)
            }
        }
        context.flush()
        let bound = NIOLoopBound((self, context, state), eventLoop: context.eventLoop)
        context.eventLoop.execute { bound.value.0.pump(bound.value.2, context: bound.value.1) }
    }

    private func wait(_ state: StreamState, after: Int64, context: ChannelHandlerContext) {
        let bus = endpoints.dispatcher.center.eventBus
        state.generation += 1
        let generation = state.generation
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context, state), eventLoop: loop)
        state.watch = bus.watch(team: state.stream.team, agent: state.stream.agentID, after: after) {
            loop.execute {
                let (handler, context, state) = bound.value
                guard state.generation == generation else { return }
                state.release(bus)
                handler.pump(state, context: context)
            }
        }
        guard state.watch != nil else {
            // Ready, yet memory held nothing: another process appended; the store answers.
            return fetch(state, context: context)
        }
        // 90-100% of the keep-alive period, at random, for the poll timeout's reason.
        let period = Int64(EventStreamAdapter.keepAlive.components.seconds * 1000) * Int64.random(in: 900...1000) / 1000
        state.keepAlive = TimerWheel.on(loop).schedule(in: .milliseconds(period)) {
            guard state.generation == generation else { return }
            state.release(bus)
            // A comment line keeps proxies open, when nothing came while waiting (as on the route).
            if (bus.latest(team: state.stream.team) ?? after) == after {
                context.write(self.wrapOutboundOut(.body(ByteBuffer(string: EventStreamAdapter.keepAliveFrame))), promise: nil)
            }
            self.pump(state, context: context)
        }
    }

    /// Asks the store for the next step, in a task, and goes on with it on the loop.
    private func fetch(_ state: StreamState, context: ChannelHandlerContext) {
        state.fetching = true
        let center = endpoints.dispatcher.center
        let promise = context.eventLoop.makePromise(of: (EventStream, EventStream.Step).self)
        promise.completeWithTask { [stream = state.stream] in
            var stream = stream
            let step = try await stream.step(center)
            return (stream, step)
        }
        promise.futureResult.assumeIsolated().whenComplete { result in
            state.fetching = false
            guard self.streamState === state else { return }
            switch result {
            case .success(let (stream, step)):
                state.stream = stream
                switch step {
                case .frames(let text):
                    context.write(self.wrapOutboundOut(.body(ByteBuffer(string: text))), promise: nil)
                    self.pump(state, context: context)
                case .wait(let after):
                    self.wait(state, after: after, context: context)
                case .needsStore:
                    self.pump(state, context: context)  // not returned by step
                }
            case .failure(let error):
                // As a route's stream whose body throws: the connection ends.
                state.logger.error("event stream failed", metadata: ["error": "\(error)"])
                context.close(promise: nil)
            }
        }
    }

    /// The client reads again: the stream goes on.
    func streamWritable(context: ChannelHandlerContext) {
        guard let state = streamState, state.blocked, context.channel.isWritable else { return }
        state.blocked = false
        pump(state, context: context)
    }

    /// The server stops (or the client closed its side): the stream ends with its last chunk,
    /// as a route's ends on graceful shutdown.
    func endStream(context: ChannelHandlerContext) {
        guard let state = streamState else { return }
        state.release(endpoints.dispatcher.center.eventBus)
        state.logger.debug("event stream ended", metadata: ["team_id": "\(state.stream.team)"])
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        answered(context: context)
    }
}

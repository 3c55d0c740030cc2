import CoccEngine
import CoccStorage
import Logging
import NIOCore

/// A long-poll waiting on its connection's event loop: the poll, its wake-up in the event bus
/// and its timeout.
struct ParkedPoll {
    var poll: LongPoll
    let generation: Int
    let watch: EventBus.Watch
    let timer: TimerWheel.Timer
    let logger: Logger

    /// Drops the wake-up and the timer (the poll answers, or the client went).
    func release(_ bus: EventBus) {
        bus.unwatch(watch)
        timer.cancel()
    }
}

/// The long-poll on the lean path. Why: with 10,000 pages each holding a poll, a task per poll
/// suspended in ``EventBus/wait(team:agent:after:timeout:)`` cost each delivery a task wake-up,
/// a sleep task and hops between the event loop and the global executor. Here a poll whose
/// channel memory reaches is parked on its connection: the event bus calls back, the event
/// loop reads the events from memory and writes the answer. The steps are
/// ``PushAdapter``'s, the same as the route's, so both answer alike; when memory does not reach
/// (a cursor from before this process, a time cursor, a team whose log another node appends),
/// the poll goes on in a task as on the route.
extension HotPathHandler {
    func servePoll(_ request: EndpointRequest, logger: Logger, context: ChannelHandlerContext) {
        let push = endpoints.push
        switch push.begin(request, channel: request.routeName, logger: logger) {
        case .refused(let refusal):
            answer(refusal, context: context)
        case .poll(var poll, let start):
            if push.resolveNow(&poll, start: start) { return step(poll, logger: logger, context: context) }
            poll.stop = startPollTask()
            answerLater(context: context, logger: logger) { [poll] in
                var poll = poll
                if let answer = try await push.resolve(&poll, start: start) { return answer }
                return try await push.run(poll)
            }
        }
    }

    /// One step of a resolved poll: answer, park, or go on in a task.
    private func step(_ poll: LongPoll, logger: Logger, context: ChannelHandlerContext) {
        var poll = poll
        let push = endpoints.push
        switch push.stepNow(&poll, shuttingDown: pollsAnswerAtOnce) {
        case .answer(let response):
            answer(response, context: context)
        case .needsStore:
            poll.stop = startPollTask()
            answerLater(context: context, logger: logger) { [poll] in try await push.run(poll) }
        case .wait(let after):
            pollGeneration += 1
            let generation = pollGeneration
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let watch = endpoints.dispatcher.center.eventBus.watch(team: poll.team, agent: poll.agent.id, after: after) {
                loop.execute { bound.value.0.woken(generation, context: bound.value.1) }
            }
            guard let watch else {
                // Ready already, yet memory held nothing new: another process appended (its
                // events are in the store), so the poll goes on as the route's does.
                poll.stop = startPollTask()
                return answerLater(context: context, logger: logger) { [poll] in try await push.run(poll) }
            }
            let remaining = poll.deadline - ContinuousClock.now
            let timer = TimerWheel.on(loop).schedule(in: .nanoseconds(Self.nanoseconds(remaining))) {
                self.woken(generation, context: context)
            }
            park(ParkedPoll(poll: poll, generation: generation, watch: watch, timer: timer, logger: logger))
        }
    }

    /// The channel has something, or the deadline came: step again.
    private func woken(_ generation: Int, context: ChannelHandlerContext) {
        guard let parked = unpark(generation) else { return }
        parked.release(endpoints.dispatcher.center.eventBus)
        step(parked.poll, logger: parked.logger, context: context)
    }

    /// The server stops, or the client closed its side: a poll answers now (304, or what
    /// arrived), parked or in its task, and a stream ends.
    func stopWaiting(_ context: ChannelHandlerContext) {
        pollsAnswerAtOnce = true  // what steps next answers at once
        if let parked = parkedPoll { woken(parked.generation, context: context) }
        pollStop?.stop()
        endStream(context: context)
    }

    private func startPollTask() -> PollStop {
        let stop = PollStop()
        if pollsAnswerAtOnce { stop.stop() }
        pollStop = stop
        return stop
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Sees the server's stop (`ChannelShouldQuiesceEvent`) before Hummingbird's connection-state
/// handler, which takes it, and tells ``HotPathHandler`` with ``Stopping``: a poll parked on
/// the connection answers at once, as a route's poll ends on graceful shutdown. The state
/// handler still closes the connection once that answer is written.
final class QuiesceObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    struct Stopping: Sendable {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        if event is ChannelShouldQuiesceEvent {
            context.fireUserInboundEventTriggered(Stopping())
        }
    }
}

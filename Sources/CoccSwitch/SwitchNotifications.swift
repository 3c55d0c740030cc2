import Synchronization

/// The one ordered stream of notifications from a switch driver to its consumer, the engine.
///
/// A driver ``yield(_:)``s and never waits: the buffer is unbounded, so a driver's event reader,
/// or a command that makes a leg hang up, can't block on an engine that is itself waiting for
/// that command's reply (the deadlock a handler called from inside a command invites). The
/// engine reads it with `for await`, one notification at a time.
///
/// Asking for the next notification means the previous one is handled. That is what
/// ``settled()`` waits for: every notification yielded so far handled, including those yielded
/// while handling earlier ones. The simulator's manual clock uses it so that a test's
/// `advance(by:)` returns with the engine caught up, as scenario tests need.
///
/// One consumer: the first iterator owns the stream; a later one ends at once (a second reader
/// would handle notifications out of order).
/// ```swift
/// let notifications = SwitchNotifications()
/// notifications.yield(.answered(uniqueid: 19866))     // a driver; returns at once
/// for await notification in notifications { await center.handle(notification) }   // the engine
/// ```
public final class SwitchNotifications: AsyncSequence, Sendable {
    public typealias Element = SwitchNotification

    struct State {
        /// Each with when it was yielded, for ``lastQueueDelay``.
        var buffer: [(notification: SwitchNotification, at: ContinuousClock.Instant)] = []
        var head = 0
        /// The consumer, when it waits for the next notification.
        var waiting: CheckedContinuation<SwitchNotification?, Never>?
        /// A notification was handed out and the consumer has not asked for the next yet.
        var handling = false
        var finished = false
        /// The consumer was cancelled: nothing more will be handled.
        var stopped = false
        var claimed = false
        /// Callers of ``settled()``, by a number so that a cancelled one can leave.
        var settleWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var lastQueueDelay: Duration = .zero

        var isEmpty: Bool { head == buffer.count }
        var isSettled: Bool { isEmpty && !handling }

        mutating func pop() -> SwitchNotification {
            let next = buffer[head]
            lastQueueDelay = ContinuousClock.now - next.at
            head += 1
            // Compact once the consumed part dominates, so a long run does not grow the array.
            if head > 64 && head * 2 > buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return next.notification
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// Queues a notification for the consumer; never waits. After ``finish()`` it is dropped.
    public func yield(_ notification: SwitchNotification) {
        let consumer: CheckedContinuation<SwitchNotification?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let waiting = state.waiting {
                state.waiting = nil
                state.handling = true
                state.lastQueueDelay = .zero
                return waiting
            }
            state.buffer.append((notification, ContinuousClock.now))
            return nil
        }
        consumer?.resume(returning: notification)
    }

    /// Ends the stream: the consumer gets what is queued, then the end; waiters in
    /// ``settled()`` return (nothing more will be handled).
    public func finish() {
        let (consumer, waiters) = state.withLock { state in
            state.finished = true
            let consumer = state.isEmpty ? state.waiting : nil
            if consumer != nil { state.waiting = nil }
            let waiters = state.settleWaiters.values
            state.settleWaiters = [:]
            return (consumer, waiters)
        }
        consumer?.resume(returning: nil)
        for waiter in waiters { waiter.resume() }
    }

    /// How long the notification the consumer got last waited in the queue (zero when the
    /// consumer was waiting for it): with the time to handle it, the delay from the switch's
    /// report to the engine's event (the benchmarks measure it).
    public var lastQueueDelay: Duration { state.withLock { $0.lastQueueDelay } }

    /// Returns once every notification yielded so far has been handled (the consumer asked for
    /// the next one with none queued), the stream has ended, the consumer was cancelled, or the
    /// calling task is cancelled.
    public func settled() async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if state.isSettled || state.finished || state.stopped || Task.isCancelled { return true }
                    state.settleWaiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.settleWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The next notification for the consumer; marks the one before it handled.
    func next() async -> SwitchNotification? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<SwitchNotification?, Never>) in
                enum Step {
                    case deliver(SwitchNotification)
                    case end
                    case wait
                }
                var settledWaiters: [CheckedContinuation<Void, Never>] = []
                let step: Step = state.withLock { state in
                    state.handling = false
                    // A cancelled consumer stops at once; what is queued stays unhandled.
                    if Task.isCancelled {
                        state.stopped = true
                        settledWaiters = Array(state.settleWaiters.values)
                        state.settleWaiters = [:]
                        return .end
                    }
                    if !state.isEmpty {
                        state.handling = true
                        return .deliver(state.pop())
                    }
                    settledWaiters = Array(state.settleWaiters.values)
                    state.settleWaiters = [:]
                    if state.finished { return .end }
                    state.waiting = continuation
                    return .wait
                }
                for waiter in settledWaiters { waiter.resume() }
                switch step {
                case .deliver(let notification): continuation.resume(returning: notification)
                case .end: continuation.resume(returning: nil)
                case .wait: break
                }
            }
        } onCancel: {
            let (consumer, waiters) = state.withLock { state in
                let waiting = state.waiting
                state.waiting = nil
                guard waiting != nil else { return (waiting, [CheckedContinuation<Void, Never>]()) }
                // The consumer leaves while waiting: nothing more will be handled.
                state.stopped = true
                let waiters = Array(state.settleWaiters.values)
                state.settleWaiters = [:]
                return (waiting, waiters)
            }
            consumer?.resume(returning: nil)
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Whether this is the first consumer; later ones get an empty stream.
    func claim() -> Bool {
        state.withLock { state in
            defer { state.claimed = true }
            return !state.claimed
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: SwitchNotifications?

        public mutating func next() async -> SwitchNotification? {
            await stream?.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream: claim() ? self : nil)
    }
}

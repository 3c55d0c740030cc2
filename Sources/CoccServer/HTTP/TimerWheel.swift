import NIOCore
import Synchronization

/// Coarse timers for the many connections of one event loop: deadlines grouped by the 100-ms
/// tick they fall in, swept by one scheduled task, and cancelled in constant time.
///
/// Why: SwiftNIO cancels a scheduled task by searching its heap from the start (2.101), so
/// with 10,000 connections each arming and cancelling timers per request (the slow-client
/// guard, a long-poll's deadline, a stream's keep-alive), cancelling was 12% of the CPU in
/// `Benchmarks/push_benchmark.sh`. These deadlines are seconds long and may fire up to a tick
/// late; nothing here needs finer.
///
/// ```swift
/// let wheel = TimerWheel.on(context.eventLoop)
/// let timer = wheel.schedule(in: .seconds(30)) { context.close(promise: nil) }
/// timer.cancel()
/// ```
/// Confined to its event loop: `schedule` and `cancel` are called on it, as channel handlers are.
final class TimerWheel: @unchecked Sendable {
    /// One deadline; `cancel()` forgets its action (the wheel drops it at its tick).
    final class Timer {
        fileprivate var action: (() -> Void)?

        fileprivate init(_ action: @escaping () -> Void) { self.action = action }

        func cancel() { action = nil }
    }

    static let tick = TimeAmount.milliseconds(100)

    private let loop: any EventLoop
    private var buckets: [Int64: [Timer]] = [:]
    /// Timers in the buckets (cancelled ones too, until their tick).
    private var count = 0
    /// The first tick not swept yet.
    private var nextTick: Int64 = 0
    private var sweeping = false

    private init(loop: any EventLoop) {
        self.loop = loop
    }

    private static let wheels = Mutex<[ObjectIdentifier: TimerWheel]>([:])

    /// The wheel of `loop` (made on first use; event loops live as long as the process).
    static func on(_ loop: any EventLoop) -> TimerWheel {
        wheels.withLock { wheels in
            if let wheel = wheels[ObjectIdentifier(loop)] { return wheel }
            let wheel = TimerWheel(loop: loop)
            wheels[ObjectIdentifier(loop)] = wheel
            return wheel
        }
    }

    /// Calls `action` on the loop once `amount` has passed (up to a tick later), unless cancelled.
    func schedule(in amount: TimeAmount, _ action: @escaping () -> Void) -> Timer {
        loop.assertInEventLoop()
        let timer = Timer(action)
        // Rounded up: a timer never fires early.
        let due = Self.tickIndex(loop.now + amount) + 1
        if count == 0 { nextTick = Self.tickIndex(loop.now) }
        buckets[due, default: []].append(timer)
        count += 1
        if !sweeping {
            sweeping = true
            scheduleSweep()
        }
        return timer
    }

    private static func tickIndex(_ deadline: NIODeadline) -> Int64 {
        Int64(deadline.uptimeNanoseconds / UInt64(tick.nanoseconds))
    }

    private func scheduleSweep() {
        loop.assumeIsolated().scheduleTask(in: Self.tick) { self.sweep() }
    }

    private func sweep() {
        let now = Self.tickIndex(loop.now)
        while nextTick <= now {
            if let due = buckets.removeValue(forKey: nextTick) {
                count -= due.count
                for timer in due {
                    guard let action = timer.action else { continue }
                    timer.action = nil
                    action()
                }
            }
            nextTick += 1
        }
        if count > 0 { scheduleSweep() } else { sweeping = false }
    }
}

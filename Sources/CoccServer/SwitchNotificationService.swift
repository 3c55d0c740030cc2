public import CoccEngine
import CoccStorage
import CoccSwitch
import Foundation
public import Logging
public import ServiceLifecycle

/// The engine's reader of the switch's notifications, as a service of the server.
///
/// It reads until graceful shutdown. Shutdown first hangs up every live call and keeps reading
/// until their hangups are handled (at most `drainSeconds`), so each call ends with its events
/// and its record while the switch driver, which stops after this service, still runs. A call
/// whose hangup never comes stays in the store and is ended as interrupted at the next start.
///
/// ```swift
/// let services: [any Service] = [asteriskSwitch, SwitchNotificationService(center: center, logger: logger), ...]
/// ```
public struct SwitchNotificationService: Service {
    let center: CallCenter
    let drainSeconds: Double
    let logger: Logger

    public init(center: CallCenter, drainSeconds: Double = 5, logger: Logger) {
        self.center = center
        self.drainSeconds = drainSeconds
        self.logger = logger
    }

    public func run() async throws {
        let center = self.center
        await withDiscardingTaskGroup { group in
            group.addTask { await center.consumeSwitchNotifications() }
            // Reading ends when the switch finishes its stream or another reader owns it;
            // either way this service stays until shutdown.
            try? await gracefulShutdown()
            // Cancelled rather than shut down (another service failed): the reader is gone
            // too, so there is nothing to drain with; the next start ends the calls.
            if !Task.isCancelled { await drain() }
            group.cancelAll()
        }
    }

    /// Hangs up every live call and waits, while the reader goes on, until none is left or
    /// `drainSeconds` have passed, whichever comes first.
    func drain() async {
        let before = await center.liveCallCount()
        guard before > 0 else { return }
        logger.notice("ending live calls before stopping", metadata: ["calls": "\(before)"])
        let deadline = ContinuousClock.now + .milliseconds(Int64(drainSeconds * 1000))
        let center = self.center
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await center.hangUpAllCalls()
                while !Task.isCancelled {
                    await center.callSwitch.notifications.settled()
                    if await center.liveCallCount() == 0 { return }
                    // Asterisk's reports are still on their way.
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
        let left = await center.liveCallCount()
        if left > 0 {
            logger.warning("live calls still up at shutdown; the next start ends them as interrupted", metadata: ["calls": "\(left)"])
        }
    }
}

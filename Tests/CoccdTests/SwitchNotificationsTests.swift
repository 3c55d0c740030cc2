import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccServer
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The one ordered stream from a switch to the engine, and the server's reader of it.
@Suite("switch notifications: one ordered stream the engine reads")
struct SwitchNotificationsTests {
    /// Yielding never waits, even with no reader; the reader gets everything in order, and the
    /// end once the stream finishes.
    @Test
    func yieldsWaitForNobodyAndArriveInOrder() async {
        let stream = SwitchNotifications()
        for id in 1...1000 { stream.yield(.ringing(uniqueid: Int64(id))) }
        stream.finish()
        stream.yield(.ringing(uniqueid: 5000))  // after the end: dropped
        try? await Task.sleep(for: .milliseconds(50))
        var seen: [Int64] = []
        var delays: [Duration] = []
        for await notification in stream {
            seen.append(notification.uniqueid)
            delays.append(stream.lastQueueDelay)
        }
        #expect(seen == (1...1000).map(Int64.init))
        // Each waited in the queue from its yield (at least the 50 ms before reading began).
        #expect(delays.allSatisfy { $0 >= .milliseconds(50) })
    }

    /// `settled()` returns only when the reader has handled everything, including what was
    /// yielded while it handled an earlier notification (a hangup the engine asked for).
    @Test
    func settledWaitsForWhatHandlingYielded() async {
        let stream = SwitchNotifications()
        let handled = Mutex<[Int64]>([])
        let reader = Task {
            for await notification in stream {
                try? await Task.sleep(for: .milliseconds(20))
                if notification.uniqueid == 1 { stream.yield(.hungUp(uniqueid: 2, cause: .normal)) }
                handled.withLock { $0.append(notification.uniqueid) }
            }
        }
        await stream.settled()  // nothing yet: at once
        stream.yield(.answered(uniqueid: 1))
        await stream.settled()
        #expect(handled.withLock { $0 } == [1, 2])
        reader.cancel()
        await reader.value
    }

    /// A second reader would take notifications out of order: it gets none.
    @Test
    func aSecondReaderEndsAtOnce() async {
        let stream = SwitchNotifications()
        stream.yield(.ringing(uniqueid: 1))
        var first = stream.makeAsyncIterator()
        var second = stream.makeAsyncIterator()
        #expect(await second.next() == nil)
        #expect(await first.next() == .ringing(uniqueid: 1))
    }

    /// A cancelled reader stops waiting; then nothing will be handled, so `settled()` no longer
    /// waits for what is queued. A cancelled `settled()` returns too.
    @Test(.timeLimit(.minutes(1)))
    func cancellingTheReaderOrTheWaiterEndsTheWait() async {
        let stream = SwitchNotifications()
        let blocked = Task {
            stream.yield(.ringing(uniqueid: 1))  // no reader yet: queued, so not settled
            await stream.settled()
        }
        try? await Task.sleep(for: .milliseconds(50))
        blocked.cancel()
        await blocked.value
        let reader = Task { for await _ in stream { try? await Task.sleep(for: .seconds(3600)) } }
        try? await Task.sleep(for: .milliseconds(50))
        stream.yield(.ringing(uniqueid: 2))  // queued behind the one the reader sits on
        reader.cancel()
        await reader.value
        await stream.settled()
    }

    /// The server's reader: it drives the engine from the simulator's stream, and a graceful
    /// shutdown hangs up the live call and reads on until its hangup events are written.
    @Test(.timeLimit(.minutes(1)))
    func theServiceReadsAndEndsLiveCallsAtShutdown() async throws {
        let (store, _) = try temporaryStore()
        _ = try await DirectoryAdmin(store: store, rounds: 500).seedDemoIfEmpty()
        let pbx = SimulatedSwitch(rules: .demo, timing: .manual)
        // No test reader: the service is the only one.
        let center = try await CallCenter(store: store, switch: pbx, legRegistry: LegRegistry(firstID: 19866), logger: Fixture.quiet)
        let group = ServiceGroup(
            configuration: .init(
                services: [SwitchNotificationService(center: center, logger: Fixture.quiet)],
                gracefulShutdownSignals: [], logger: Fixture.quiet))
        let running = Task { try await group.run() }
        let agent = try #require(center.directory.agent(team: 1, number: "8001"))
        let engine = try await center.engine(team: 1)
        _ = await engine.login(agent: agent, directory: center.directory, logger: Fixture.quiet)
        let request = OutboundCallRequest.dialling("13800000001")
        #expect(await engine.makeCall(agent: agent, request: request, directory: center.directory, logger: Fixture.quiet).isSuccess)
        await pbx.advance(by: .seconds(3))  // the agent answers, then the customer: talking
        #expect(await center.liveCallCount() == 1)
        #expect(await engine.sessionSnapshot(agentID: agent.id)?.call == .talking)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(await center.liveCallCount() == 0)
        #expect(await pbx.liveLegs().isEmpty)
        let last = try await #require(try store.events(teamID: 1, after: 0, limit: 1000).last?.message)
        #expect(field(last, "source") == "CONVERSATION" && field(last, "event") == "hangup")
        await #expect(try store.liveCallTeamIDs().isEmpty)
    }
}

import CoccEngine
import CoccProvisioning
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A backend that takes up to 8 s per POST (until the test releases it), and counts what it
/// has started and finished; a fast backend notes, on arrival, how far the slow one had got.
final class PacedWebhook: Sendable {
    struct Counts: Sendable, Equatable {
        var started = 0
        var finished = 0
    }
    let counts = Mutex(Counts())
    let released = Mutex(false)
    /// For a fast backend: the slow backend's counts at the moment each POST arrived here.
    let seenOfOther = Mutex<[Counts]>([])
    let other: PacedWebhook?
    let slow: Bool

    init(slow: Bool, watching other: PacedWebhook? = nil) {
        self.slow = slow
        self.other = other
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 1 << 16)
            self.counts.withLock { $0.started += 1 }
            if let other = self.other { self.seenOfOther.withLock { $0.append(other.counts.withLock { $0 }) } }
            if self.slow {
                for _ in 0..<400 where !self.released.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            }
            self.counts.withLock { $0.finished += 1 }
            return .ok
        }
        return router
    }
}

@Suite("event delivery per team", .serialized)
struct EventDeliveryFairnessTests {
    static let loopback = ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0))

    static func append(_ f: Fixture, team: Int64) async throws {
        let journal = try await f.center.engine(team: team).journal
        f.center.eventBus.append(
            to: f.store, journal: journal, team: team, at: Date(), agents: [], render: { id in "source=TEST&event=ping&eventid=\(id)" })
        #expect(await journal.flush(timeout: .seconds(10)))
    }

    /// Waits (polling, with a generous cap against hangs) until `condition` holds.
    static func eventually(_ condition: () async -> Bool) async throws {
        for _ in 0..<1000 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Team demo POSTs to a receiver that holds each POST until released, team other to a prompt
    /// one that notes the slow one's counts; the delivery service runs with `concurrency` while
    /// `body` does its part.
    static func twoTeams(
        concurrency: Int? = nil, _ body: @escaping @Sendable (Fixture, PacedWebhook, PacedWebhook) async throws -> Void
    ) async throws {
        let f = try await Fixture()
        let slow = PacedWebhook(slow: true)
        let fast = PacedWebhook(slow: false, watching: slow)
        let slowApp = Application(router: slow.router(), configuration: Self.loopback, logger: Fixture.quiet)
        let fastApp = Application(router: fast.router(), configuration: Self.loopback, logger: Fixture.quiet)
        try await slowApp.test(.live) { slowClient async throws in
            try await fastApp.test(.live) { fastClient async throws in
                try await f.admin.updateTeam(identity: "demo", eventURL: "http://127.0.0.1:\(try #require(slowClient.port))/hook")
                try await f.admin.updateTeam(identity: "other", eventURL: "http://127.0.0.1:\(try #require(fastClient.port))/hook")
                try await f.center.reloadDirectoryIfChanged(logger: Fixture.quiet)
                // Delivery starts after each team's latest event.
                _ = try await f.store.deliveryState(teamID: 1)
                _ = try await f.store.deliveryState(teamID: 2)
                var settings = EventDeliveryService.Settings()
                settings.pollInterval = .milliseconds(20)
                if let concurrency { settings.concurrency = concurrency }
                let service = EventDeliveryService(
                    center: f.center, store: f.store, metrics: OperationMetrics(), settings: settings,
                    logger: Fixture.quiet)
                let running = Task { try await service.run() }
                defer { running.cancel() }
                try await body(f, slow, fast)
                running.cancel()
                _ = try? await running.value
            }
        }
    }

    @Test
    func aSlowReceiverDelaysOnlyItsOwnTeam() async throws {
        try await Self.twoTeams { f, slow, fast in
            // The slow team's first POST is outstanding...
            try await Self.append(f, team: 1)
            try await Self.eventually { slow.counts.withLock { $0.started } == 1 }
            #expect(slow.counts.withLock { $0 } == .init(started: 1, finished: 0))
            // ...when the other team's event arrives at its receiver.
            try await Self.append(f, team: 2)
            try await Self.append(f, team: 2)
            try await Self.eventually { fast.counts.withLock { $0.finished } == 2 }
            #expect(fast.counts.withLock { $0.finished } == 2)
            #expect(fast.seenOfOther.withLock { $0 } == [.init(started: 1, finished: 0), .init(started: 1, finished: 0)])
            // The receiver counts a POST before its answer reaches the service, which then
            // moves the cursor: wait for that, too.
            let latestOther = try await f.store.events(teamID: 2, after: 0, limit: 1000).last?.eventid
            try await Self.eventually { (try? await f.store.deliveryState(teamID: 2).cursor) == latestOther }
            await #expect(try f.store.deliveryState(teamID: 2).cursor == latestOther)

            // The slow team still gets its own events, in order, once its receiver answers.
            try await Self.append(f, team: 1)
            slow.released.withLock { $0 = true }
            try await Self.eventually { slow.counts.withLock { $0.finished } == 2 }
            #expect(slow.counts.withLock { $0 } == .init(started: 2, finished: 2))
            let latest = try await f.store.events(teamID: 1, after: 0, limit: 1000).last?.eventid
            try await Self.eventually { (try? await f.store.deliveryState(teamID: 1).cursor) == latest }
            await #expect(try f.store.deliveryState(teamID: 1).cursor == latest)
        }
    }

    @Test
    func theTotalInFlightIsBounded() async throws {
        try await Self.twoTeams(concurrency: 1) { f, slow, fast in
            try await Self.append(f, team: 1)
            try await Self.eventually { slow.counts.withLock { $0.started } == 1 }
            try await Self.append(f, team: 2)
            // One permit: the second team's POST waits for the first team's to finish.
            try await Task.sleep(for: .milliseconds(300))
            #expect(fast.counts.withLock { $0.started } == 0)
            slow.released.withLock { $0 = true }
            try await Self.eventually { fast.counts.withLock { $0.finished } == 1 }
            #expect(fast.seenOfOther.withLock { $0 } == [.init(started: 1, finished: 1)])
        }
    }
}

import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccServer
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// A backend that records what it accepts and refuses the first `failures` POSTs.
final class Webhook: Sendable {
    struct Received: Sendable {
        var id: String
        var signature: String
        var body: String
    }
    let received = Mutex<[Received]>([])
    let failures: Mutex<Int>
    init(failures: Int) { self.failures = Mutex(failures) }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
            let refuse = self.failures.withLock { n -> Bool in
                guard n > 0 else { return false }
                n -= 1
                return true
            }
            if refuse { return .internalServerError }
            self.received.withLock {
                $0.append(
                    Received(
                        id: request.headers[HTTPField.Name("X-Cocc-Event-Id")!] ?? "",
                        signature: request.headers[HTTPField.Name("X-Cocc-Signature")!] ?? "", body: body))
            }
            return .ok
        }
        return router
    }
}

@Suite("backend event delivery", .serialized)
struct EventDeliveryTests {
    @Test
    func everyEventArrivesInOrderDespiteFailuresAndAfterARestart() async throws {
        let f = try await Fixture()
        let hook = Webhook(failures: 3)
        let receiver = Application(
            router: hook.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Fixture.quiet)
        try await receiver.test(.live) { hookClient async throws in
            try await f.admin.updateTeam(identity: "demo", eventURL: "http://127.0.0.1:\(try #require(hookClient.port))/hook")
            try await f.center.reloadDirectoryIfChanged(logger: Fixture.quiet)
            var settings = EventDeliveryService.Settings()
            settings.baseBackoff = .milliseconds(5)
            settings.maxAttempts = 5
            func deliverer() -> EventDeliveryService {
                EventDeliveryService(
                    center: f.center, store: f.store, metrics: OperationMetrics(), settings: settings, logger: Fixture.quiet)
            }
            func drain(_ d: EventDeliveryService, until count: Int) async throws {
                for _ in 0..<200 where hook.received.withLock({ $0.count }) < count {
                    await d.deliverPending()
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            let first = deliverer()
            await first.deliverPending()  // the team's delivery starts here, at event 0
            try await f.application().test(.router) { client async throws in
                _ = try await call(client, .http, "login", Fixture.agent8001)
                _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
                await f.advance(3)
                try await f.pbx.farEndHangup(uniqueid: 19867)
            }
            try await drain(first, until: 7)
            let secret = try await f.store.deliveryState(teamID: 1).secret
            var got = hook.received.withLock { $0 }
            #expect(got.map(\.id) == (1...7).map(String.init))
            #expect(got.allSatisfy { $0.signature == "sha256=" + EventDeliveryService.signature($0.body, secret: secret) })
            #expect(
                got[0].body.hasPrefix(
                    "calleridnum=13800000001&didnumber=&activenum=8001&source=AGENT&event=ringing&uniqueid=19866&sessionid="))
            #expect(got[0].body.contains("&eventTime=") && got[0].body.contains("%3A"))  // form-encoded "08:22:01"
            await #expect(try f.store.deliveryState(teamID: 1).cursor == 7)

            // A new process (a new deliverer, the same store) continues after the cursor.
            try await f.application().test(.router) { client async throws in
                _ = try await call(client, .http, "makeCall", OutboundCallTests.dial.with(["targetdn": "13800000002"]))
                await f.advance(3)
            }
            try await drain(deliverer(), until: 13)
            got = hook.received.withLock { $0 }
            #expect(got.map(\.id) == (1...13).map(String.init))

            // A backend that keeps failing: dead-lettered after 5 attempts, then replayed.
            hook.failures.withLock { $0 = 1000 }
            try await f.application().test(.router) { client async throws in
                _ = try await call(client, .http, "makeCall", OutboundCallTests.dial.with(["targetdn": "13800000002"]))
                await f.advance(3)
            }
            let failing = deliverer()
            for _ in 0..<100 where try await !f.store.deliveryState(teamID: 1).dead {
                await failing.deliverPending()
                try await Task.sleep(for: .milliseconds(10))
            }
            let dead = try await f.store.deliveryState(teamID: 1)
            #expect(dead.dead && dead.attempts == 5 && dead.cursor == 13 && dead.lastError == "HTTP 500")
            hook.failures.withLock { $0 = 0 }
            try await f.store.replayDelivery(teamID: 1, since: 0)
            try await drain(failing, until: 13 + 19)
            got = hook.received.withLock { $0 }
            #expect(got.count == 32 && got.suffix(19).map(\.id) == (1...19).map(String.init))
        }
    }
}

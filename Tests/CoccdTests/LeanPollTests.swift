import CoccEngine
import CoccServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceLifecycle
import Testing

/// Long-polls on the lean path (`HotPathHandler+Poll`): parked on the connection's event loop,
/// answering as the route does, woken by their event, released when the client goes, and
/// answered at once when the server stops.
@Suite("lean path for long-polls", .serialized)
struct LeanPollTests {
    static let channel = "/agentindesks/agentpull/demo-8001-123456"
    static let credentials = "orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"

    static func poll(_ target: String = channel, _ headers: String = "") -> String {
        "GET \(target) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n"
    }

    /// A pause with `pushevent=yes`: one event on 8001's channel (and the team's).
    static func pause(_ type: Int, reason: String) -> String {
        "GET /coccinterfaces?EVENT=QUEUEPAUSE&type=\(type)&pause_reason=\(reason)&pushevent=yes&\(credentials) HTTP/1.1\r\nHost: localhost\r\n\r\n"
    }

    /// Three events in the log (the agent's pause, its end, a pause again), then `requests`
    /// pipelined on one connection; the answers as `LeanPathTests.answers` gives them.
    func exchange(leanPath: Bool, _ requests: [String]) async throws -> [String] {
        var fixture = try await Fixture()
        fixture.configuration.leanPath = leanPath
        let f = fixture
        return try await f.liveApplication(pollTimeout: 1).test(.live) { client async throws in
            let connection = try await Self.signedIn(f, port: try #require(client.port), pauses: Self.threePauses)
            connection.send(requests.joined())
            var text = ""
            for _ in 0..<40 where LeanPathTests.answers(text).count < requests.count {
                text += await connection.receive(timeout: 3) ?? ""
            }
            return LeanPathTests.answers(text)
        }
    }

    /// Every kind of poll answers byte for byte (Date aside) as on the route: events after an
    /// Etag (as lines and as JSON), a refusal, a time cursor (which the store answers), and the
    /// 304s after the timeout with a cursor and without one.
    @Test
    func pollsAnswerAsTheRouteDoes() async throws {
        let requests = [
            Self.poll(Self.channel, "If-None-Match: 1\r\n"),
            Self.poll("/agentindesks/agentpull/demo-8001-wrong"),
            Self.poll(Self.channel + "?format=json", "If-None-Match: 0\r\n"),
            Self.poll(Self.channel, "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n"),
            Self.poll(Self.channel, "If-None-Match: \"3\"\r\n"),
            Self.poll(Self.channel),
            Self.poll("/agentindesks/agentpull/token-bogus"),
        ]
        let lean = try await exchange(leanPath: true, requests)
        let routes = try await exchange(leanPath: false, requests)
        #expect(lean.count == requests.count)
        #expect(lean == routes)
        guard lean.count == requests.count else { return }
        #expect(lean[0].contains("http/1.1 200 ok") && lean[0].contains("etag: 3"))
        #expect(lean[0].components(separatedBy: "\r\n").count == 2 && lean[0].contains("reason=b3"))
        #expect(lean[1].contains("http/1.1 403 forbidden") && lean[1].hasSuffix("bad credentials\n"))
        #expect(lean[2].contains("{'") && lean[2].components(separatedBy: "\r\n").count == 3)
        #expect(lean[3].contains("etag: 3") && lean[3].components(separatedBy: "\r\n").count == 3)
        #expect(lean[4].contains("http/1.1 304 not modified") && lean[4].contains("etag: 3"))
        #expect(lean[5].contains("http/1.1 304 not modified") && lean[5].contains("etag: 3"))
        #expect(lean[6].contains("http/1.1 403 forbidden") && lean[6].hasSuffix("bad or expired token\n"))
    }

    /// A parked poll holds one waiter in the event bus; its event wakes it, and a client that
    /// goes while its poll is parked leaves no waiter behind.
    @Test(.timeLimit(.minutes(1)))
    func aParkedPollWakesOnItsEventAndGoesWithItsClient() async throws {
        let f = try await Fixture()
        let bus = f.center.eventBus
        try await f.liveApplication(pollTimeout: 3600).test(.live) { client async throws in
            let port = try #require(client.port)
            let actions = try await Self.signedIn(f, port: port)
            let page = try RawConnection(port: port)
            page.send(Self.poll(Self.channel, "If-None-Match: 0\r\n"))
            #expect(await waiters(bus, 1))
            actions.send(Self.pause(1, reason: "lunch"))
            let answer = await page.receive(timeout: 30, until: "reason=lunch")
            #expect(answer?.hasPrefix("HTTP/1.1 200 OK") == true)
            #expect(await waiters(bus, 0))

            page.send(Self.poll(Self.channel, "If-None-Match: 1\r\n"))
            #expect(await waiters(bus, 1))
            page.hangUp()
            #expect(await waiters(bus, 0))
        }
    }

    /// A graceful stop answers a waiting poll at once with 304 and its cursor, on both paths,
    /// and the connection closes after it.
    @Test(.timeLimit(.minutes(1)), arguments: [true, false])
    func aStopAnswersAWaitingPollAtOnce(leanPath: Bool) async throws {
        let f = try await Fixture()
        var configuration = f.configuration
        configuration.leanPath = leanPath
        configuration.pollTimeoutSeconds = 3600
        let (group, running, port) = try await Self.serve(configuration, center: f.center)
        let connection = try RawConnection(port: port)
        connection.send(Self.poll(Self.channel, "If-None-Match: 0\r\n"))
        #expect(await waiters(f.center.eventBus, 1))
        let began = ContinuousClock.now
        await group.triggerGracefulShutdown()
        let answer = await connection.receive(timeout: 20, until: "\r\n\r\n")
        #expect(answer?.hasPrefix("HTTP/1.1 304 Not Modified") == true)
        #expect(answer?.contains("ETag: 0") == true)
        #expect(await connection.isClosed(within: 10))
        try await running.value
        #expect(ContinuousClock.now - began < .seconds(15))
    }

    /// 8001's pause, its end and a pause again: events 1 to 3.
    static let threePauses = [(1, "b1"), (2, "b2"), (1, "b3")]

    /// A connection on which 8001 has logged in and made `pauses` (`type`, reason), their
    /// events in the log: the tests' source of events.
    static func signedIn(_ f: Fixture, port: Int, pauses: [(Int, String)] = []) async throws -> RawConnection {
        let connection = try RawConnection(port: port)
        connection.send(LeanPathTests.formStatus("LOGIN"))
        #expect(await connection.receive(timeout: 30, until: "|||")?.contains("BackMsg_04") == true)
        for (type, reason) in pauses {
            connection.send(pause(type, reason: reason))
            #expect(await connection.receive(timeout: 30, until: "BackMsg_")?.contains("BackMsg_") == true)
        }
        await f.settle()
        return connection
    }

    /// The application in a service group of its own (so a test can stop it gracefully), on a
    /// port the system chose, once it accepts connections.
    static func serve(_ configuration: ServerConfiguration, center: CallCenter) async throws -> (ServiceGroup, Task<Void, any Error>, Int) {
        var configuration = configuration
        configuration.port = 0
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let app = CoccApplication.make(
            configuration: configuration, center: center,
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            }, logger: Fixture.quiet)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Fixture.quiet))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return (group, running, port)
    }

    /// Whether the team's channels come to have `count` waiters within a few seconds.
    func waiters(_ bus: EventBus, _ count: Int) async -> Bool {
        for _ in 0..<200 {
            if bus.waiterCount(team: 1) == count { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return false
    }
}

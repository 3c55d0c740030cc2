import CoccEngine
import CoccServer
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceLifecycle
import Testing

/// Event streams on the lean path (`HotPathHandler+Stream`): written from the connection's
/// event loop, with the route's bytes, woken by their events, released when the client goes,
/// ended when the server stops.
@Suite("lean path for event streams", .serialized)
struct LeanStreamTests {
    static let agentQuery = "orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"
    static let accountQuery = "orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin123"

    static func stream(_ query: String, _ headers: String = "") -> String {
        "GET /coccinterface/events?\(query) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n"
    }

    /// 8001's stream on a connection of its own, read up to its cursor frame.
    static func opened(port: Int, receiveBuffer: Int32? = nil) async throws -> RawConnection {
        let page = try RawConnection(port: port, receiveBuffer: receiveBuffer)
        page.send(stream(agentQuery))
        #expect(await page.receive(timeout: 10, until: "event: cursor")?.contains("event: cursor") == true)
        return page
    }

    /// The head (Date left out) and the de-chunked body of a streamed answer read so far.
    static func decode(_ text: String) -> (head: [String], body: String) {
        guard let split = text.range(of: "\r\n\r\n") else { return ([], "") }
        let head = text[..<split.lowerBound].split(separator: "\r\n").filter { !$0.lowercased().hasPrefix("date:") }.map(String.init)
        var rest = Substring(text[split.upperBound...])
        var body = ""
        while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
            let start = line.upperBound
            guard rest.utf8.distance(from: start, to: rest.endIndex) >= size + 2 else { break }
            let end = rest.utf8.index(start, offsetBy: size)
            body += rest[start..<end]
            rest = rest[rest.utf8.index(end, offsetBy: 2)...]
        }
        return (head, body)
    }

    /// Three events (8001 pauses, unpauses, pauses), then each stream request on its own
    /// connection, read until `marker`s.
    func read(leanPath: Bool, _ requests: [(String, String)]) async throws -> [(head: [String], body: String)] {
        var fixture = try await Fixture()
        fixture.configuration.leanPath = leanPath
        let f = fixture
        return try await f.liveApplication().test(.live) { client async throws in
            let port = try #require(client.port)
            _ = try await LeanPollTests.signedIn(f, port: port, pauses: LeanPollTests.threePauses)
            var out: [(head: [String], body: String)] = []
            for (request, marker) in requests {
                let connection = try RawConnection(port: port)
                connection.send(request)
                out.append(Self.decode(await connection.receive(timeout: 10, until: marker) ?? ""))
            }
            return out
        }
    }

    /// An agent's stream from a cursor, an account's (the team channel), one from the present,
    /// one resumed with `Last-Event-ID`, and a refusal: the same bytes on both paths.
    @Test
    func streamsAnswerAsTheRouteDoes() async throws {
        let requests = [
            (Self.stream(Self.agentQuery + "&lastEventId=1"), "id: 3\n"),
            (Self.stream(Self.accountQuery + "&lastEventId=0"), "id: 3\n"),
            (Self.stream(Self.agentQuery), "data: 3\n\n"),
            (Self.stream(Self.agentQuery, "Last-Event-ID: 2\r\n"), "id: 3\n"),
            (Self.stream("orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=wrong"), "bad credentials\n"),
        ]
        let lean = try await read(leanPath: true, requests)
        let routes = try await read(leanPath: false, requests)
        #expect(lean.map(\.head) == routes.map(\.head))
        // The stream's bytes up to each marker (what came after it may differ in timing).
        func cut(_ body: String, _ marker: String) -> String {
            guard let end = body.range(of: marker) else { return body }
            return String(body[..<end.upperBound])
        }
        for (i, (_, marker)) in requests.enumerated() where i < 4 {
            #expect(cut(lean[i].body, marker) == cut(routes[i].body, marker))
        }
        #expect(lean[0].head.first == "HTTP/1.1 200 OK" && lean[0].head.contains { $0.lowercased() == "transfer-encoding: chunked" })
        #expect(lean[0].body.hasPrefix("retry: 2000\n\nevent: cursor\nid: 1\ndata: 1\n\nid: 2\ndata: "))
        #expect(lean[1].body.contains("id: 2\n") && lean[1].body.contains("id: 3\n"))
        #expect(lean[2].body.hasPrefix("retry: 2000\n\nevent: cursor\nid: 3\ndata: 3\n\n"))
        #expect(lean[3].body.contains("reason=b3") && !lean[3].body.contains("reason=b2"))
        #expect(lean[4].head.first == "HTTP/1.1 403 Forbidden")
    }

    /// A stream waits with one waiter in the event bus; an event brings its frame and the
    /// stream waits again; a client that goes leaves no waiter behind.
    @Test(.timeLimit(.minutes(1)))
    func aStreamWakesOnItsEventsAndGoesWithItsClient() async throws {
        let f = try await Fixture()
        let bus = f.center.eventBus
        try await f.liveApplication().test(.live) { client async throws in
            let port = try #require(client.port)
            let actions = try await LeanPollTests.signedIn(f, port: port)
            let page = try await Self.opened(port: port)
            #expect(await LeanPollTests().waiters(bus, 1))
            for (type, event) in [(1, "event=paused"), (2, "event=nopaused")] {
                actions.send(LeanPollTests.pause(type, reason: "lunch"))
                #expect(await page.receive(timeout: 10, until: event)?.contains(event) == true)
                #expect(await LeanPollTests().waiters(bus, 1))
            }
            page.hangUp()
            #expect(await LeanPollTests().waiters(bus, 0))
        }
    }

    /// A page that stops reading: once the socket and the channel's write buffer are full the
    /// stream stops taking events (it holds no waiter then, and no more memory), and when the
    /// page reads again it gets every event, in order, once.
    @Test(.timeLimit(.minutes(2)))
    func aStreamWhosePageStopsReadingWaitsAndLosesNothing() async throws {
        let f = try await Fixture()
        let bus = f.center.eventBus
        try await f.liveApplication().test(.live) { client async throws in
            let port = try #require(client.port)
            let actions = try await LeanPollTests.signedIn(f, port: port)
            let page = try await Self.opened(port: port, receiveBuffer: 4096)
            // ~6 MB of frames (long pause reasons, within the 16-KB head cap): more than the
            // page's window, the sockets' buffers (on loopback the sender's grows to a few MB) and
            // the channel's 64 KB.
            let count = 1000
            let long = String(repeating: "x", count: 12_000)
            for i in 0..<count {
                actions.send(LeanPollTests.pause(i % 2 == 0 ? 1 : 2, reason: "r\(i)" + long))
                #expect(await actions.receive(timeout: 30, until: "BackMsg_")?.contains("BackMsg_") == true)
            }
            await f.settle()
            #expect(await LeanPollTests().waiters(bus, 0))  // blocked on the page, not waiting for events
            var text = ""
            for _ in 0..<100 where !text.contains("id: \(count)\n") {
                text += await page.receive(timeout: 2, until: "id: \(count)\n") ?? ""
            }
            // By bytes: "\r\n" (around the chunk sizes) is one Character to String's split.
            let ids = text.utf8.split(separator: 10).compactMap { line -> Int? in
                let text = String(decoding: line, as: UTF8.self)
                return text.hasPrefix("id: ") ? Int(text.dropFirst(4)) : nil
            }
            #expect(ids == Array(1...count))  // each event once, in order (the cursor frame was read above)
            #expect(await LeanPollTests().waiters(bus, 1))  // caught up: waiting for events again
        }
    }

    /// A graceful stop ends an open stream with its last chunk, on both paths, and the
    /// connection closes.
    @Test(.timeLimit(.minutes(1)), arguments: [true, false])
    func aStopEndsAStream(leanPath: Bool) async throws {
        let f = try await Fixture()
        var configuration = f.configuration
        configuration.leanPath = leanPath
        let (group, running, port) = try await LeanPollTests.serve(configuration, center: f.center)
        let connection = try await Self.opened(port: port)
        #expect(await LeanPollTests().waiters(f.center.eventBus, 1))
        await group.triggerGracefulShutdown()
        #expect(await connection.receive(timeout: 20, until: "0\r\n\r\n")?.contains("0\r\n\r\n") == true)
        #expect(await connection.isClosed(within: 10))
        try await running.value
    }
}

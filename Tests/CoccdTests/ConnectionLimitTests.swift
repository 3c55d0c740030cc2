import CoccOperations
import CoccServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The connection caps on the real socket: extra connections are refused at once with 503,
/// other clients are still served, idle connections make room under pressure, and a body
/// announced too large is refused before `100 Continue`.
@Suite("connection limits", .serialized)
struct ConnectionLimitTests {
    static let index = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"

    /// A connection the server has admitted: it answers a request on it.
    static func served(_ connection: RawConnection) async -> Bool {
        connection.send(index)
        return await connection.receive(timeout: 30, until: "\"}")?.hasPrefix("HTTP/1.1 200 OK") == true
    }

    /// Polls (against hangs: at most ~10 s) until `condition` holds.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test
    func connectionsOverTheAddressCapAreRefusedAndOthersStillServed() async throws {
        var f = try await Fixture()
        f.configuration.maxConnectionsPerAddress = 3
        try await f.liveApplication().test(.live) { client async throws in
            let port = try #require(client.port)
            var held: [RawConnection] = []
            for _ in 0..<3 {
                let connection = try RawConnection(port: port, from: "127.0.0.2")
                #expect(await Self.served(connection))
                held.append(connection)
            }
            // The fourth and fifth from the same address: answered 503 and closed, before any request.
            for _ in 0..<2 {
                let extra = try RawConnection(port: port, from: "127.0.0.2")
                let answer = await extra.receive(timeout: 30, until: "connections") ?? ""
                #expect(answer.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
                #expect(answer.contains("Connection: close\r\n"))
                #expect(await extra.isClosed(within: 10))
            }
            // Another address is not affected, and the admitted connections still work.
            #expect(try await call(client, .http, "login", Fixture.agent8001).message == "BackMsg_04")
            #expect(await Self.served(held[0]))
            // A connection that ends makes room for a new one from that address.
            held.removeLast().hangUp()
            let admitted = try await Self.eventually {
                let next = try RawConnection(port: port, from: "127.0.0.2")
                return await Self.served(next)
            }
            #expect(admitted)
        }
    }

    @Test
    func theGlobalCapRefusesEveryAddress() async throws {
        var f = try await Fixture()
        f.configuration.maxConnections = 4
        f.configuration.pressureIdleTimeoutSeconds = 60  // this test is about the cap, not about pressure
        try await f.liveApplication().test(.live) { client async throws in
            let port = try #require(client.port)
            // The test client's own keep-alive connection is one of the four.
            _ = try await client.execute(uri: "/", method: .get) { #expect($0.status == .ok) }
            var held: [RawConnection] = []
            for n in 2...4 {
                let connection = try RawConnection(port: port, from: "127.0.0.\(n)")
                #expect(await Self.served(connection))
                held.append(connection)
            }
            let extra = try RawConnection(port: port, from: "127.0.0.9")
            #expect((await extra.receive(timeout: 30, until: "connections") ?? "").hasPrefix("HTTP/1.1 503"))
            #expect(await extra.isClosed(within: 10))
            #expect(held.count == 3)
        }
    }

    @Test
    func idleConnectionsAreClosedSoonerUnderPressure() async throws {
        var f = try await Fixture()
        f.configuration.maxConnections = 8  // pressure above 6 open
        f.configuration.pressureIdleTimeoutSeconds = 1
        try await f.liveApplication(requestTimeout: 60).test(.live) { client async throws in
            let port = try #require(client.port)
            _ = try await client.execute(uri: "/", method: .get) { #expect($0.status == .ok) }  // one open: the test client's
            var idle: [RawConnection] = []
            for _ in 0..<4 {
                let connection = try RawConnection(port: port, from: "127.0.0.2")
                #expect(await Self.served(connection))
                idle.append(connection)
            }
            // Without pressure (5 open), idle keep-alive connections stay (the keep-alive bound is 60 s).
            #expect(await idle[0].isClosed(within: 2.5) == false)
            // Three more (8 open, over 75% of the cap): idle connections are let go until it is no longer.
            for _ in 0..<3 { idle.append(try RawConnection(port: port, from: "127.0.0.3")) }
            var closed: Set<Int> = []
            _ = try await Self.eventually {
                for (i, connection) in idle.enumerated() where !closed.contains(i) {
                    if await connection.isClosed(within: 0.01) { closed.insert(i) }
                }
                return closed.count >= 1
            }
            #expect(closed.count >= 1)
        }
    }

    @Test
    func aBodyAnnouncedTooLargeIsRefusedBeforeContinue() async throws {
        var f = try await Fixture()
        f.configuration.maxBodyBytes = 4096
        try await f.liveApplication().test(.live) { client async throws in
            let port = try #require(client.port)
            for path in ["/coccinterfaces", "/coccwi.php"] {
                let connection = try RawConnection(port: port)
                connection.send(
                    "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Content-Length: 10000000\r\nExpect: 100-continue\r\n\r\n")
                let answer = await connection.receive(timeout: 30, until: "bytes") ?? ""
                #expect(answer.hasPrefix("HTTP/1.1 413 "), "\(path): \(answer)")
                #expect(!answer.contains("100 Continue"))
                #expect(answer.contains("Request body larger than 4096 bytes"))
                #expect(await connection.isClosed(within: 10))
            }
            // Within the limit, the interim answer still comes at once (LiveServerTests has the full exchange).
            let small = try RawConnection(port: port)
            small.send("POST /coccinterfaces HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
            #expect((await small.receive(timeout: 30, until: "\r\n\r\n") ?? "").hasPrefix("HTTP/1.1 100 Continue\r\n"))
        }
    }
}

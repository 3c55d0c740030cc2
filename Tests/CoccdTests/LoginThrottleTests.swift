import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Throttling that cannot be aimed (issue 9, item 4): failures count per (team, user type, user,
/// client address) with a growing delay, and a high ceiling per user across addresses.
@Suite("login throttle: per address, progressive, with a per-user ceiling")
struct LoginThrottleTests {
    let logger = Fixture.quiet
    let attacker = "203.0.113.9"
    let victim = "198.51.100.4"

    func creds(_ password: String, user: String = "8002", usertype: String = "agent") -> Credentials {
        Credentials(orgidentity: "demo", usertype: usertype, user: user, pwdtype: "plaintext", password: password)
    }

    @Test
    func theAttackersAddressIsDelayedMoreAndMoreWhileTheAgentLogsInFromItsOwn() async throws {
        let f = try await Fixture()
        let clock = f.clock
        let auth = Authenticator(clock: { clock() })
        let directory = f.center.directory
        #expect(auth.authenticate(creds("123456"), from: victim, in: directory, logger: logger).isSuccess)
        // The free failures are checked, each with one slow hash.
        for n in 1...3 {
            #expect(
                auth.authenticate(creds("guess\(n)"), from: attacker, in: directory, logger: logger)
                    == .failure(.message(.agentOrPasswordWrong)))
        }
        #expect(auth.slowHashVerifications == 4)
        // Then each failure refuses the address's key for 1 s, 2 s, 4 s, ... without checking.
        var hashes = 4
        for delay in [1.0, 2, 4, 8, 16, 32, 60, 60] {
            #expect(
                auth.authenticate(creds("guess"), from: attacker, in: directory, logger: logger)
                    == .failure(.message(.agentOrPasswordWrong)))
            hashes += 1
            #expect(auth.slowHashVerifications == hashes)
            f.clock.advance(delay - 0.5)
            // Even the right password is not checked from this address now.
            #expect(
                auth.authenticate(creds("123456"), from: attacker, in: directory, logger: logger)
                    == .failure(.message(.agentOrPasswordWrong)))
            #expect(auth.slowHashVerifications == hashes)
            // The agent, from its own address, logs in all along.
            #expect(auth.authenticate(creds("123456"), from: victim, in: directory, logger: logger).isSuccess)
            f.clock.advance(0.51)
        }
        #expect(auth.throttle.failures(.init(team: "demo", usertype: "agent", user: "8002", address: attacker)) == 11)
        #expect(auth.throttle.failures(.init(team: "demo", usertype: "agent", user: "8002", address: victim)) == 0)
        // Once the delay is over, a correct password from the attacker's address is checked and
        // clears its failures.
        #expect(auth.authenticate(creds("123456"), from: attacker, in: directory, logger: logger).isSuccess)
        #expect(auth.throttle.failures(.init(team: "demo", usertype: "agent", user: "8002", address: attacker)) == 0)
    }

    @Test
    func accountFailuresDoNotCountAgainstTheAgentWithTheSameName() async throws {
        let f = try await Fixture()
        let clock = f.clock
        let auth = Authenticator(clock: { clock() })
        let directory = f.center.directory
        // `usertype=account&user=8002` from the agent's own address, until it is refused unchecked.
        for _ in 0..<6 { _ = auth.authenticate(creds("guess", usertype: "account"), from: victim, in: directory, logger: logger) }
        let checked = auth.slowHashVerifications
        #expect(
            auth.authenticate(creds("guess", usertype: "account"), from: victim, in: directory, logger: logger)
                == .failure(.message(.accountOrPasswordWrong)))
        #expect(auth.slowHashVerifications == checked)
        // The agent 8002 from the same address is a different key.
        #expect(auth.authenticate(creds("123456"), from: victim, in: directory, logger: logger).isSuccess)
        #expect(auth.slowHashVerifications == checked + 1)
    }

    @Test
    func aSprayFromManyAddressesStopsAtTheCeilingButTrustedAddressesGoOn() async throws {
        let f = try await Fixture()
        let clock = f.clock
        let auth = Authenticator(clock: { clock() })
        let directory = f.center.directory
        // The agent logged in from its desk before the attack.
        #expect(auth.authenticate(creds("123456"), from: victim, in: directory, logger: logger).isSuccess)
        // 100 failures from 100 addresses within 10 minutes: each address only once.
        for i in 0..<100 {
            _ = auth.authenticate(creds("guess\(i)"), from: "192.0.2.\(i)", in: directory, logger: logger)
            f.clock.advance(1)
        }
        let checked = auth.slowHashVerifications
        #expect(checked == 101)
        // A new address is now refused without checking, even with the right password...
        #expect(
            auth.authenticate(creds("123456"), from: "192.0.2.200", in: directory, logger: logger)
                == .failure(.message(.agentOrPasswordWrong)))
        #expect(
            auth.authenticate(creds("guess"), from: "192.0.2.201", in: directory, logger: logger)
                == .failure(.message(.agentOrPasswordWrong)))
        #expect(auth.slowHashVerifications == checked)
        // ...while the agent's own address, trusted by its earlier login, still logs in, and
        // other users are untouched.
        auth.cache.invalidate { _ in true }  // make it a real check, not a cache hit
        #expect(auth.authenticate(creds("123456"), from: victim, in: directory, logger: logger).isSuccess)
        #expect(auth.authenticate(creds("123456", user: "8003"), from: "192.0.2.200", in: directory, logger: logger).isSuccess)
        #expect(auth.slowHashVerifications == checked + 2)
        // Ten minutes after the spray began, new addresses are checked again.
        f.clock.advance(600 - 100 + 1)
        #expect(auth.authenticate(creds("123456"), from: "192.0.2.200", in: directory, logger: logger).isSuccess)
    }

    /// Every interface hands the connection's address to the authenticator: failures from a
    /// second loopback address (127.0.0.2) throttle that address only.
    @Test
    func everyInterfaceThrottlesTheClientAddress() async throws {
        let f = try await Fixture()
        let auth = f.center.authenticator
        try await f.liveApplication(pollTimeout: 1).test(.live) { client async throws in
            let port = try #require(client.port)
            let q = "orgidentity=demo&usertype=agent&user=8002&pwdtype=plaintext"
            let attempts: [(String, String, String)] = [
                ("/coccinterfaces?EVENT=LOGIN&\(q)&password=guess", "/coccinterfaces?EVENT=AGENTSTATUS&\(q)&password=123456", "|Retuen|1|"),
                ("/setevent/loginCJI?\(q)&password=guess", "/setevent/agentStatusCJI?\(q)&password=123456", "\"code\":1"),
                ("/agentindesks/agentpull/demo-8002-guess", "/agentindesks/agentpull/demo-8002-123456", "HTTP/1.1 304"),
                ("/coccinterface/pushtoken?\(q)&password=guess", "/coccinterface/pushtoken?\(q)&password=123456", "\"token\""),
                ("/coccinterface/events?\(q)&password=guess", "/coccinterface/pushtoken?\(q)&password=123456", "\"token\""),
            ]
            for (wrong, right, ok) in attempts {
                for _ in 0..<4 { _ = try await httpGet(port: port, from: "127.0.0.2", wrong) }
                let key = LoginThrottle.Key(team: "demo", usertype: "agent", user: "8002", address: "127.0.0.2")
                #expect(auth.throttle.failures(key) == 4, "\(wrong)")
                // Refused unchecked from 127.0.0.2, answered from 127.0.0.1.
                let before = auth.slowHashVerifications
                #expect(try await httpGet(port: port, from: "127.0.0.2", right).contains(ok) == false, "\(right)")
                #expect(auth.slowHashVerifications == before)
                #expect(try await httpGet(port: port, from: "127.0.0.1", right).contains(ok), "\(right)")
                await f.advance(2)  // the test clock: 127.0.0.2's delay is over
                #expect(try await httpGet(port: port, from: "127.0.0.2", right).contains(ok), "\(right)")
            }
            // SOAP, posted from 127.0.0.2.
            let envelope = { (password: String) in
                """
                <?xml version="1.0"?><e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:n="urn:coccwi"><e:Body>\
                <n:agentStatus><orgidentity>demo</orgidentity><usertype>agent</usertype><user>8003</user><pwdtype>plaintext</pwdtype>\
                <password>\(password)</password></n:agentStatus></e:Body></e:Envelope>
                """
            }
            for _ in 0..<2 { _ = try await httpPost(port: port, from: "127.0.0.2", "/coccwi.php", envelope("guess")) }
            #expect(auth.throttle.failures(.init(team: "demo", usertype: "agent", user: "8003", address: "127.0.0.2")) == 2)
            #expect(auth.throttle.failures(.init(team: "demo", usertype: "agent", user: "8003", address: "127.0.0.1")) == 0)
            #expect(try await httpPost(port: port, from: "127.0.0.2", "/coccwi.php", envelope("123456")).contains("|Retuen|1|"))
        }
    }
}

/// One HTTP/1.1 request over a socket bound to `source` (any 127.x address is local on Linux),
/// answered in full: status line, headers and body.
func httpGet(port: Int, from source: String, _ path: String) async throws -> String {
    try await httpRequest(port: port, from: source, "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
}

func httpPost(port: Int, from source: String, _ path: String, _ body: String) async throws -> String {
    try await httpRequest(
        port: port, from: source,
        """
        POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n\
        Connection: close\r\n\r\n\(body)
        """)
}

private func httpRequest(port: Int, from source: String, _ text: String) async throws -> String {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
        // A thread of its own: a blocking read must not hold one of Dispatch's few global threads.
        Thread.detachNewThread {
            continuation.resume(with: Result { try blockingRequest(port: port, from: source, text) })
        }
    }
}

private func blockingRequest(port: Int, from source: String, _ text: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw FixtureError("socket failed") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    func address(_ ip: String, _ port: Int) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr(ip)
        return a
    }
    var local = address(source, 0)
    var remote = address("127.0.0.1", port)
    let bound = withUnsafePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw FixtureError("bind to \(source) failed") }
    let connected = withUnsafePointer(to: &remote) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw FixtureError("connect failed") }
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        received += buffer[0..<n]
    }
    return String(decoding: received, as: UTF8.self)
}

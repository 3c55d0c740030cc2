import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The lean path (`HotPathHandler`): the operation endpoints served from the connection's
/// pipeline, answering as the routes do, in order, and from current state.
@Suite("lean path for the operation endpoints", .serialized)
struct LeanPathTests {
    static let status = "orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"

    static func soapStatus(extraHeaders: String = "") -> String {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" \
            xmlns:ns1="urn:coccwi"><SOAP-ENV:Body><ns1:agentStatus><orgidentity>demo</orgidentity><usertype>agent</usertype>\
            <user>8001</user><pwdtype>plaintext</pwdtype><password>123456</password></ns1:agentStatus></SOAP-ENV:Body></SOAP-ENV:Envelope>
            """
        return "POST /coccwi.php HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml; charset=utf-8\r\n\(extraHeaders)"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static func formStatus(_ event: String = "AGENTSTATUS") -> String {
        "GET /coccinterfaces?EVENT=\(event)&\(status) HTTP/1.1\r\nHost: localhost\r\n\r\n"
    }

    /// The answers in `text`, each as its head and body (Date left out: it moves with the clock).
    static func answers(_ text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let head = rest[..<headEnd.lowerBound]
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            let bodyStart = headEnd.upperBound
            guard rest.utf8.distance(from: bodyStart, to: rest.endIndex) >= length else { break }
            let bodyEnd = rest.utf8.index(bodyStart, offsetBy: length)
            let fields = head.split(separator: "\r\n").filter { !$0.lowercased().hasPrefix("date:") }.map { $0.lowercased() }.sorted()
            out.append(fields.joined(separator: "\n") + "\n\n" + rest[bodyStart..<bodyEnd])
            rest = rest[bodyEnd...]
        }
        return out
    }

    func exchange(_ fixture: Fixture, leanPath: Bool, _ requests: [String], count: Int) async throws -> [String] {
        var f = fixture
        f.configuration.leanPath = leanPath
        return try await f.liveApplication().test(.live) { client async throws in
            let connection = try RawConnection(port: try #require(client.port))
            connection.send(Self.formStatus("LOGIN"))
            #expect(await connection.receive(timeout: 30, until: "|||")?.contains("BackMsg_04") == true)
            // Pipelined: all the requests in one write.
            connection.send(requests.joined())
            var text = ""
            for _ in 0..<20 where Self.answers(text).count < count {
                text += await connection.receive(timeout: 3) ?? ""
            }
            return Self.answers(text)
        }
    }

    /// Every endpoint the lean path serves answers byte for byte (Date aside) as the routes do,
    /// faults and refusals included, and pipelined requests are answered in order, also when a
    /// request the routes serve (the WSDL) sits between them.
    @Test
    func answersAsTheRoutesDoAndInOrder() async throws {
        let requests = [
            Self.soapStatus(),
            Self.formStatus(),
            "GET /coccwi.php?wsdl HTTP/1.1\r\nHost: localhost\r\n\r\n",
            Self.formStatus(),
            "GET /setevent/agentStatusCJI?\(Self.status)&callback=cb HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET /setevent/agentStatusCJI?\(Self.status)&callback=alert(1) HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "POST /coccwi.php HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nnot xml!!",
            Self.formStatus("NOSUCHEVENT"),
            "GET /coccinterfaces?EVENT=AGENTSTATUS&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=wrong HTTP/1.1\r\nHost: localhost\r\n\r\n",
            Self.soapStatus(),
        ]
        let lean = try await exchange(try await Fixture(), leanPath: true, requests, count: requests.count)
        let routes = try await exchange(try await Fixture(), leanPath: false, requests, count: requests.count)
        #expect(lean.count == requests.count)
        #expect(lean == routes)
        #expect(lean.first?.contains("<return>|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,</return>") == true)
        #expect(lean[1].hasSuffix("|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,"))
        #expect(lean[2].contains("</definitions>"))
        #expect(lean[3] == lean[1])
        #expect(lean[4].hasSuffix(#"/**/cb({"code":1,"message":"BackMsg_43","status":"1-idle,2-logout,"});"#))
        #expect(lean[5].contains("http/1.1 400 bad request") && lean[5].hasSuffix("invalid callback name\n"))
        #expect(lean[6].contains("<faultcode>SOAP-ENV:Client</faultcode>"))
        #expect(lean[7].hasSuffix("|Retuen|2|Retuen|BackMsg_28"))
        #expect(lean[8].hasSuffix("|Retuen|2|Retuen|BackMsg_03"))
        #expect(lean[9] == lean[0])
    }

    /// An answer from published state is never older than the change a client was told of: a
    /// pause, then the status shows it; the end of the pause, then the status shows that.
    @Test
    func statusFollowsEveryChange() async throws {
        let f = try await Fixture()
        try await f.liveApplication().test(.live) { client async throws in
            let connection = try RawConnection(port: try #require(client.port))
            func ask(_ request: String, until marker: String) async -> String {
                connection.send(request)
                return await connection.receive(timeout: 30, until: marker) ?? ""
            }
            func pause(_ type: Int) -> String {
                Self.formStatus("QUEUEPAUSE").replacingOccurrences(of: " HTTP", with: "&type=\(type)&pause_reason=rest HTTP")
            }
            _ = await ask(Self.formStatus("LOGIN"), until: "|||")
            for _ in 0..<3 {
                #expect(await ask(Self.formStatus(), until: "logout,").hasSuffix("1-idle,2-logout,"))
                #expect(await ask(pause(1), until: "BackMsg").contains("|Retuen|1|"))
                #expect(await ask(Self.soapStatus(), until: "</SOAP-ENV:Envelope>").contains("1-pause,2-logout,"))
                #expect(await ask(Self.soapStatus(), until: "</SOAP-ENV:Envelope>").contains("1-pause,2-logout,"))
                #expect(await ask(pause(2), until: "BackMsg").contains("|Retuen|1|"))
            }
        }
    }

    /// A client that closes its side right after its request still gets the answer.
    @Test
    func aHalfClosedClientGetsItsAnswer() async throws {
        let f = try await Fixture()
        try await f.liveApplication().test(.live) { client async throws in
            let connection = try RawConnection(port: try #require(client.port))
            connection.send(Self.formStatus("LOGIN") + Self.soapStatus())
            connection.closeWriting()
            let text = await connection.receive(timeout: 30, until: "</SOAP-ENV:Envelope>") ?? ""
            #expect(text.contains("BackMsg_04"))
            #expect(text.contains("1-idle,2-logout,"))
        }
    }

    /// The engine's board: current after a status read, stale after any change, so a read after
    /// a change goes to the actor.
    @Test
    func theBoardIsStaleAfterEveryChange() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            #expect(try await call(client, .http, "login", Fixture.agent8001).message == "BackMsg_04")
        }
        let engine = try await f.center.engine(team: 1)
        let directory = f.center.directory
        let agent = try #require(directory.agent(team: 1, number: "8001"))
        _ = await engine.agentStatus(agent: agent, directory: directory)
        #expect(engine.agentStatusFromBoard(agent: agent, directory: directory)?.extra?.value == "1-idle,2-logout,")
        #expect(engine.agentStatusFromBoard(agent: agent, directory: directory) != nil)
        _ = await engine.queuePause(agent: agent, pause: true, reason: "rest", dnd: "", logger: Fixture.quiet)
        #expect(engine.agentStatusFromBoard(agent: agent, directory: directory) == nil)
        _ = await engine.agentStatus(agent: agent, directory: directory)
        #expect(engine.agentStatusFromBoard(agent: agent, directory: directory) != nil)
    }

    /// Answers of the lean path are counted in `/metrics` as the routes' are.
    @Test
    func leanAnswersAreCounted() async throws {
        let f = try await Fixture()
        try await f.liveApplication().test(.live) { client async throws in
            let connection = try RawConnection(port: try #require(client.port))
            connection.send(Self.formStatus("LOGIN"))
            _ = await connection.receive(timeout: 30, until: "|||")
            for _ in 0..<3 {
                connection.send(Self.soapStatus())
                _ = await connection.receive(timeout: 30, until: "</SOAP-ENV:Envelope>")
            }
            connection.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let metrics = await connection.receive(timeout: 30, until: "coccd_soap_parses") ?? ""
            #expect(metrics.contains(#"coccd_requests_total{operation="agentStatus",interface="soap",code="1"} 3"#))
        }
    }
}

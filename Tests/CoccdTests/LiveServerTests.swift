import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The real socket: the server built exactly as `coccd serve` builds it, on an ephemeral port.
@Suite("live server", .serialized)
struct LiveServerTests {
    func liveApp(_ f: Fixture, requestTimeout: Int = 15) -> some ApplicationProtocol {
        f.liveApplication(requestTimeout: requestTimeout, maxHeaderBytes: 8 * 1024)
    }

    @Test
    func everyInterfaceOverTheSocket() async throws {
        let f = try await Fixture()
        try await liveApp(f).test(.live) { client async throws in
            for interface in Interface.allCases {
                #expect(try await call(client, interface, "login", Fixture.agent8001).message == "BackMsg_04")
            }
            // The advertised address follows the Host the client used.
            let connection = try RawConnection(port: try #require(client.port))
            connection.send("GET /coccwi.php?WSDL HTTP/1.1\r\nHost: cc.example.com:4580\r\n\r\n")
            let wsdl = await connection.receive(timeout: 30, until: "</definitions>") ?? ""
            #expect(wsdl.hasPrefix("HTTP/1.1 200 OK"))
            #expect(wsdl.contains("<soap:address location=\"http://cc.example.com:4580/coccwi.php\"/>"))
        }
    }

    @Test
    func expectContinueIsAnsweredAtOnce() async throws {
        let f = try await Fixture()
        try await liveApp(f).test(.live) { client async throws in
            let connection = try RawConnection(port: try #require(client.port))
            let body = "EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"
            connection.send(
                "POST /coccinterfaces HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
            let interim = try #require(await connection.receive(timeout: 30, until: "\r\n\r\n"))
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"))
            connection.send(body)
            let answer = try #require(await connection.receive(timeout: 30, until: "|||"))
            #expect(answer.hasPrefix("HTTP/1.1 200 OK"))
            #expect(answer.contains("|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&"))
        }
    }

    @Test
    func slowClientsAreDisconnected() async throws {
        let f = try await Fixture()
        try await liveApp(f, requestTimeout: 1).test(.live) { client async throws in
            let port = try #require(client.port)
            // A head that never ends.
            let slowHead = try RawConnection(port: port)
            slowHead.send("POST /coccwi.php HTTP/1.1\r\nHost: localhost\r\n")
            #expect(await slowHead.isClosed(within: 3))
            // A body that never ends.
            let slowBody = try RawConnection(port: port)
            slowBody.send("POST /coccinterfaces HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500\r\n\r\nEVENT=LOGIN")
            #expect(await slowBody.isClosed(within: 3))
            // Keep-alive still serves a prompt client several requests on one connection.
            let prompt = try RawConnection(port: port)
            for _ in 0..<2 {
                prompt.send(
                    "GET /coccinterfaces?EVENT=AGENTSTATUS&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                )
                #expect(await prompt.receive(timeout: 30, until: "logout,")?.contains("|Retuen|1|Retuen|BackMsg_43") == true)
            }
            // (The test client's own idle connection was rightly closed after a second of silence.)
        }
    }

    @Test
    func oversizedHeadersAreRefused() async throws {
        let f = try await Fixture()
        try await liveApp(f).test(.live) { client async throws in
            let connection = try RawConnection(port: try #require(client.port))
            connection.send(
                "GET /coccinterfaces?EVENT=LOGIN HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "a", count: 20_000))\r\n\r\n")
            let answer = await connection.receive(timeout: 2) ?? ""
            #expect(!answer.hasPrefix("HTTP/1.1 200"))
            #expect(await connection.isClosed(within: 2) || answer.hasPrefix("HTTP/1.1 4"))
            #expect(try await call(client, .soap, "login", Fixture.agent8001).message == "BackMsg_04")
        }
    }
}

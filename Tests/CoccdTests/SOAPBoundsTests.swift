import CoccOperations
import CoccSOAP
import CoccServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// SOAP bodies libxml2 must never see: attribute and namespace bombs, oversized bodies, and the
/// ways a body could hide markup from the scan that guards libxml2. Work is bounded by counting
/// parses (`coccd_soap_parses_total`, `SOAPEnvelopeReader.parses`), never by a clock.
@Suite("bounded SOAP parsing")
struct SOAPBoundsTests {
    /// The issue's attack: one operation element with thousands of attributes (libxml2 2.9
    /// checks each against all earlier ones). `count` fitting the SOAP body cap reaches the scan.
    static func attributeBomb(_ count: Int) -> String {
        Envelope.soap11(
            "<ns1:login xmlns:ns1=\"urn:coccwi\" " + (0..<count).map { "a\($0)=\"\"" }.joined(separator: " ") + ">"
                + Envelope.login8001 + "</ns1:login>")
    }

    static func namespaceBomb(_ count: Int) -> String {
        Envelope.soap11(
            "<ns1:login xmlns:ns1=\"urn:coccwi\" " + (0..<count).map { "xmlns:p\($0)=\"urn:p\($0)\"" }.joined(separator: " ") + ">"
                + Envelope.login8001 + "</ns1:login>")
    }

    @Test
    func attributeBombIsRefusedBeforeLibxml2() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let r = try await postSOAP(client, Self.attributeBomb(5_000))
            #expect(r.status == .internalServerError)
            #expect(r.body.contains("<faultcode>SOAP-ENV:Client</faultcode>"))
            #expect(r.body.contains("an element has more than 32 attributes"))
            // The issue's 250 KB, 28,000-attribute envelope does not even get read to its end.
            let big = Self.attributeBomb(28_000)
            #expect(big.utf8.count > 250_000)
            let tooLarge = try await postSOAP(client, big)
            #expect(tooLarge.status == .contentTooLarge && tooLarge.body.contains("larger than 65536 bytes"))
            #expect(try await soapParses(client) == 0)
            // The same server still answers a real request, which is parsed.
            #expect(try await call(client, .soap, "login", Fixture.agent8001).message == "BackMsg_04")
            #expect(try await soapParses(client) == 1)
        }
    }

    @Test
    func namespaceDeclarationBombIsRefusedBeforeLibxml2() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let r = try await postSOAP(client, Self.namespaceBomb(20))
            #expect(r.status == .internalServerError)
            #expect(r.body.contains("an element has more than 16 namespace declarations"))
            #expect(try await soapParses(client) == 0)
        }
    }

    @Test
    func oversizedBodyGetsAFaultAndIsNotParsed() async throws {
        var f = try await Fixture()
        f.configuration.soapMaxBodyBytes = 2_000
        let body = Envelope.soap11(
            "<ns1:login xmlns:ns1=\"urn:coccwi\">\(Envelope.login8001)<lang>\(String(repeating: "x", count: 2_000))</lang></ns1:login>")
        try await f.application().test(.router) { client async throws in
            let r = try await postSOAP(client, body)
            #expect(r.status == .contentTooLarge)
            #expect(r.body.contains("<faultcode>SOAP-ENV:Client</faultcode>") && r.body.contains("larger than 2000 bytes"))
            #expect(try await soapParses(client) == 0)
            // The form interface keeps its own, larger cap (imports with source=data need it).
            #expect(try await call(client, .http, "login", Fixture.agent8001.with(["x": String(repeating: "x", count: 2_000)])).code == 1)
        }
    }

    /// A PHP SoapClient rpc/encoded request: five namespace declarations, xsi:type everywhere.
    @Test
    func legitimateEnvelopesStillParse() async throws {
        let f = try await Fixture()
        let encoded = Envelope.soap11(
            """
            <ns1:agentStatus SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns1="urn:coccwi">\
            <orgidentity xsi:type="xsd:string">demo</orgidentity><usertype xsi:type="xsd:string">agent</usertype>\
            <user xsi:type="xsd:string">8001</user><pwdtype xsi:type="xsd:string">plaintext</pwdtype>\
            <password xsi:type="xsd:string">123456</password></ns1:agentStatus>
            """,
            extraNamespaces: "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\"")
        try await f.application().test(.router) { client async throws in
            for hostile in [Self.attributeBomb(2_000), Self.namespaceBomb(40), String(repeating: "<a>", count: 100)] {
                #expect(try await postSOAP(client, hostile).status == .internalServerError)
            }
            let r = try await postSOAP(client, encoded)
            #expect(r.status == .ok)
            #expect(try soapReturn(r.body) == "|Retuen|1|Retuen|BackMsg_43|Retuen|1-logout,2-logout,")
            #expect(try await soapParses(client) == 1)
        }
    }

    /// Every parse admitted is counted; with no room, the answer is `Server busy` and nothing is parsed.
    @Test
    func aFullParsePoolAnswersServerBusy() async throws {
        var f = try await Fixture()
        f.configuration.maxConcurrentParses = 0
        try await f.application().test(.router) { client async throws in
            let r = try await postSOAP(client, Envelope.soap11("<ns1:login xmlns:ns1=\"urn:coccwi\">\(Envelope.login8001)</ns1:login>"))
            #expect(r.status == .internalServerError)
            #expect(r.body.contains("<faultcode>SOAP-ENV:Server</faultcode>") && r.body.contains("Server busy"))
            #expect(try await soapParses(client) == 0)
            #expect(
                try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                    .contains("coccd_rejected_requests_total{interface=\"soap\",reason=\"busy\"} 1"))
        }
    }

    /// A parse runs on a pool thread, not the caller's; while the one admitted parse is stuck
    /// there, the next caller is refused at once instead of waiting. The time limit is only a
    /// safety net against a hang.
    @Test(.timeLimit(.minutes(1)))
    func parsesRunOnThePoolWithBoundedAdmission() async throws {
        let (entered, enter) = AsyncStream<String?>.makeStream()
        let release = DispatchSemaphore(value: 0)
        let reader = SOAPEnvelopeReader(onParse: {
            enter.yield(Thread.current.name)
            // Bounded, so that a parse wrongly run on the caller's threads fails the test, not hangs it.
            _ = release.wait(timeout: .now() + 20)
        })
        let pool = SOAPParsePool(threads: 1, capacity: 1)
        let body = try reader.screen(Array(Envelope.soap11("<ns1:login \(SOAPMarkupScanTests.ns1)>\(Envelope.login8001)</ns1:login>").utf8))
        async let first = pool.parse(body, with: reader)
        var threads = entered.makeAsyncIterator()
        let thread = await threads.next() ?? nil
        #expect(thread?.hasPrefix("TP-") == true, "parsed on \(thread ?? "an unnamed thread"), not on NIO's thread pool")
        await #expect(throws: SOAPFault(.server, "Server busy, try again")) { try await pool.parse(body, with: reader) }
        #expect(reader.parses == 1)
        release.signal()
        #expect(try await first.operation == "login")
    }
}

/// `coccd_soap_parses_total` from the application's `/metrics` (0 before the first parse).
func soapParses(_ client: some TestClientProtocol) async throws -> Int {
    let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
    let line = text.split(separator: "\n").first { $0.hasPrefix("coccd_soap_parses_total ") }
    return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
}

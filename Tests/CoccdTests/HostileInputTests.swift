import CoccEngine
import CoccOperations
import CoccSOAP
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

/// Hostile SOAP bodies: each gets the right fault, libxml2 sees only those the markup scan cannot
/// judge (`parsed`), and the server keeps answering.
@Suite("hostile input")
struct HostileInputTests {
    static let bodies: [(name: String, body: String, fault: String, parsed: Bool)] = [
        (
            "external entity (file)",
            """
            <?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
            <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>\
            <login><orgidentity>&e;</orgidentity></login></SOAP-ENV:Body></SOAP-ENV:Envelope>
            """, "DTD is not supported", false
        ),
        (
            "external entity (http)",
            """
            <?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/evil">]>
            <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>\
            <login><orgidentity>&e;</orgidentity></login></SOAP-ENV:Body></SOAP-ENV:Envelope>
            """, "DTD is not supported", false
        ),
        (
            "billion laughs",
            """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">\
            \((1...9).map { "<!ENTITY lol\($0) \"\(String(repeating: "&lol\($0 == 1 ? "" : String($0 - 1));", count: 10))\">" }.joined())]>
            <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><login><user>&lol9;</user></login></SOAP-ENV:Body></SOAP-ENV:Envelope>
            """, "DTD is not supported", false
        ),
        (
            "quadratic blow-up",
            """
            <?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "\(String(repeating: "a", count: 20_000))">]>
            <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><login><user>\(String(repeating: "&a;", count: 10_000))</user></login></SOAP-ENV:Body></SOAP-ENV:Envelope>
            """, "DTD is not supported", false
        ),
        (
            "plain DOCTYPE",
            """
            <?xml version="1.0"?><!doctype Envelope SYSTEM "http://127.0.0.1:9/soap.dtd">
            <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><login/></SOAP-ENV:Body></SOAP-ENV:Envelope>
            """, "DTD is not supported", false
        ),
        (
            "300-deep nesting",
            Envelope.soap11("<login>" + String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300) + "</login>"),
            "elements nested deeper than 32 levels", false
        ),
        ("truncated XML", String(Envelope.soap11("<login>\(Envelope.login8001)</login>").dropLast(30)), "not well-formed", false),
        ("not XML", "EVENT=LOGIN&orgidentity=demo", "not well-formed", false),
        (
            "wrong envelope namespace", "<e:Envelope xmlns:e=\"http://example.com/x\"><e:Body><login/></e:Body></e:Envelope>",
            "VersionMismatch", true
        ),
        (
            "unknown operation", Envelope.soap11("<ns1:rebootServer xmlns:ns1=\"urn:coccwi\"/>"),
            "Procedure &apos;rebootServer&apos; not present", true
        ),
        ("empty Body", Envelope.soap11(""), "SOAP Body is empty", true),
        ("no Body", "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"/>", "no SOAP Body", true),
        ("empty request", "", "Empty request body", false),
    ]

    /// No wall-clock bound (a loaded CI machine made one fail): the work is bounded instead, by
    /// asserting how many bodies reached libxml2.
    @Test(arguments: bodies.indices)
    func refusedWithAFault(_ index: Int) async throws {
        let (name, body, fault, parsed) = Self.bodies[index]
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let before = try await soapParses(client)
            let r = try await postSOAP(client, body)
            #expect(r.status == .internalServerError, "\(name)")
            #expect(r.body.contains("<SOAP-ENV:Fault>"), "\(name)")
            #expect(r.body.contains(fault), "\(name): \(r.body)")
            #expect(!r.body.contains("root:"), "\(name) leaked a file")
            #expect(try await soapParses(client) == before + (parsed ? 1 : 0), "\(name): refused before libxml2? \(!parsed)")
            // The server keeps answering.
            #expect(try await call(client, .soap, "login", Fixture.agent8001).message == "BackMsg_04")
        }
    }

    @Test
    func utf16DoctypeIsRefusedToo() async throws {
        let f = try await Fixture()
        let text =
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
            + Envelope.soap11("<login><user>&e;</user></login>").replacingOccurrences(
                of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "")
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let payload = ByteBuffer(bytes: bytes)
        try await f.application().test(.router) { client async throws in
            try await client.execute(uri: "/coccwi.php", method: .post, headers: [.contentType: "text/xml"], body: payload) { r in
                #expect(r.status == .internalServerError)
                #expect(String(buffer: r.body).contains("DTD is not supported"))
            }
        }
    }

    @Test
    func oversizedBodies() async throws {
        let f = try await Fixture()
        let big = Envelope.soap11("<login><user>" + String(repeating: "x", count: 2 * 1024 * 1024) + "</user></login>")
        try await f.application().test(.router) { client async throws in
            let r = try await postSOAP(client, big)
            #expect(r.status == .contentTooLarge)
            #expect(r.body.contains("larger than 65536 bytes"))
            try await client.execute(
                uri: "/coccinterfaces", method: .post, body: ByteBuffer(string: "EVENT=LOGIN&x=" + String(repeating: "y", count: 300_000))
            ) { r in
                #expect(r.status == .contentTooLarge)
            }
            #expect(try await call(client, .http, "login", Fixture.agent8001).message == "BackMsg_04")
        }
    }

    @Test
    func concurrentParsesAreBounded() throws {
        let reader = SOAPEnvelopeReader(maxConcurrentParses: 0)
        #expect(throws: SOAPFault(.server, "Server busy, try again")) {
            try reader.read(Array(Envelope.soap11("<login/>").utf8))
        }
    }
}

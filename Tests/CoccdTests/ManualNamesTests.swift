import CoccEngine
import CoccOperations
import CoccServer
import CoccSimulator
import CoccStorage
import CoccSwitch
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Names from the manual that deployed clients use although the WSDL does not advertise them:
/// the WSDL as a file in the webroot, and backCall's garbled SOAP name `deviceCall` (issue 10, item 9).
@Suite("the manual's file and operation names")
struct ManualNamesTests {
    @Test(arguments: [("/coccwi.wsdl", "/coccwi.php"), ("/astcccwi.wsdl", "/astcccwi.php")])
    func theWSDLIsServedAsAFile(_ file: String, _ endpoint: String) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let generated = try await client.execute(uri: "/coccwi.php?wsdl", method: .get) { String(buffer: $0.body) }
            try await client.execute(uri: file, method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/xml; charset=utf-8")
                let text = String(buffer: r.body)
                // The same document, advertising the endpoint beside the file.
                #expect(text.contains("<soap:address location=\"http://localhost\(endpoint)\"/>"))
                #expect(text.replacingOccurrences(of: endpoint, with: "/coccwi.php") == generated)
            }
        }
    }

    @Test
    func deviceCallIsBackCallAnsweredUnderItsOwnName() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let envelope = """
                <?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" \
                xmlns:ns1="urn:coccwi"><SOAP-ENV:Body><ns1:deviceCall><orgidentity>demo</orgidentity><exten>8003</exten>\
                <targetdn>13800000001</targetdn><callerid>4008001234</callerid><user>admin</user><password>admin123</password>\
                <pwdtype>plaintext</pwdtype></ns1:deviceCall></SOAP-ENV:Body></SOAP-ENV:Envelope>
                """
            try await client.execute(
                uri: "/coccwi.php", method: .post, headers: [.contentType: "text/xml; charset=utf-8"],
                body: ByteBuffer(string: envelope)
            ) { r in
                let xml = String(buffer: r.body)
                #expect(
                    xml.contains("<ns1:deviceCallResponse><return>|Retuen|1|Retuen|BackMsg_19</return></ns1:deviceCallResponse>"), "\(xml)")
            }
            await f.advance(1)
            // The callback really rang: the extension's leg exists on the switch.
            #expect(!(await f.pbx.liveLegs()).isEmpty)
            // And the WSDL still advertises only backCall.
            let wsdl = try await client.execute(uri: "/coccwi.php?wsdl", method: .get) { String(buffer: $0.body) }
            #expect(wsdl.contains("backCall") && !wsdl.contains("deviceCall"))
        }
    }
}

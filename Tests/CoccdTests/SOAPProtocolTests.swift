import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccSOAP
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("SOAP: versions, body styles, faults")
struct SOAPProtocolTests {
    @Test
    func soap11RpcLiteral() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let r = try await postSOAP(
                client, Envelope.soap11("<ns1:agentStatus xmlns:ns1=\"urn:coccwi\">\(Envelope.login8001)</ns1:agentStatus>"))
            #expect(r.status == .ok)
            #expect(r.contentType == "text/xml; charset=utf-8")
            #expect(
                r.body.contains(
                    "<SOAP-ENV:Body><ns1:agentStatusResponse><return>|Retuen|1|Retuen|BackMsg_43|Retuen|1-logout,2-logout,</return></ns1:agentStatusResponse>"
                ))
            #expect(r.body.contains("xmlns:ns1=\"urn:coccwi\""))
        }
    }

    @Test
    func soap12AnswersInSoap12() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let r = try await postSOAP(
                client, Envelope.soap12("<m:login xmlns:m=\"urn:coccwi\">\(Envelope.login8001)</m:login>"),
                contentType: "application/soap+xml; charset=utf-8; action=\"urn:coccwi#login\"")
            #expect(r.status == .ok)
            #expect(r.contentType == "application/soap+xml; charset=utf-8")
            #expect(r.body.contains("<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\""))
            #expect(
                try soapReturn(r.body).hasPrefix(
                    "|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&amp;".replacingOccurrences(of: "&amp;", with: "&")))
        }
    }

    @Test
    func rpcEncodedDocumentLiteralAndPositional() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            // rpc/encoded, as PHP SoapClient and gSOAP send it: xsi:type everywhere, SOAPAction quoted.
            let encoded = Envelope.soap11(
                """
                <ns1:agentStatus SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns1="urn:coccwi">\
                <orgidentity xsi:type="xsd:string">demo</orgidentity><usertype xsi:type="xsd:string">agent</usertype>\
                <user xsi:type="xsd:string">8001</user><pwdtype xsi:type="xsd:string">plaintext</pwdtype>\
                <password xsi:type="xsd:string">123456</password></ns1:agentStatus>
                """,
                extraNamespaces: "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
            var r = try await postSOAP(client, encoded, extraHeaders: [HTTPField.Name("SOAPAction")!: "\"urn:coccwi#agentStatus\""])
            #expect(try soapReturn(r.body) == "|Retuen|1|Retuen|BackMsg_43|Retuen|1-logout,2-logout,")
            // Positional arguments (non-WSDL PHP clients), in the SOAP prototype's order, no SOAPAction.
            r = try await postSOAP(
                client,
                Envelope.soap11(
                    """
                    <ns1:queueAction xmlns:ns1="urn:coccwi"><param0>1</param0><param1>agent</param1><param2>8001</param2>\
                    <param3>demo</param3><param4>2</param4><param5>plaintext</param5><param6>123456</param6></ns1:queueAction>
                    """))
            #expect(try soapReturn(r.body) == "|Retuen|1|Retuen|2:success")
            // document/literal wrapped with a default namespace; children unqualified.
            r = try await postSOAP(
                client,
                Envelope.soap11(
                    "<agentStatus xmlns=\"urn:coccwi\">\(Envelope.login8001.replacingOccurrences(of: "<orgidentity>", with: "<orgidentity xmlns=\"\">"))</agentStatus>"
                ))
            // (the positional call above checked 8001 in to group 2)
            #expect(try soapReturn(r.body) == "|Retuen|1|Retuen|BackMsg_43|Retuen|1-logout,2-idle,")
            // PHP dispatches function names case-insensitively.
            r = try await postSOAP(
                client, Envelope.soap11("<ns1:AgentStatus xmlns:ns1=\"urn:coccwi\">\(Envelope.login8001)</ns1:AgentStatus>"))
            #expect(r.body.contains("<ns1:agentStatusResponse><return>|Retuen|1|"))
            // xsi:nil reads as empty; missing parameters are empty.
            r = try await postSOAP(
                client,
                Envelope.soap11(
                    """
                    <ns1:login xmlns:ns1="urn:coccwi" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><orgidentity>demo</orgidentity>\
                    <usertype>agent</usertype><user>8001</user><pwdtype>plaintext</pwdtype><password xsi:nil="true">123456</password></ns1:login>
                    """))
            #expect(try soapReturn(r.body) == "|Retuen|2|Retuen|BackMsg_01")
        }
    }

    @Test
    func responseUsesTheRequestsNamespace() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let r = try await postSOAP(
                client,
                Envelope.soap11("<o:agentStatus xmlns:o=\"http://old.vendor.example/coccwi\">\(Envelope.login8001)</o:agentStatus>"),
                path: "/astcccwi.php")
            #expect(r.body.contains("xmlns:ns1=\"http://old.vendor.example/coccwi\""))
            #expect(r.body.contains("<ns1:agentStatusResponse><return>"))
        }
    }

    @Test
    func faults() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            var r = try await postSOAP(client, Envelope.soap11("<ns1:makeCoffee xmlns:ns1=\"urn:coccwi\"/>"))
            #expect(r.status == .internalServerError)
            #expect(r.contentType == "text/xml; charset=utf-8")
            #expect(
                r.body.contains(
                    "<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>Procedure &apos;makeCoffee&apos; not present</faultstring>"
                ))
            r = try await postSOAP(client, Envelope.soap12("<m:makeCoffee xmlns:m=\"urn:coccwi\"/>"), contentType: "application/soap+xml")
            #expect(r.status == .badRequest)
            #expect(r.contentType == "application/soap+xml; charset=utf-8")
            #expect(r.body.contains("<env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang=\"en\">"))
            r = try await postSOAP(client, "<Envelope xmlns=\"http://example.com/not-soap\"><Body><login/></Body></Envelope>")
            #expect(r.status == .internalServerError)
            #expect(r.body.contains("<faultcode>SOAP-ENV:VersionMismatch</faultcode>"))
            r = try await postSOAP(client, Envelope.soap11(""))
            #expect(r.status == .internalServerError && r.body.contains("SOAP Body is empty"))
            r = try await postSOAP(client, Envelope.soap12(""), contentType: "application/soap+xml")
            #expect(r.status == .badRequest && r.body.contains("env:Sender"))
        }
    }

    @Test
    func outputIsEscapedAndStrippedOfControlCharacters() async throws {
        let f = try await Fixture()
        try await f.admin.setAgent(team: "demo", number: "8001", name: "R&D <\u{1}boss>\u{7}")
        try await f.center.reloadDirectoryIfChanged(logger: Logger(label: "test"))
        try await f.application().test(.router) { client async throws in
            let r = try await postSOAP(
                client, Envelope.soap11("<ns1:agentRealtime xmlns:ns1=\"urn:coccwi\">\(Envelope.login8001)</ns1:agentRealtime>"))
            #expect(r.body.contains("<return>|Retuen|1|Retuen|R&amp;D &lt;boss&gt;|8001|logout|"))
            #expect(!r.body.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        }
    }
}

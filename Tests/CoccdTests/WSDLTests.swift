import CoccCatalogue
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
import Testing

@Suite("WSDL")
struct WSDLTests {
    /// The committed copy is what `coccd wsdl --public-url http://127.0.0.1:4580` prints.
    @Test
    func committedCopyIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("wsdl/coccwi.wsdl"), encoding: .utf8)
        let generated = WSDLGenerator(namespace: "urn:coccwi", location: "http://127.0.0.1:4580/coccwi.php")
            .generate(operations: Catalogue.standard.descriptors)
        #expect(committed == generated, "wsdl/coccwi.wsdl is stale: run `swift run coccd wsdl > wsdl/coccwi.wsdl`")
    }

    @Test
    func servedVariants() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            for query in ["wsdl", "WSDL", "wsdl=rpc-literal", "Wsdl="] {
                try await client.execute(uri: "/coccwi.php?\(query)", method: .get) { r in
                    #expect(r.status == .ok)
                    #expect(r.headers[.contentType] == "text/xml; charset=utf-8")
                    let text = String(buffer: r.body)
                    // The address comes from the request's Host (the router test client sends "localhost").
                    #expect(text.contains("<soap:address location=\"http://localhost/coccwi.php\"/>"))
                    #expect(text.contains("<soap:binding style=\"rpc\""))
                    #expect(text.contains("<soap:body use=\"literal\" namespace=\"urn:coccwi\"/>"))
                }
            }
            try await client.execute(uri: "/coccwi.php?wsdl=rpc-encoded", method: .get) { r in
                #expect(String(buffer: r.body).contains("use=\"encoded\""))
            }
            try await client.execute(uri: "/coccwi.php?wsdl=doc-literal", method: .get) { r in
                let text = String(buffer: r.body)
                #expect(text.contains("<soap:binding style=\"document\""))
                #expect(text.contains("<xsd:element name=\"loginResponse\"><xsd:complexType><xsd:sequence><xsd:element name=\"return\""))
            }
            try await client.execute(uri: "/coccwi.php?wsdl=fancy", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/coccwi.php?wsdl", method: .head) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/xml; charset=utf-8")
            }
        }
    }

    @Test
    func describesExactlyTheCatalogue() {
        let text = WSDLGenerator(namespace: "urn:x", location: "http://h/coccwi.php").generate(operations: Catalogue.standard.descriptors)
        for d in Catalogue.standard.descriptors {
            guard let name = d.soapName else { continue }
            #expect(text.contains("<operation name=\"\(name)\" parameterOrder=\"\(d.soapParameters.joined(separator: " "))\">"))
        }
        #expect(
            text.contains(
                "<operation name=\"importWS\" parameterOrder=\"orgidentity usertype user pwdtype password modeltype model_id source context source_user source_pwd exetime delrow phone_field priority_field dialtime_field emptyagent resetstatus dupway dupdiallist changepackage\">"
            ))
        #expect(
            text.components(separatedBy: "<soap:operation ").count - 1 == Catalogue.standard.descriptors.filter { $0.soapName != nil }.count
        )
    }

    @Test
    func publicURLWins() async throws {
        var f = try await Fixture()
        f.configuration.publicURL = "https://cti.example.org/"
        try await f.application().test(.router) { client async throws in
            try await client.execute(uri: "/astcccwi.php?wsdl", method: .get) { r in
                #expect(String(buffer: r.body).contains("<soap:address location=\"https://cti.example.org/astcccwi.php\"/>"))
            }
        }
    }
}

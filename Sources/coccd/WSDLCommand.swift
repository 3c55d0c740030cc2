import ArgumentParser
import CoccCatalogue
import CoccSOAP

/// `coccd wsdl`: prints the WSDL generated from the catalogue (how wsdl/coccwi.wsdl is made).
struct WSDLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wsdl", abstract: "Print the service's WSDL.")

    @Option(name: .customLong("public-url"), help: "Base URL for soap:address.") var publicURL = "http://127.0.0.1:4580"
    @Option(name: .customLong("soap-namespace")) var soapNamespace = "urn:coccwi"
    @Option(help: "rpc-literal, rpc-encoded or doc-literal.") var style = "rpc-literal"

    func run() async throws {
        guard let style = WSDLGenerator.Style(rawValue: style) else { throw ValidationError("unknown style \(style)") }
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        print(
            WSDLGenerator(namespace: soapNamespace, location: base + "/coccwi.php")
                .generate(operations: Catalogue.standard.descriptors, style: style), terminator: "")
    }
}

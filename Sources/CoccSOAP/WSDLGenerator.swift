public import CoccOperations

/// Generates the service's WSDL from the operation catalogue.
///
/// All three styles describe one wire shape: `<op>` in the service namespace holding
/// unqualified string arguments, answered by `<opResponse><return>`. rpc/literal is the
/// default (PHP, zeep, gSOAP, .NET, JAX-WS); rpc/encoded and document/literal wrapped are
/// there for the tools that want them. One SOAP 1.1 port only: a second 1.2 port makes .NET
/// clients ask which endpoint to use, and 1.2 requests are accepted anyway.
/// ```swift
/// WSDLGenerator(namespace: "urn:coccwi", location: "http://127.0.0.1:4580/coccwi.php")
///     .generate(operations: catalogue.descriptors, style: .rpcLiteral)
/// ```
public struct WSDLGenerator: Sendable {
    public enum Style: String, Sendable, CaseIterable {
        case rpcLiteral = "rpc-literal"
        case rpcEncoded = "rpc-encoded"
        case documentLiteral = "doc-literal"
    }

    public var namespace: String
    public var location: String
    public var serviceName: String

    public init(namespace: String, location: String, serviceName: String = "coccwi") {
        self.namespace = namespace
        self.location = location
        self.serviceName = serviceName
    }

    public func generate(operations: [OperationDescriptor], style: Style = .rpcLiteral) -> String {
        let ops = operations.compactMap { op in op.soapName.map { (name: $0, op: op) } }
        let ns = XMLText.escape(namespace)
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <definitions name="\(serviceName)" targetNamespace="\(ns)" xmlns:tns="\(ns)"
              xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
              xmlns:xsd="http://www.w3.org/2001/XMLSchema"\(style == .rpcEncoded ? "\n  xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\"" : "")>
              <documentation>coccd COCC integration interface (\(style.rawValue)). Every operation answers a string such as |Retuen|1|Retuen|BackMsg_04.</documentation>

            """
        if style == .documentLiteral {
            out += "  <types>\n    <xsd:schema targetNamespace=\"\(ns)\" elementFormDefault=\"unqualified\">\n"
            for (name, op) in ops {
                out += "      <xsd:element name=\"\(name)\"><xsd:complexType><xsd:sequence>\n"
                for p in op.soapParameters {
                    out += "        <xsd:element name=\"\(p)\" type=\"xsd:string\" minOccurs=\"0\"/>\n"
                }
                out += "      </xsd:sequence></xsd:complexType></xsd:element>\n"
                out += "      <xsd:element name=\"\(name)Response\"><xsd:complexType><xsd:sequence>"
                out += "<xsd:element name=\"return\" type=\"xsd:string\"/></xsd:sequence></xsd:complexType></xsd:element>\n"
            }
            out += "    </xsd:schema>\n  </types>\n"
        }
        for (name, op) in ops {
            if style == .documentLiteral {
                out += "  <message name=\"\(name)Request\"><part name=\"parameters\" element=\"tns:\(name)\"/></message>\n"
                out += "  <message name=\"\(name)Response\"><part name=\"parameters\" element=\"tns:\(name)Response\"/></message>\n"
            } else {
                out += "  <message name=\"\(name)Request\">\n"
                for p in op.soapParameters { out += "    <part name=\"\(p)\" type=\"xsd:string\"/>\n" }
                out += "  </message>\n"
                out += "  <message name=\"\(name)Response\"><part name=\"return\" type=\"xsd:string\"/></message>\n"
            }
        }
        out += "  <portType name=\"\(serviceName)PortType\">\n"
        for (name, op) in ops {
            out +=
                "    <operation name=\"\(name)\"\(style == .documentLiteral ? "" : " parameterOrder=\"\(op.soapParameters.joined(separator: " "))\"")>"
            out += "<documentation>\(XMLText.escape(op.summary))</documentation>"
            out += "<input message=\"tns:\(name)Request\"/><output message=\"tns:\(name)Response\"/></operation>\n"
        }
        out += "  </portType>\n"
        let bindingStyle = style == .documentLiteral ? "document" : "rpc"
        let body: String =
            switch style {
            case .rpcLiteral: "<soap:body use=\"literal\" namespace=\"\(ns)\"/>"
            case .rpcEncoded: "<soap:body use=\"encoded\" namespace=\"\(ns)\" encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"/>"
            case .documentLiteral: "<soap:body use=\"literal\"/>"
            }
        out += "  <binding name=\"\(serviceName)Binding\" type=\"tns:\(serviceName)PortType\">\n"
        out += "    <soap:binding style=\"\(bindingStyle)\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n"
        for (name, _) in ops {
            out += "    <operation name=\"\(name)\"><soap:operation soapAction=\"\(ns)#\(name)\" style=\"\(bindingStyle)\"/>"
            out += "<input>\(body)</input><output>\(body)</output></operation>\n"
        }
        out += "  </binding>\n"
        out += "  <service name=\"\(serviceName)\">\n    <port name=\"\(serviceName)Port\" binding=\"tns:\(serviceName)Binding\">"
        out += "<soap:address location=\"\(XMLText.escape(location))\"/></port>\n  </service>\n</definitions>\n"
        return out
    }
}

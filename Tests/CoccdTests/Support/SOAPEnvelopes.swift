import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// Raw SOAP exchanges for protocol tests.
struct SOAPExchange {
    var status: HTTPResponse.Status
    var contentType: String?
    var body: String
}

func postSOAP(
    _ client: some TestClientProtocol, _ body: String, path: String = "/coccwi.php",
    contentType: String = "text/xml; charset=utf-8", extraHeaders: HTTPFields = [:]
) async throws -> SOAPExchange {
    var headers: HTTPFields = [.contentType: contentType]
    headers.append(contentsOf: extraHeaders)
    return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { r in
        SOAPExchange(status: r.status, contentType: r.headers[.contentType], body: String(buffer: r.body))
    }
}

enum Envelope {
    static func soap11(_ inner: String, extraNamespaces: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" \(extraNamespaces)><SOAP-ENV:Body>\(inner)</SOAP-ENV:Body></SOAP-ENV:Envelope>
        """
    }

    static func soap12(_ inner: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header/><env:Body>\(inner)</env:Body></env:Envelope>
        """
    }

    static let login8001 =
        "<orgidentity>demo</orgidentity><usertype>agent</usertype><user>8001</user><pwdtype>plaintext</pwdtype><password>123456</password>"
}

public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One ARI REST call: method, path under `/ari`, query parameters (ARI takes its arguments
/// in the query string).
public struct ARIRequest: Sendable, Equatable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var query: [(String, String)]

    public init(_ method: String, _ path: String, _ query: [(String, String)] = []) {
        self.method = method
        self.path = path
        self.query = query
    }

    public static func == (a: ARIRequest, b: ARIRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.query.map { "\($0.0)=\($0.1)" } == b.query.map { "\($0.0)=\($0.1)" }
    }

    public var description: String {
        "\(method) \(path)" + (query.isEmpty ? "" : "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&"))
    }

    /// Percent-encodes a query value: everything but RFC 3986 unreserved characters.
    static func escape(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

/// What ARI answered: the status and the body (JSON, or a file's bytes).
public struct ARIResponse: Sendable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data = Data()) {
        self.status = status
        self.body = body
    }

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    var jsonArray: [[String: Any]]? { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] }
    var isSuccess: Bool { (200..<300).contains(status) }
}

/// How the driver reaches ARI's REST side: over HTTP in production, a recording fake in tests.
public protocol ARITransport: Sendable {
    func send(_ request: ARIRequest) async throws -> ARIResponse
}

/// ARI over AsyncHTTPClient, with HTTP Basic credentials and a deadline on every call.
public struct HTTPARITransport: ARITransport {
    let client: HTTPClient
    let base: String
    let authorization: String
    let timeout: TimeAmount

    public init(configuration: AsteriskConfiguration, client: HTTPClient = .shared) {
        self.client = client
        var base = configuration.url
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base + "/ari"
        authorization = "Basic " + Data("\(configuration.username):\(configuration.password)".utf8).base64EncodedString()
        timeout = .milliseconds(Int64(configuration.requestTimeoutSeconds * 1000))
    }

    public func send(_ request: ARIRequest) async throws -> ARIResponse {
        let query = request.query.map { "\(ARIRequest.escape($0.0))=\(ARIRequest.escape($0.1))" }.joined(separator: "&")
        var http = HTTPClientRequest(url: base + request.path + (query.isEmpty ? "" : "?" + query))
        http.method = HTTPMethod(rawValue: request.method)
        http.headers.add(name: "Authorization", value: authorization)
        let response = try await client.execute(http, timeout: timeout)
        // Stored recordings are the largest bodies ARI sends: 64 MiB is over an hour of 8 kHz audio.
        let body = try await response.body.collect(upTo: 64 << 20)
        return ARIResponse(status: Int(response.status.code), body: Data(buffer: body))
    }
}

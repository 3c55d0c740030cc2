public import AsyncHTTPClient
public import CoccOperations
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Sends operations to the node that owns their team, over AsyncHTTPClient's pooled
/// keep-alive connections, authenticated with the cluster's shared secret.
///
/// ```swift
/// let forwarder = OperationForwarder(secret: try await leases.clusterSecret())
/// switch try await forwarder.forward(operation, to: "http://10.0.0.6:4580", timeout: .seconds(5)) { ... }
/// ```
public struct OperationForwarder: Sendable {
    /// The header that carries the secret (never logged).
    public static let secretHeader = "X-Coccd-Cluster-Key"
    /// Where a node takes forwarded operations.
    public static let path = "/cluster/v1/operation"

    let secret: String
    public let client: HTTPClient

    /// Its own pool, unlike webhooks': a node that died must fail a forward at once (connection
    /// refused), so that the caller looks for the team's next owner, rather than being retried
    /// with backoff until the request's deadline (AsyncHTTPClient's default).
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(1), read: .seconds(60)))
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(secret: String, client: HTTPClient = OperationForwarder.client) {
        self.secret = secret
        self.client = client
    }

    public enum Outcome: Sendable, Equatable {
        case reply(Reply)
        /// The node does not own the team; it names who it thinks does ("" if nobody).
        case elsewhere(String)
        /// The node answered but cannot serve it now (its store is away, it is stopping).
        case unavailable(String)
    }

    /// Throws when the node cannot be reached (connection refused, timeout): the caller then
    /// treats the node as gone for a moment and asks where the team is again.
    public func forward(_ operation: ForwardedOperation, to baseURL: String, requestID: String?, timeout: Duration) async throws -> Outcome
    {
        var request = HTTPClientRequest(url: baseURL.trimmingSuffix("/") + Self.path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: Self.secretHeader, value: secret)
        if let requestID { request.headers.add(name: "X-Request-Id", value: requestID) }
        request.body = .bytes(ByteBuffer(data: try operation.encoded()))
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let response = try await client.execute(request, timeout: .milliseconds(max(1, milliseconds)))
        let body = try await response.body.collect(upTo: 4 << 20)
        let data = Data(buffer: body)
        switch response.status.code {
        case 200:
            let answer = try ForwardedReply.decode(data)
            guard let reply = answer.reply else { return .elsewhere(answer.elsewhere ?? "") }
            return .reply(reply)
        case 409:
            return .elsewhere((try? ForwardedReply.decode(data))?.elsewhere ?? "")
        default:
            return .unavailable("status \(response.status.code): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var out = self
        while out.hasSuffix(suffix) { out.removeLast(suffix.count) }
        return out
    }
}

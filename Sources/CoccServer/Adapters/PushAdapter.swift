import CoccEngine
import CoccOperations
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Real-time events for browser pages, in the long-poll protocol deployed pages already speak
/// (the nginx HTTP push module's subscriber side, compat-notes §1):
///
/// 1. `GET /getccdate/getccdate` → `{"ccdate": "<HTTP-date>"}`, the server's time;
/// 2. `GET /agentindesks/agentpull/<orgidentity>-<agent>-<password>` with `If-None-Match`
///    (the `Etag` last received: an event id) or `If-Modified-Since` (a time) as the cursor.
///    It answers the agent's events after the cursor, one chapter-6 message per line, with the
///    new `Etag` and `Last-Modified`; with none before the timeout it answers 304.
/// Events come from the durable log, so a page that polls again with its cursor loses nothing
/// and receives nothing twice.
struct PushAdapter: Sendable {
    let dispatcher: OperationDispatcher
    static let batch = 100

    var center: CallCenter { dispatcher.center }

    func register(on router: Router<CoccRequestContext>) {
        router.get("/getccdate/getccdate") { request, _ in
            let json = "{\"ccdate\":\"\(HTTPDate.format(Date()))\"}"
            if let callback = request.uri.queryParameters["callback"].map(String.init), CJIAdapter.isSafeCallback(callback) {
                return Response(
                    status: .ok, headers: [.contentType: "application/javascript; charset=utf-8", .cacheControl: "no-cache"],
                    body: .init(byteBuffer: ByteBuffer(string: "/**/\(callback)(\(json));")))
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.get("/agentindesks/agentpull/:channel") { request, context in
            let endpoint = try await EndpointRequest(request, context: context, bodyLimit: 0)
            return try await self.poll(endpoint, channel: context.parameters.get("channel") ?? "", logger: context.logger).response
        }
        // A token instead of a password in the channel URL: the credentials in a POST form (or,
        // for pages written before the form, in the query). An agent's token also names its
        // long-poll channel; an account's opens the team's stream and the live view.
        router.get("/coccinterface/pushtoken") { request, context in try await self.token(request, context) }
        router.post("/coccinterface/pushtoken") { request, context in try await self.token(request, context) }
        router.get("/coccinterface/cocc_nginx_http_push.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/javascript; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: PushPlugin.script)))
        }
        router.get("/coccinterface/cocc_nginx_http_push.html") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: PushPlugin.page)))
        }
    }

    func token(_ request: Request, _ context: CoccRequestContext) async throws -> Response {
        var p = request.queryDictionary
        if request.method == .post {
            let body = try await request.body.collect(upTo: 16 * 1024)
            p.merge(FormDecoding.decode(body.readableBytesView)) { _, form in form }
        }
        let credentials = Credentials(
            orgidentity: p["orgidentity"] ?? "", usertype: p["usertype"] ?? "agent", user: p["user"] ?? "",
            pwdtype: p["pwdtype"] ?? "plaintext", password: p["password"] ?? "")
        let tokens = center.authenticator.tokens
        // A token is had for a password, not for another token: a stolen one ends when it expires.
        guard credentials.pwdtype.lowercased() != "token",
            case .success(let principal) = center.authenticator.authenticate(
                credentials, from: context.clientAddress, in: center.directory, logger: context.logger)
        else {
            return Self.text(.forbidden, "bad credentials\n").response
        }
        let token = tokens.issue(for: principal, now: center.clock())
        var json = "{\"token\":\(JSONString.quote(token))"
        if case .agent = principal { json += ",\"channel\":\(JSONString.quote("token-" + token))" }
        json += ",\"expires_in\":\(Int(AccessTokens.lifetime))}"
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// `<orgidentity>-<agent>-<password>`, the password in clear or as its MD5.
    func authenticate(_ raw: String, from address: String, directory: Directory, logger: Logger) -> Agent? {
        guard let channel = PushChannel.parse(raw) else { return nil }
        // The deployed plugin sends the password as configured: clear text, or its MD5. The MD5
        // form is tried first when it looks like one, so that a page polling with it is answered
        // from the credential cache instead of failing the clear-text check on every poll.
        let forms = PasswordHash.isMD5Hex(channel.password) ? ["md5", "plaintext"] : ["plaintext"]
        var result: Result<Principal, Authenticator.Failure> = .failure(.message(.agentOrPasswordWrong))
        for pwdtype in forms {
            let credentials = Credentials(
                orgidentity: channel.team, usertype: "agent", user: channel.agent, pwdtype: pwdtype, password: channel.password)
            result = center.authenticator.authenticate(credentials, from: address, in: directory, logger: logger)
            if case .success = result { break }
        }
        guard case .success(.agent(let agent)) = result else { return nil }
        return agent
    }

}

/// A long-poll channel name: `<orgidentity>-<agent>-<password>`.
public struct PushChannel: Sendable, Equatable {
    public var team: String
    public var agent: String
    public var password: String

    public init(team: String, agent: String, password: String) {
        self.team = team
        self.agent = agent
        self.password = password
    }

    /// The team may contain dashes, so the name is split from the right (a password with a dash
    /// cannot be used in this form, as in the original product).
    public static func parse(_ raw: String) -> PushChannel? {
        let text = raw.removingPercentEncoding ?? raw
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3 else { return nil }
        let team = parts.dropLast(2).joined(separator: "-")
        guard !team.isEmpty, !parts[parts.count - 2].isEmpty else { return nil }
        return PushChannel(team: team, agent: parts[parts.count - 2], password: parts[parts.count - 1])
    }
}

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
        router.get("/agentindesks/agentpull/:channel") { request, context in try await self.pull(request, context) }
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
            return Self.text(.forbidden, "bad credentials\n")
        }
        let token = tokens.issue(for: principal, now: center.clock())
        var json = "{\"token\":\(JSONString.quote(token))"
        if case .agent = principal { json += ",\"channel\":\(JSONString.quote("token-" + token))" }
        json += ",\"expires_in\":\(Int(AccessTokens.lifetime))}"
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    func pull(_ request: Request, _ context: CoccRequestContext) async throws -> Response {
        let raw = context.parameters.get("channel") ?? ""
        let directory = center.directory
        let agent: Agent
        if raw.hasPrefix("token-") {
            guard case .agent(let found) = center.authenticator.principal(forToken: String(raw.dropFirst(6)), in: directory) else {
                return Self.text(.forbidden, "bad or expired token\n")
            }
            agent = found
        } else {
            guard let found = try authenticate(raw, from: context.clientAddress, directory: directory, logger: context.logger) else {
                return Self.text(.forbidden, "bad credentials\n")
            }
            agent = found
        }
        return try await poll(agent: agent, request: request)
    }

    /// `<orgidentity>-<agent>-<password>`, the password in clear or as its MD5.
    func authenticate(_ raw: String, from address: String, directory: Directory, logger: Logger) throws -> Agent? {
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

    func poll(agent: Agent, request: Request) async throws -> Response {
        let store = center.store
        var cursor: Int64
        if let etag = request.headers[.ifNoneMatch].map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/")) }),
            let id = Int64(etag)
        {
            cursor = id
        } else if let since = request.headers[.ifModifiedSince].flatMap(HTTPDate.parse) {
            cursor = try await store.lastEventID(teamID: agent.teamID, atOrBefore: since)
        } else {
            cursor = try await center.latestEventID(team: agent.teamID)
        }
        let format = PushLineFormat.requested(
            by: request, default: PushLineFormat(rawValue: dispatcher.configuration.pushLineFormat) ?? .message)
        if try await EventRetention.isStale(cursor: cursor, teamID: agent.teamID, store: store) {
            // Events after this cursor are gone: say so, and move the page to the present.
            let latest = try await center.latestEventID(team: agent.teamID)
            return Self.lines([format.render(EventRetention.resyncMessage(eventid: latest))], etag: latest, at: Date())
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(dispatcher.configuration.pollTimeoutSeconds * 1000))
        while true {
            let teamLatest = try await center.latestEventID(team: agent.teamID)
            let events = try await center.events(team: agent.teamID, after: cursor, agent: agent.id, limit: Self.batch)
            if let last = events.last {
                return Self.lines(events.map { format.render($0.message) }, etag: last.eventid, at: last.at)
            }
            // Nothing for this agent up to the team's latest event: continue from there.
            cursor = max(cursor, teamLatest)
            let remaining = deadline - ContinuousClock.now
            // A graceful stop ends waiting polls at once: the page polls again with its cursor.
            guard remaining > .zero, !Task.isCancelled, !Task.isShuttingDownGracefully else {
                let at = try await store.events(teamID: agent.teamID, after: cursor - 1, limit: 1, agentID: nil).first?.at ?? Date()
                return Response(
                    status: .notModified, headers: [.eTag: String(cursor), .lastModified: HTTPDate.format(at), .cacheControl: "no-cache"])
            }
            try? await cancelWhenGracefulShutdown {
                await center.eventBus.wait(team: agent.teamID, agent: agent.id, after: teamLatest, timeout: remaining)
            }
        }
    }

    /// A 200 answer: one line per message, `\r\n` between them, and the cursor to send back.
    static func lines(_ lines: [String], etag: Int64, at: Date) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache", .eTag: String(etag),
                .lastModified: HTTPDate.format(at),
            ],
            body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\r\n"))))
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
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

/// RFC 7231 dates: `Wed, 25 Nov 2026 08:50:13 GMT`.
enum HTTPDate {
    static func formatter() -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f
    }

    /// Every long-poll answer carries one (Last-Modified) and most polls send one back
    /// (If-Modified-Since): making a DateFormatter for each was 15% of the CPU at 10,000
    /// subscribers (Benchmarks/push_benchmark.sh), so the usual form is done by hand.
    static func format(_ date: Date) -> String {
        HTTPDateCache.format(Int(date.timeIntervalSince1970.rounded(.down)))
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` by hand; any other spelling through the formatter.
    static func parse(_ text: String) -> Date? {
        fastParse(text) ?? formatter().date(from: text)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func fastParse(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int32(parts[1]), let month = months.firstIndex(where: { $0 == parts[2] }), let year = Int32(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int32(clock[0]), let minute = Int32(clock[1]), let second = Int32(clock[2]),
            (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        var fields = tm()
        fields.tm_year = year - 1900
        fields.tm_mon = Int32(month)
        fields.tm_mday = day
        fields.tm_hour = hour
        fields.tm_min = minute
        fields.tm_sec = second
        return Date(timeIntervalSince1970: TimeInterval(timegm(&fields)))
    }
}

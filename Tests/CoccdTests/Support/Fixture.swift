import CoccCatalogue
import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccServer
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let now: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { now = Mutex(start) }
    func callAsFunction() -> Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
}

/// What any interface answered, in one shape: code, message, and the third field.
struct Outcome: Equatable, CustomStringConvertible {
    var code: Int
    var message: String
    var extra: String?
    var description: String { "(\(code), \(message)\(extra.map { ", \($0)" } ?? ""))" }
}

/// A data directory with the demo team (and a second team, `other`), a call center and a router.
struct Fixture {
    let directory: URL
    let store: SQLiteStore
    let admin: DirectoryAdmin
    let clock = TestClock()
    /// The simulated switch on manual time: nothing happens until ``advance(_:)``.
    let pbx: SimulatedSwitch
    let center: CallCenter
    var configuration = ServerConfiguration()

    init(rules: SimulationRules = Fixture.rules, ringTimeout: Duration = .seconds(20)) async throws {
        pbx = SimulatedSwitch(rules: rules, timing: .manual)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("coccd.sqlite").path)
        configuration.dataDirectory = directory.path
        admin = DirectoryAdmin(store: store, rounds: 500)
        _ = try await admin.seedDemoIfEmpty()
        // A second team, to prove isolation: its group 3 and agent 8001 share numbers with demo's.
        try await admin.load(
            DirectoryFile(teams: [
                .init(
                    identity: "other", name: "Other", id: 2,
                    accounts: [.init(username: "boss", password: "bosspw", surname: "Boss")],
                    agents: [.init(number: "8001", name: "Other 8001", password: "otherpw", extension: "9001", account: nil)],
                    extensions: ["9001"],
                    groups: [
                        .init(id: 3, name: "Other queue", queueNumber: "6001", members: [.init(agent: "8001", kind: .static, admin: true)])
                    ]
                )
            ]))
        let clock = self.clock
        // Leg ids from 19866, as in the manual's outbound example.
        center = try await CallCenter(
            store: store, switch: pbx, clock: { clock() }, legRegistry: LegRegistry(firstID: 19866), logger: Fixture.quiet,
            recordingsDirectory: directory.appendingPathComponent("recordings").path, offerRingTimeout: ringTimeout)
        consumeNotifications(of: center)
    }

    /// The server exactly as `coccd serve` builds it, on an ephemeral port, for `.live` tests.
    func liveApplication(pollTimeout: Double = 30, requestTimeout: Int = 15, maxHeaderBytes: Int = 16 * 1024) -> some ApplicationProtocol {
        var configuration = self.configuration
        configuration.port = 0
        configuration.pollTimeoutSeconds = pollTimeout
        configuration.requestTimeoutSeconds = requestTimeout
        configuration.maxHeaderBytes = maxHeaderBytes
        return CoccApplication.make(configuration: configuration, center: center, logger: Fixture.quiet)
    }

    /// Extensions answer after 1 s; 13800000001 answers after 2 s, 13800000002 is busy,
    /// 13800000003 never answers, 13800000004 hangs up 5 s after answering.
    static var rules: SimulationRules { .demo }

    static var quiet: Logger {
        var logger = Logger(label: "coccd-test")
        logger.logLevel = .warning
        return logger
    }

    /// Moves the test clock and the switch's virtual time together.
    func advance(_ seconds: Double) async {
        clock.advance(seconds)
        await pbx.advance(by: .milliseconds(Int64(seconds * 1000)))
    }

    /// Returns once the engine has handled every switch notification so far (a command's
    /// hangups reach the engine after it returns, as with a real PBX).
    func settle() async {
        await pbx.notifications.settled()
        await written()
    }

    /// Waits until the engines' queued store writes are applied (``StoreJournal``): what a test
    /// then reads from the store is what the engine did.
    func written() async {
        #expect(await center.flushAllWrites(timeout: .seconds(10)))
    }

    /// The team's event messages so far.
    func events(team: Int64 = 1) async throws -> [String] {
        await written()
        return try await store.events(teamID: team, after: 0, limit: 1000).map(\.message)
    }

    /// A call center over the same file, as after a restart (a new process has a new switch).
    func restarted() async throws -> CallCenter {
        await written()  // what this process did is in the store before the next one reads it
        let clock = self.clock
        let center = try await CallCenter(
            store: try SQLiteStore(path: directory.appendingPathComponent("coccd.sqlite").path),
            switch: SimulatedSwitch(rules: Fixture.rules, timing: .manual), clock: { clock() }, logger: Fixture.quiet)
        consumeNotifications(of: center)
        return center
    }

    func application(center: CallCenter? = nil) -> some ApplicationProtocol {
        var logger = Logger(label: "coccd-test")
        logger.logLevel = .warning
        let center = center ?? self.center
        let router = CoccApplication.router(configuration: configuration, center: center)
        return Application(
            responder: SettlingResponder(base: router.buildResponder(), notifications: center.callSwitch.notifications), logger: logger)
    }

    static let agent8001 = ["orgidentity": "demo", "usertype": "agent", "user": "8001", "pwdtype": "plaintext", "password": "123456"]
    static func agent(_ number: String) -> [String: String] {
        ["orgidentity": "demo", "usertype": "agent", "user": number, "pwdtype": "plaintext", "password": "123456"]
    }
    static let account = ["orgidentity": "demo", "usertype": "account", "user": "admin", "pwdtype": "plaintext", "password": "admin123"]
}

extension Dictionary where Key == String, Value == String {
    func with(_ extra: [String: String]) -> [String: String] { merging(extra) { _, new in new } }
}

/// Answers once the engine has handled the switch notifications a request caused (the reader
/// is caught up), so a router test reads state afterwards as a client would after the events.
/// The product answers at once; the Asterisk live suite checks that path.
struct SettlingResponder<Base: HTTPResponder>: HTTPResponder {
    let base: Base
    let notifications: SwitchNotifications

    func respond(to request: Request, context: Base.Context) async throws -> Response {
        let response = try await base.respond(to: request, context: context)
        await notifications.settled()
        return response
    }
}

/// An empty store in a fresh temporary folder, and its path (tests that build a center by hand).
func temporaryStore() throws -> (SQLiteStore, String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("coccd.sqlite").path
    return (try SQLiteStore(path: path), path)
}

extension OutboundCallRequest {
    /// makeCall to an external number in group 1, nothing else set (tests that drive the engine directly).
    static func dialling(_ number: String) -> OutboundCallRequest {
        OutboundCallRequest(
            target: .external(number), groupID: "1", modeltype: "", modelID: "", userdata: "", agentExtension: "", callerID: "", trunk: "")
    }
}

/// Feeds the center its switch's notifications while it lives, as `SwitchNotificationService`
/// does in the server (whichever reads first owns the stream; the other ends at once). Weak, so
/// a finished test's center, switch and store go away (the switch's deinit ends the stream).
func consumeNotifications(of center: CallCenter) {
    let notifications = center.callSwitch.notifications
    Task { [weak center] in
        for await notification in notifications { await center?.handle(notification) }
    }
}

/// Calls one operation over the given interface and decodes its answer.
func call(_ client: some TestClientProtocol, _ interface: Interface, _ operation: String, _ parameters: [String: String]) async throws
    -> Outcome
{
    guard let op = Catalogue.standard.operations.first(where: { $0.descriptor.name == operation }) else {
        Issue.record("no operation \(operation)")
        return Outcome(code: -1, message: "")
    }
    switch interface {
    case .http:
        let body = formEncode(parameters.with(["EVENT": op.descriptor.httpEvents[0]]))
        let text = try await client.execute(
            uri: "/coccinterfaces", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body)
        ) { r in
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "text/plain; charset=utf-8")
            return String(buffer: r.body)
        }
        return try parseRetuen(text)
    case .soap:
        let text = try await soapCall(client, op.descriptor.soapName!, parameters)
        return try parseRetuen(text)
    case .cji:
        let query = formEncode(parameters.with(["callback": "cb"]))
        let text = try await client.execute(uri: "/setevent/\(op.descriptor.cjiName!)?\(query)", method: .get) { r in
            #expect(r.headers[.contentType] == "application/javascript; charset=utf-8")
            return String(buffer: r.body)
        }
        return try parseJSONP(text)
    }
}

/// Posts an rpc/literal SOAP 1.1 call and returns the `<return>` text.
func soapCall(_ client: some TestClientProtocol, _ operation: String, _ parameters: [String: String]) async throws -> String {
    let args = parameters.sorted { $0.key < $1.key }.map { "<\($0.key)>\(xmlEscape($0.value))</\($0.key)>" }.joined()
    let envelope = """
        <?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" \
        xmlns:ns1="urn:coccwi"><SOAP-ENV:Body><ns1:\(operation)>\(args)</ns1:\(operation)></SOAP-ENV:Body></SOAP-ENV:Envelope>
        """
    return try await client.execute(
        uri: "/coccwi.php", method: .post, headers: [.contentType: "text/xml; charset=utf-8"],
        body: ByteBuffer(string: envelope)
    ) { r in
        #expect(r.status == .ok)
        return try soapReturn(String(buffer: r.body))
    }
}

/// The text of `<return>` in a SOAP answer.
func soapReturn(_ xml: String) throws -> String {
    guard let start = xml.range(of: "<return>"), let end = xml.range(of: "</return>") else {
        throw FixtureError("no <return> in \(xml)")
    }
    return String(xml[start.upperBound..<end.lowerBound])
        .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(
            of: "&amp;", with: "&")
}

func parseRetuen(_ text: String) throws -> Outcome {
    let parts = text.components(separatedBy: "|Retuen|")
    guard parts.count == 3 || parts.count == 4, parts[0].isEmpty, let code = Int(parts[1]) else {
        throw FixtureError("not a |Retuen| string: \(text)")
    }
    return Outcome(code: code, message: parts[2], extra: parts.count == 4 ? parts[3] : nil)
}

func parseJSONP(_ text: String) throws -> Outcome {
    guard text.hasPrefix("/**/cb("), text.hasSuffix(");") else { throw FixtureError("not JSONP: \(text)") }
    let json = String(text.dropFirst(7).dropLast(2))
    guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
        let code = object["code"] as? Int, let message = object["message"] as? String
    else { throw FixtureError("bad JSON: \(json)") }
    let extra = (object["param"] ?? object["status"]) as? String
    return Outcome(code: code, message: message, extra: extra)
}

func formEncode(_ parameters: [String: String]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return parameters.sorted { $0.key < $1.key }.map {
        "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
    }.joined(separator: "&")
}

func xmlEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

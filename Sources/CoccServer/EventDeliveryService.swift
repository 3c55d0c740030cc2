public import CoccEngine
import CoccOperations
public import CoccStore
import Crypto
public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import Logging
public import ServiceLifecycle
import Synchronization

/// POSTs every team event to the team's event URL, in order, at least once.
///
/// Each POST is `application/x-www-form-urlencoded` with the chapter-6 fields (and `eventid`),
/// signed with `X-Cocc-Signature: sha256=<hex HMAC-SHA256 of the body>` under the team's
/// secret (`coccd events secret`), with `X-Cocc-Event-Id` for idempotent receivers. Delivery
/// stops at the first failure and retries with capped exponential backoff; the cursor is in
/// the store, so a restart, even after `kill -9`, resumes where it stopped. After
/// `maxAttempts` failures in a row the team is dead-lettered until `coccd events resume` or
/// `replay`.
public final class EventDeliveryService: Service, Sendable {
    public struct Settings: Sendable {
        public var maxAttempts = 10
        public var timeout: TimeInterval = 10
        public var pollInterval: Duration = .milliseconds(250)
        public var baseBackoff: Duration = .milliseconds(500)
        public var maxBackoff: Duration = .seconds(60)
        public init() {}
    }

    let center: CallCenter
    let store: SQLiteStore
    let metrics: OperationMetrics
    let settings: Settings
    let logger: Logger
    private let retryAt = Mutex<[Int64: ContinuousClock.Instant]>([:])

    public init(center: CallCenter, store: SQLiteStore, metrics: OperationMetrics, settings: Settings = Settings(), logger: Logger) {
        self.center = center
        self.store = store
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await deliverPending()
            let interval = settings.pollInterval
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }

    /// One pass over the teams that have an event URL.
    public func deliverPending() async {
        for team in center.directory.teams.values where !team.eventURL.isEmpty {
            await deliver(team)
        }
    }

    func deliver(_ team: Team) async {
        if let at = retryAt.withLock({ $0[team.id] }), ContinuousClock.now < at { return }
        guard var state = try? store.deliveryState(teamID: team.id), !state.dead, let url = URL(string: team.eventURL) else { return }
        let events: [StoredEvent]
        do { events = try center.events(team: team.id, after: state.cursor, agent: nil, limit: 100) } catch {
            logger.error("could not read events for delivery", metadata: ["team": "\(team.identity)", "error": "\(error)"])
            return
        }
        for event in events {
            let body = Self.formBody(event.message)
            do {
                try await post(body, to: url, event: event, team: team, secret: state.secret)
                state.cursor = event.eventid
                state.attempts = 0
                state.lastError = ""
                try store.saveDelivery(state)
                retryAt.withLock { $0[team.id] = nil }
                metrics.eventDelivered(team: team.identity)
            } catch {
                state.attempts += 1
                state.lastError = "\(error)"
                metrics.eventDeliveryFailed(team: team.identity)
                if state.attempts >= settings.maxAttempts {
                    state.dead = true
                    logger.error("event delivery dead-lettered", metadata: [
                        "team": "\(team.identity)", "eventid": "\(event.eventid)", "attempts": "\(state.attempts)", "error": "\(error)"])
                } else {
                    let delay = min(settings.maxBackoff, settings.baseBackoff * (1 << min(state.attempts - 1, 20)))
                    retryAt.withLock { $0[team.id] = ContinuousClock.now + delay }
                    logger.warning("event delivery failed, will retry", metadata: [
                        "team": "\(team.identity)", "eventid": "\(event.eventid)", "attempt": "\(state.attempts)", "error": "\(error)"])
                }
                try? store.saveDelivery(state)
                metrics.eventDeliveryDead(team: team.identity, dead: state.dead)
                return
            }
        }
        metrics.eventDeliveryDead(team: team.identity, dead: false)
    }

    struct Rejected: Error, CustomStringConvertible {
        var status: Int
        var description: String { "HTTP \(status)" }
    }

    func post(_ body: String, to url: URL, event: StoredEvent, team: Team, secret: String) async throws {
        var request = URLRequest(url: url, timeoutInterval: settings.timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/x-www-form-urlencoded; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(String(event.eventid), forHTTPHeaderField: "X-Cocc-Event-Id")
        request.setValue(team.identity, forHTTPHeaderField: "X-Cocc-Team")
        request.setValue("sha256=" + Self.signature(body, secret: secret), forHTTPHeaderField: "X-Cocc-Signature")
        let (_, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw Rejected(status: status) }
    }

    /// The hex HMAC-SHA256 of the body under the team's secret.
    public static func signature(_ body: String, secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// The chapter-6 `key=value&` message as a form body: each field read back by ``EventLine``
    /// (so it decodes to exactly what the client sent, `userdata` included) and then form-
    /// encoded, so a receiver's form parser sees the message's keys, each once.
    public static func formBody(_ message: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return EventLine.parse(message).map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}

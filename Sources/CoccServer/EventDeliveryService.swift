import AsyncHTTPClient
public import CoccEngine
import CoccOperations
public import CoccStorage
import Crypto
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1
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
///
/// Each team has its own delivery task (see `EventDeliveryService+Teams.swift`), so a slow or
/// dead receiver holds back only its own team's events; `concurrency` bounds the POSTs in
/// flight across all teams.
public final class EventDeliveryService: Service, Sendable {
    public struct Settings: Sendable {
        public var maxAttempts = 10
        public var timeout: TimeInterval = 10
        public var pollInterval: Duration = .milliseconds(250)
        public var baseBackoff: Duration = .milliseconds(500)
        public var maxBackoff: Duration = .seconds(60)
        /// POSTs in flight at once, across all teams (one at a time per team, to keep order).
        public var concurrency = 16
        /// Whether this process delivers the team's events: on a node of a cluster, only
        /// while it owns the team (its cursor is then read anew when another node takes over).
        public var ownsTeam: @Sendable (Int64) -> Bool = { _ in true }
        public init() {}
    }

    let center: CallCenter
    let store: any DataStore
    let metrics: OperationMetrics
    let settings: Settings
    let logger: Logger
    let retryAt = Mutex<[Int64: ContinuousClock.Instant]>([:])
    /// Teams whose delivery is running now: one pass per team at a time keeps its order.
    private let busy = Mutex<Set<Int64>>([])
    /// Teams that have a delivery task in ``run()``.
    let running = Mutex<Set<Int64>>([])
    let permits: DeliveryPermits
    /// One client for the process, with a pool wide enough that `concurrency` (not the pool)
    /// bounds the POSTs, since teams may share a host. AsyncHTTPClient rather than URLSession:
    /// on Linux, cancelling a task in `URLSession.data(for:)` can deadlock the concurrency
    /// runtime (its cancel handler waits on URLSession's queue under the task's status lock),
    /// which hung a shutdown of this service mid-POST. Static, so it lives as long as the
    /// process and needs no shutdown.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: {
            // The read timeout bounds a receiver that stops talking mid-answer; the request's own
            // timeout (`Settings.timeout`) bounds the wait for its answer.
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(30)))
            configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
            configuration.httpVersion = .http1Only
            return configuration
        }())

    public init(center: CallCenter, store: any DataStore, metrics: OperationMetrics, settings: Settings = Settings(), logger: Logger) {
        self.center = center
        self.store = store
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        permits = DeliveryPermits(settings.concurrency)
    }

    /// One pass over the teams that have an event URL, all teams at once (within `concurrency`).
    public func deliverPending() async {
        await withDiscardingTaskGroup { group in
            for team in center.directory.teams.values where !team.eventURL.isEmpty {
                group.addTask { _ = await self.deliver(team) }
            }
        }
    }

    /// Delivers the team's pending events (up to 100) in order; answers the cursor after the
    /// pass, or nil when nothing could be tried (dead-lettered, backing off, busy, no URL).
    @discardableResult
    func deliver(_ team: Team) async -> Int64? {
        guard busy.withLock({ $0.insert(team.id).inserted }) else { return nil }
        defer { _ = busy.withLock { $0.remove(team.id) } }
        if let at = retryAt.withLock({ $0[team.id] }), ContinuousClock.now < at { return nil }
        guard var state = try? await store.deliveryState(teamID: team.id), !state.dead, let url = URL(string: team.eventURL) else {
            return nil
        }
        let events: [StoredEvent]
        do { events = try await center.events(team: team.id, after: state.cursor, agent: nil, limit: 100) } catch {
            logger.error("could not read events for delivery", metadata: ["team": "\(team.identity)", "error": "\(error)"])
            return nil
        }
        for event in events {
            let body = Self.formBody(event.message)
            do {
                try await permits.withPermit { try await post(body, to: url, event: event, team: team, secret: state.secret) }
                state.cursor = event.eventid
                state.attempts = 0
                state.lastError = ""
                try await store.saveDelivery(state)
                retryAt.withLock { $0[team.id] = nil }
                metrics.eventDelivered(team: team.identity)
            } catch {
                // Shutting down mid-POST is not the receiver's fault: no attempt counted; the
                // event is sent again on the next start (at least once).
                if error is CancellationError || Task.isCancelled { return nil }
                state.attempts += 1
                state.lastError = "\(error)"
                metrics.eventDeliveryFailed(team: team.identity)
                if state.attempts >= settings.maxAttempts {
                    state.dead = true
                    logger.error(
                        "event delivery dead-lettered",
                        metadata: [
                            "team": "\(team.identity)", "eventid": "\(event.eventid)", "attempts": "\(state.attempts)", "error": "\(error)",
                        ])
                } else {
                    let delay = min(settings.maxBackoff, settings.baseBackoff * (1 << min(state.attempts - 1, 20)))
                    retryAt.withLock { $0[team.id] = ContinuousClock.now + delay }
                    logger.warning(
                        "event delivery failed, will retry",
                        metadata: [
                            "team": "\(team.identity)", "eventid": "\(event.eventid)", "attempt": "\(state.attempts)", "error": "\(error)",
                        ])
                }
                try? await store.saveDelivery(state)
                metrics.eventDeliveryDead(team: team.identity, dead: state.dead)
                return nil
            }
        }
        metrics.eventDeliveryDead(team: team.identity, dead: false)
        return state.cursor
    }

    struct Rejected: Error, CustomStringConvertible {
        var status: Int
        var description: String { "HTTP \(status)" }
    }

    func post(_ body: String, to url: URL, event: StoredEvent, team: Team, secret: String) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: body))
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        request.headers.add(name: "X-Cocc-Event-Id", value: String(event.eventid))
        request.headers.add(name: "X-Cocc-Team", value: team.identity)
        request.headers.add(name: "X-Cocc-Signature", value: "sha256=" + Self.signature(body, secret: secret))
        let deadline = ContinuousClock.now + .milliseconds(Int64(settings.timeout * 1000))
        // The timeout covers the wait for the answer's head (AsyncHTTPClient drops it there)...
        let response = try await Self.client.execute(request, timeout: .milliseconds(Int64(settings.timeout * 1000)))
        let status = Int(response.status.code)
        // ...and the rest of the answer is read (and dropped, so the connection can be used
        // again) until the same deadline; one that stalls or talks on is cut off, which
        // closes the connection. The status decides: a body that fails after a 2xx head
        // is still a delivery.
        let body = response.body
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await body.reduce(into: 0) { _, _ in } }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
        guard (200..<300).contains(status) else { throw Rejected(status: status) }
    }

    /// The hex HMAC-SHA256 of the body under the team's secret.
    public static func signature(_ body: String, secret: String) -> String {
        Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8))))
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

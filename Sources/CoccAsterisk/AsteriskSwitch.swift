public import CoccSwitch
import Foundation
public import Logging
import Synchronization

/// The ``Switch`` on a real Asterisk, over ARI: REST for commands, the events WebSocket for
/// what happened. A `Service`: ``run()`` connects, reconnects with backoff after a drop and
/// reconciles its legs with Asterisk's channels, and stops on graceful shutdown.
///
/// ```swift
/// let pbx = AsteriskSwitch(configuration: .init(url: "http://127.0.0.1:8088", username: "coccd", password: "..."),
///                          legIDs: legIDs, logger: logger)
/// let center = try CallCenter(store: store, switch: pbx, legRegistry: LegRegistry(ids: legIDs))
/// try await ServiceGroup(services: [pbx, app], logger: logger).run()
/// ```
/// The engine keeps the manual's integer `uniqueid`; a leg coccd originates is the ARI channel
/// `coccd-<uniqueid>` (ARI lets the originator choose it), and a caller the dial plan sends into
/// `Stasis(<app>,inbound,<called>,<tenant>[,<priority>])` gets a fresh uniqueid from `legIDs`.
///
/// Notifications go into one ordered stream (``notifications``) that the engine consumes: the
/// event reader never waits on the engine, and no command waits on a notification, so neither
/// can deadlock against the other.
public actor AsteriskSwitch: Switch {
    struct Leg {
        var channelID: String
        var info: LegInfo
        /// Placed by coccd (POST /channels); false for a caller the dial plan sent in.
        var originated: Bool
        var rang = false
        var answered = false
        var dialStatus: String?
        var hangupRequested = false
        var down = false
        var bridge: String?
        /// Continued into the IVR: its StasisEnd is not a hangup.
        var inDialplan = false
        var hold: String?
    }

    struct Recording {
        var uniqueid: Int64
        var path: String
        var snoop: String
    }

    struct Spy {
        var supervisor: Int64
        var snoop: String
        var bridge: String
    }

    public let configuration: AsteriskConfiguration
    let transport: any ARITransport
    let legIDs: any LegIDSource
    let logger: Logger
    public nonisolated let notifications = SwitchNotifications()
    private let connectedFlag = Mutex(false)

    var legs: [Int64: Leg] = [:]
    var byChannel: [String: Int64] = [:]
    var bridges: [String: Set<Int64>] = [:]
    var recordings: [String: Recording] = [:]
    var spies: [String: Spy] = [:]
    var nextName = 0
    /// False until the first connection, when channels a previous run left are hung up.
    var connectedBefore = false

    public init(configuration: AsteriskConfiguration, transport: (any ARITransport)? = nil, legIDs: any LegIDSource, logger: Logger) {
        self.configuration = configuration
        self.transport = transport ?? HTTPARITransport(configuration: configuration)
        self.legIDs = legIDs
        self.logger = logger
    }

    /// Whether the events WebSocket is up (`GET /health`, the `coccd_switch_connected` gauge).
    public nonisolated var isConnected: Bool { connectedFlag.withLock { $0 } }

    nonisolated func setConnected(_ value: Bool) { connectedFlag.withLock { $0 = value } }

    /// A fresh name for a bridge, snoop or recording coccd creates.
    func name(_ kind: String) -> String {
        nextName += 1
        return "coccd-\(kind)-\(nextName)"
    }

    func send(_ request: ARIRequest) async throws -> ARIResponse {
        do {
            let response = try await transport.send(request)
            if !response.isSuccess {
                logger.debug("ARI refused", metadata: ["request": "\(request)", "status": "\(response.status)"])
            }
            return response
        } catch {
            logger.warning("ARI request failed", metadata: ["request": "\(request)", "error": "\(error)"])
            throw SwitchError.unreachable("\(request.method) \(request.path): \(error)")
        }
    }

    /// Sends a command that must succeed; 404 means the leg is gone.
    func command(_ request: ARIRequest, leg uniqueid: Int64) async throws {
        let response = try await send(request)
        if response.status == 404 { throw SwitchError.noSuchLeg(uniqueid) }
        guard response.isSuccess else { throw SwitchError.legNotUp(uniqueid) }
    }

    /// The leg, if it is live (ringing or up).
    func live(_ uniqueid: Int64) throws -> Leg {
        guard let leg = legs[uniqueid], !leg.down else { throw SwitchError.noSuchLeg(uniqueid) }
        return leg
    }

    /// The leg, if it is answered and up.
    func up(_ uniqueid: Int64) throws -> Leg {
        let leg = try live(uniqueid)
        guard leg.answered else { throw SwitchError.legNotUp(uniqueid) }
        return leg
    }

    func notify(_ notification: SwitchNotification) {
        notifications.yield(notification)
    }

    /// Registers a leg under a given channel id, as `originate` does (the fixtures' ids are
    /// their own); for tests that replay recorded events.
    func register(uniqueid: Int64, channelID: String, number: String = "", originated: Bool = true) {
        legs[uniqueid] = Leg(
            channelID: channelID, info: LegInfo(uniqueid: uniqueid, channel: channelID, number: number), originated: originated)
        byChannel[channelID] = uniqueid
    }

    func markHangupRequested(_ uniqueid: Int64) { legs[uniqueid]?.hangupRequested = true }

    /// The legs coccd knows are live, for tests and the reconciliation after a reconnect.
    public func liveLegs() -> [LegInfo] {
        legs.values.filter { !$0.down }.map(\.info).sorted { $0.uniqueid < $1.uniqueid }
    }
}

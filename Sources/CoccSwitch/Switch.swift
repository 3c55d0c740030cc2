/// A call leg as the switch knows it: the manual's `uniqueid` and `channel`.
public struct LegInfo: Sendable, Equatable {
    public var uniqueid: Int64
    public var channel: String
    public var number: String

    public init(uniqueid: Int64, channel: String, number: String) {
        self.uniqueid = uniqueid
        self.channel = channel
        self.number = number
    }
}

/// What the switch reports about a leg. The engine learns what happened only from these.
public enum SwitchNotification: Sendable, Equatable {
    case ringing(uniqueid: Int64)
    case answered(uniqueid: Int64)
    case hungUp(uniqueid: Int64, cause: HangupCause)
    /// A call arrived and the switch answered it into the dial plan of `tenant` (the team's
    /// `orgidentity`, as a multi-tenant dial plan tags its contexts), for `called` (a queue
    /// number), with the queue `priority` the dial plan gave it.
    case incoming(leg: LegInfo, called: String, tenant: String, priority: Int)

    public var uniqueid: Int64 {
        switch self {
        case .ringing(let id), .answered(let id), .hungUp(let id, _): return id
        case .incoming(let leg, _, _, _): return leg.uniqueid
        }
    }
}

public enum HangupCause: String, Sendable, Equatable {
    /// Hung up by either side or by a command.
    case normal
    case busy
    /// Rang until the originate timeout.
    case noAnswer
    /// The destination could not be reached.
    case failed
}

/// A request to place a leg.
public struct OriginateRequest: Sendable, Equatable {
    public enum Destination: Sendable, Equatable {
        /// An extension of the team (an agent's phone).
        case `extension`(String)
        /// A phone number outside, through a trunk.
        case external(String)
    }

    /// The leg's `uniqueid`, chosen by the engine before it asks (as Asterisk's Originate takes a
    /// ChannelId), so the engine knows the leg before its first notification can arrive.
    public var uniqueid: Int64
    public var destination: Destination
    /// The number presented to the called party.
    public var callerID: String
    /// The trunk an external leg goes out on; empty for the default.
    public var trunk: String
    /// `dialout` or `dialin`: the dial plan context, visible in channel names.
    public var context: String
    /// How long the leg may ring before it fails with `noAnswer`.
    public var ringTimeout: Duration

    public init(
        uniqueid: Int64, destination: Destination, callerID: String = "", trunk: String = "", context: String = "dialout",
        ringTimeout: Duration = .seconds(45)
    ) {
        self.uniqueid = uniqueid
        self.destination = destination
        self.callerID = callerID
        self.trunk = trunk
        self.context = context
        self.ringTimeout = ringTimeout
    }

    public var number: String {
        switch destination {
        case .extension(let n), .external(let n): return n
        }
    }
}

public enum SpyMode: String, Sendable, Equatable {
    case listen, whisper, barge
}

public enum SwitchError: Error, Sendable, Equatable {
    case noSuchLeg(Int64)
    case legNotUp(Int64)
    case unreachable(String)
    case duplicateLeg(Int64)
    /// The switch cannot do this at all (the simulator cannot hand a call to another node's).
    case unsupported(String)
}

/// The telephony boundary. The engine drives calls only through this protocol and learns what
/// happened only from the notifications it delivers, so a PBX driver can replace the
/// ``SimulatedSwitch`` without touching the engine.
///
/// ```swift
/// let leg = try await pbx.originate(.init(uniqueid: 19866, destination: .extension("8001")))
/// for await notification in pbx.notifications { await center.handle(notification) }   // ringing, answered, ...
/// ```
public protocol Switch: AnyObject, Sendable {
    /// What happened, in order, for the engine to consume (`CallCenter.consumeSwitchNotifications()`).
    /// A driver only yields into it: no command calls into the engine or waits for it.
    var notifications: SwitchNotifications { get }
    /// Places a leg and returns at once; `ringing`, `answered` and `hungUp` follow.
    func originate(_ request: OriginateRequest) async throws -> LegInfo
    func hangup(uniqueid: Int64) async throws
    /// Connects the audio of two answered legs (each leaves any bridge or conference it was in).
    func bridge(_ a: Int64, _ b: Int64) async throws
    /// Joins answered legs into one conference.
    func conference(_ legs: [Int64]) async throws
    /// Attaches a supervisor's answered leg to a target leg: listen only, speak to the target
    /// only (whisper), or speak to everyone (barge).
    func spy(_ supervisor: Int64, on target: Int64, mode: SpyMode) async throws
    /// Sends an answered leg into the IVR at extension `ivr`, at the menu reached by `path`
    /// (the digits pressed at each level); it leaves any bridge. Bridging it again takes it out.
    func redirect(_ uniqueid: Int64, toIVR ivr: String, path: [String]) async throws
    /// Holds a leg with music, or with silence when `music` is false.
    func hold(uniqueid: Int64, music: Bool) async throws
    func unhold(uniqueid: Int64) async throws
    /// Plays DTMF digits (0-9, *, #) into an answered leg.
    func sendDTMF(uniqueid: Int64, digits: String) async throws
    /// Sets a channel variable on a live leg (the manual's call-associated data).
    func setVariable(uniqueid: Int64, name: String, value: String) async throws
    /// Records a leg's conversation into the WAV file at `path` (its folder is created), until
    /// `stopRecording` or the leg's hangup, when the file is complete. A leg may be recorded into
    /// several files at once (the whole call, and a segment monitorCtrl started), as Asterisk's
    /// MixMonitor allows; each is told apart by its path.
    func startRecording(uniqueid: Int64, path: String) async throws
    /// Ends the recording of the leg into `path`, leaving its other recordings running.
    func stopRecording(uniqueid: Int64, path: String) async throws
    /// Whether the switch can take commands now (a network driver's connection is up).
    var isConnected: Bool { get }
    /// Hands a live inbound leg to another coccd node of a cluster on the same PBX (its team
    /// runs there), as if the dial plan had sent it there: the leg is this switch's no more
    /// and ends here without a hangup notification.
    func handOver(uniqueid: Int64, toNode node: String, called: String, tenant: String, priority: Int) async throws
}

extension Switch {
    /// An embedded switch is always there.
    public var isConnected: Bool { true }

    /// Each node's embedded switch is its own: nothing to hand a call to.
    public func handOver(uniqueid: Int64, toNode node: String, called: String, tenant: String, priority: Int) async throws {
        throw SwitchError.unsupported("this switch cannot hand a call to another node")
    }
}

import Foundation

/// Where coccd finds Asterisk's ARI and how it names the endpoints it dials.
///
/// ```swift
/// var configuration = AsteriskConfiguration(url: "http://127.0.0.1:8088", username: "coccd", password: "secret")
/// configuration.agentEndpoint = "Local/{exten}@coccd-agents"
/// ```
/// Templates: `{exten}` is an agent's extension; `{number}` the number dialled and `{trunk}`
/// the request's trunk, else `defaultTrunk`.
public struct AsteriskConfiguration: Sendable, Equatable {
    /// The HTTP base of Asterisk's ARI server, e.g. `http://127.0.0.1:8088` (ARI is under `/ari`).
    public var url: String
    public var username: String
    public var password: String
    /// The Stasis application coccd registers (the dial plan's `Stasis(coccd,...)`).
    public var app: String = "coccd"
    /// Several coccd nodes on one Asterisk: each registers `<app>-<node>` (``clusterApp(node:)``),
    /// and a node hands a caller of a team it does not own to the owner's application. Empty:
    /// one node, `app` as configured.
    public var nodeID: String = ""
    public var agentEndpoint: String = "PJSIP/{exten}"
    public var externalEndpoint: String = "PJSIP/{number}@{trunk}"
    public var defaultTrunk: String = ""
    /// The music-on-hold class `hold` plays (silence when the engine asks for no music).
    public var mohClass: String = "default"
    /// The dial plan context agentToIvr continues into; the menu path is in `COCCD_IVR_PATH`.
    public var ivrContext: String = "coccd-ivr"
    /// Where Asterisk writes its stored recordings (`astspooldir/recording`, e.g.
    /// `/var/spool/asterisk/recording`), when coccd can read it (the same host, or a shared
    /// mount): a finished recording is copied from there. Empty: fetched over ARI
    /// (`GET /recordings/stored/{name}/file`), which needs no shared disk.
    public var recordingDirectory: String = ""
    /// How long one REST call may take before the operation fails (never hangs).
    public var requestTimeoutSeconds: Double = 5
    /// Reconnect backoff: from `reconnectMinimumSeconds`, doubling, at most the maximum.
    public var reconnectMinimumSeconds: Double = 0.5
    public var reconnectMaximumSeconds: Double = 30

    public init(url: String, username: String, password: String) {
        self.url = url
        self.username = username
        self.password = password
    }

    /// The application this node registers: `app`, or `<app>-<node>` on a node of a cluster.
    public var registeredApp: String { nodeID.isEmpty ? app : clusterApp(node: nodeID) }

    /// The application of a cluster's node `node`.
    public func clusterApp(node: String) -> String { "\(app)-\(node)" }

    /// The endpoint to originate for a destination.
    func endpoint(extension exten: String) -> String {
        agentEndpoint.replacingOccurrences(of: "{exten}", with: exten)
    }

    func endpoint(number: String, trunk: String) -> String {
        externalEndpoint.replacingOccurrences(of: "{number}", with: number)
            .replacingOccurrences(of: "{trunk}", with: trunk.isEmpty ? defaultTrunk : trunk)
    }

    /// The events WebSocket: `ws(s)://host:port/ari/events?app=...&api_key=user:password`.
    var eventsURL: String {
        let base = url.hasPrefix("https://") ? "wss://" + url.dropFirst(8) : "ws://" + url.replacingOccurrences(of: "http://", with: "")
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : String(base)
        return trimmed + "/ari/events?app=\(ARIRequest.escape(registeredApp))&api_key=\(ARIRequest.escape(username + ":" + password))"
    }
}

/// The `asterisk` section of the configuration file (and its `COCCD_ARI_*` variables): where
/// coccd's ARI driver finds Asterisk when the switch is `asterisk`.
///
/// ```json
/// {"switch": "asterisk", "asterisk": {"url": "http://127.0.0.1:8088", "username": "coccd", "password": "...",
///  "agentEndpoint": "PJSIP/{exten}", "externalEndpoint": "PJSIP/{number}@{trunk}", "defaultTrunk": "carrier"}}
/// ```
public struct AsteriskSettings: Codable, Sendable, Equatable {
    public var url = "http://127.0.0.1:8088"
    public var username = "coccd"
    public var password = ""
    public var app = "coccd"
    public var agentEndpoint = "PJSIP/{exten}"
    public var externalEndpoint = "PJSIP/{number}@{trunk}"
    public var defaultTrunk = ""
    public var mohClass = "default"
    public var ivrContext = "coccd-ivr"
    /// Asterisk's stored-recordings directory when coccd can read it; empty: fetch over ARI.
    public var recordingDirectory = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decodeIfPresent(String.self, forKey: .url) ?? url
        username = try c.decodeIfPresent(String.self, forKey: .username) ?? username
        password = try c.decodeIfPresent(String.self, forKey: .password) ?? password
        app = try c.decodeIfPresent(String.self, forKey: .app) ?? app
        agentEndpoint = try c.decodeIfPresent(String.self, forKey: .agentEndpoint) ?? agentEndpoint
        externalEndpoint = try c.decodeIfPresent(String.self, forKey: .externalEndpoint) ?? externalEndpoint
        defaultTrunk = try c.decodeIfPresent(String.self, forKey: .defaultTrunk) ?? defaultTrunk
        mohClass = try c.decodeIfPresent(String.self, forKey: .mohClass) ?? mohClass
        ivrContext = try c.decodeIfPresent(String.self, forKey: .ivrContext) ?? ivrContext
        recordingDirectory = try c.decodeIfPresent(String.self, forKey: .recordingDirectory) ?? recordingDirectory
    }

    mutating func apply(environment: [String: String]) {
        if let v = environment["COCCD_ARI_URL"] { url = v }
        if let v = environment["COCCD_ARI_USERNAME"] { username = v }
        if let v = environment["COCCD_ARI_PASSWORD"] { password = v }
        if let v = environment["COCCD_ARI_APP"] { app = v }
        if let v = environment["COCCD_ARI_AGENT_ENDPOINT"] { agentEndpoint = v }
        if let v = environment["COCCD_ARI_EXTERNAL_ENDPOINT"] { externalEndpoint = v }
        if let v = environment["COCCD_ARI_DEFAULT_TRUNK"] { defaultTrunk = v }
        if let v = environment["COCCD_ARI_MOH_CLASS"] { mohClass = v }
        if let v = environment["COCCD_ARI_IVR_CONTEXT"] { ivrContext = v }
        if let v = environment["COCCD_ARI_RECORDING_DIR"] { recordingDirectory = v }
    }
}

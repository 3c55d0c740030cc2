public import CoccEngine
public import CoccOperations
public import CoccSimulator
import CoccStorage
public import CoccSwitch

/// Everything `coccd serve` can be told: file, then environment, then flags.
public struct ServerConfiguration: Sendable, Codable, Equatable {
    public var host = "127.0.0.1"
    public var port = 4580
    public var dataDirectory = "./data"
    /// `postgres://user:password@host:5432/db?sslmode=require`: the PostgreSQL store; empty: the
    /// embedded SQLite store in the data directory (which keeps recordings, import files and
    /// keys either way). Holds a credential: never log it (`DataStore.summary` is what to log).
    public var database = ""
    /// Several nodes on one PostgreSQL store (see ``ClusterConfiguration``).
    public var cluster = ClusterConfiguration()
    /// Origins allowed to POST across origins; `*` allows any.
    public var corsOrigins: [String] = []
    /// The URL the WSDL advertises; empty: from the request's Host header.
    public var publicURL = ""
    /// The manual's `webroot_address`: the base of recording URLs; empty: the public URL or Host.
    public var webrootAddress = ""
    /// The service namespace of the WSDL and of responses to requests that name none.
    public var soapNamespace = "urn:coccwi"
    /// `code` (BackMsg_NN, the default), `cn` or `en`: how replies write their message.
    public var messages = "code"
    public var maxBodyBytes = 256 * 1024
    public var maxHeaderBytes = 16 * 1024
    /// Seconds a connection may sit idle between requests.
    public var idleTimeoutSeconds = 60
    /// Seconds a client has to send a request head, and then its body.
    public var requestTimeoutSeconds = 15
    public var maxConcurrentParses = 32
    /// Seconds between checks for directory changes made by the CLI.
    public var directoryPollSeconds = 1.0
    /// How long an operation waits for its store writes before it answers BackMsg_85.
    public var storeWriteTimeoutSeconds = 5.0
    public var storeWriteTimeout: Duration { .milliseconds(Int64(storeWriteTimeoutSeconds * 1000)) }
    public var demo = false
    /// Serve the simulated switch's control surface (`/simulator/...`); `--demo` implies it.
    public var simulate = false
    /// Failed POSTs in a row before a team's event delivery is dead-lettered.
    public var eventDeliveryMaxAttempts = 10
    /// Seconds a backend has to answer an event POST.
    public var eventDeliveryTimeoutSeconds = 10.0
    /// Seconds a long-poll waits for a new event before answering 304.
    public var pollTimeoutSeconds = 30.0
    /// Hours the event log keeps events for pages to resume from; an older cursor gets `resync`.
    public var eventRetentionHours = 24.0
    /// Default form of long-poll lines: `message` (chapter-6 `key=value&`) or `json` (the vendor
    /// plugin's single-quoted objects); a page may ask with `?format=`.
    public var pushLineFormat = "message"
    /// Hosts importWS may fetch CSV files from (`*.example.com` for a domain); none by default.
    public var importAllowedHosts: [String] = []
    public var importMaxBytes = 100 * 1024 * 1024
    public var importMaxRows = 1_000_000
    public var importTimeoutSeconds = 60.0
    /// The progressive dialer: attempts per pre-dial entry, and the wait before a retry.
    public var dialerMaxAttempts = 3
    public var dialerRetrySeconds = 300.0
    /// How long an inbound call rings an offered agent before going to the next one.
    public var ringTimeoutSeconds = 20.0
    /// After-call work ends by itself after this many seconds; 0: only acwOff ends it.
    public var afterCallWorkLimitSeconds = 0.0
    /// How the simulated switch's far ends behave; the documented demo numbers by default.
    public var simulation: SimulationRules = .demo
    /// The IVRs agents can send customers to (agentToIvr), by extension; the sample IVR 7000 by default.
    public var ivrs: [String: IVRMenu] = IVRMenu.sample
    /// getMonitor answers signed URLs that expire (the one deliberate change from the old product);
    /// false: the old unsigned URLs, which anyone who knows a session id can download.
    public var recordingURLsSigned = true
    /// Seconds a signed recording URL stays valid.
    public var recordingURLLifetimeSeconds = 24 * 3600.0
    /// Fields one CSV row may have; a row with more fails the task (BackMsg_86). Customer files
    /// have the 8 system columns plus a team's custom ones, rarely 100; 512 leaves room while
    /// bounding what one row costs.
    public var importMaxFieldsPerRow = 512
    /// Bytes one CSV row may have (separators included); a longer row fails the task
    /// (BackMsg_86). Real rows are well under 1 KiB; 256 KiB is four fields at the 64 KiB field cap.
    public var importMaxRowBytes = 256 * 1024
    /// Bytes of one SOAP request body (real CTI requests are about 0.5 KB); larger ones get a
    /// fault with 413 and are not read further. Separate from `maxBodyBytes` (form interface).
    public var soapMaxBodyBytes = 64 * 1024
    /// Attributes (namespace declarations included) of one element of a SOAP body; more are
    /// refused before libxml2, whose duplicate check is quadratic in them.
    public var soapMaxAttributesPerElement = 32
    /// Namespace declarations of one element of a SOAP body.
    public var soapMaxNamespaceDeclarationsPerElement = 16
    /// Elements open at once in a SOAP body (Envelope/Body/operation/argument is 4).
    public var soapMaxDepth = 32
    /// Threads that run libxml2 parses, off the request threads; `maxConcurrentParses` bounds
    /// the parses running or waiting for them, past which requests get `Server busy`.
    public var soapParseThreads = 2
    /// The operation endpoints (SOAP, the form interface, CJI) are served by a lean handler in
    /// the connection's pipeline ahead of the router (see `HotPathHandler`); `false` sends
    /// them through the router like every other request (to compare, or to rule it out).
    public var leanPath = true
    /// Event POSTs in flight at once across all teams (each team has its own ordered queue).
    public var eventDeliveryConcurrency = 16
    /// Open client connections at most, and per client address; over either, a new connection is
    /// answered 503 and closed at once.
    public var maxConnections = 4096
    public var maxConnectionsPerAddress = 256
    /// Seconds a connection may sit idle once more than 75% of `maxConnections` are open.
    public var pressureIdleTimeoutSeconds = 3
    /// PEM certificate chain and private key: when both are set, the server speaks HTTPS only.
    public var tlsCertificate = ""
    public var tlsKey = ""
    /// The switch calls go through: `simulated` (the embedded default) or `asterisk` (ARI).
    public var switchKind = "simulated"
    /// Where Asterisk's ARI is, when `switchKind` is `asterisk`.
    public var asterisk = AsteriskSettings()

    public init() {}

    public var messageStyle: MessageStyle {
        switch messages.lowercased() {
        case "cn": return .text(.cn)
        case "en", "text": return .text(.en)
        default: return .code
        }
    }

    /// Applies `COCCD_*` environment variables over the current values.
    public mutating func apply(environment: [String: String]) {
        if let v = environment["COCCD_HOST"] { host = v }
        if let v = environment["COCCD_PORT"].flatMap(Int.init) { port = v }
        if let v = environment["COCCD_DATA_DIR"] { dataDirectory = v }
        if let v = environment["COCCD_DATABASE_URL"] { database = v }
        if let v = environment["COCCD_CORS_ORIGINS"] { corsOrigins = v.split(separator: ",").map(String.init) }
        if let v = environment["COCCD_PUBLIC_URL"] { publicURL = v }
        if let v = environment["COCCD_WEBROOT_ADDRESS"] { webrootAddress = v }
        if let v = environment["COCCD_SOAP_NAMESPACE"] { soapNamespace = v }
        if let v = environment["COCCD_MESSAGES"] { messages = v }
        if let v = environment["COCCD_MAX_BODY_BYTES"].flatMap(Int.init) { maxBodyBytes = v }
        if let v = environment["COCCD_IDLE_TIMEOUT"].flatMap(Int.init) { idleTimeoutSeconds = v }
        if let v = environment["COCCD_REQUEST_TIMEOUT"].flatMap(Int.init) { requestTimeoutSeconds = v }
        if let v = environment["COCCD_EVENT_RETENTION_HOURS"].flatMap(Double.init) { eventRetentionHours = v }
        if let v = environment["COCCD_IMPORT_ALLOWED_HOSTS"] { importAllowedHosts = v.split(separator: ",").map(String.init) }
        if let v = environment["COCCD_DIALER_RETRY_SECONDS"].flatMap(Double.init) { dialerRetrySeconds = v }
        if let v = environment["COCCD_RECORDING_URLS_SIGNED"].flatMap(Bool.init) { recordingURLsSigned = v }
        if let v = environment["COCCD_RECORDING_URL_LIFETIME"].flatMap(Double.init) { recordingURLLifetimeSeconds = v }
        if let v = environment["COCCD_IMPORT_MAX_FIELDS_PER_ROW"].flatMap(Int.init) { importMaxFieldsPerRow = v }
        if let v = environment["COCCD_IMPORT_MAX_ROW_BYTES"].flatMap(Int.init) { importMaxRowBytes = v }
        if let v = environment["COCCD_SOAP_MAX_BODY_BYTES"].flatMap(Int.init) { soapMaxBodyBytes = v }
        if let v = environment["COCCD_EVENT_DELIVERY_CONCURRENCY"].flatMap(Int.init) { eventDeliveryConcurrency = v }
        if let v = environment["COCCD_MAX_CONNECTIONS"].flatMap(Int.init) { maxConnections = v }
        if let v = environment["COCCD_MAX_CONNECTIONS_PER_ADDRESS"].flatMap(Int.init) { maxConnectionsPerAddress = v }
        if let v = environment["COCCD_TLS_CERT"] { tlsCertificate = v }
        if let v = environment["COCCD_TLS_KEY"] { tlsKey = v }
        if let v = environment["COCCD_SWITCH"] { switchKind = v }
        asterisk.apply(environment: environment)
        cluster.apply(environment: environment)
    }

    enum CodingKeys: String, CodingKey {
        case host, port, dataDirectory, database, corsOrigins, publicURL, webrootAddress, soapNamespace, messages, maxBodyBytes,
            maxHeaderBytes
        case idleTimeoutSeconds, requestTimeoutSeconds, maxConcurrentParses, directoryPollSeconds, storeWriteTimeoutSeconds, demo, simulate,
            ivrs, simulation,
            afterCallWorkLimitSeconds, ringTimeoutSeconds, pollTimeoutSeconds, eventDeliveryMaxAttempts, eventDeliveryTimeoutSeconds
        case eventRetentionHours, pushLineFormat, importAllowedHosts, importMaxBytes, importMaxRows, importTimeoutSeconds
        case dialerMaxAttempts, dialerRetrySeconds
        case recordingURLsSigned, recordingURLLifetimeSeconds
        case importMaxFieldsPerRow, importMaxRowBytes
        case soapMaxBodyBytes, soapMaxAttributesPerElement, soapMaxNamespaceDeclarationsPerElement, soapMaxDepth, soapParseThreads, leanPath
        case eventDeliveryConcurrency, maxConnections, maxConnectionsPerAddress, pressureIdleTimeoutSeconds, tlsCertificate, tlsKey
        case switchKind = "switch"
        case asterisk, cluster
    }

    /// Decodes a configuration file; keys it leaves out keep their defaults.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? host
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? port
        dataDirectory = try c.decodeIfPresent(String.self, forKey: .dataDirectory) ?? dataDirectory
        database = try c.decodeIfPresent(String.self, forKey: .database) ?? database
        corsOrigins = try c.decodeIfPresent([String].self, forKey: .corsOrigins) ?? corsOrigins
        publicURL = try c.decodeIfPresent(String.self, forKey: .publicURL) ?? publicURL
        webrootAddress = try c.decodeIfPresent(String.self, forKey: .webrootAddress) ?? webrootAddress
        soapNamespace = try c.decodeIfPresent(String.self, forKey: .soapNamespace) ?? soapNamespace
        messages = try c.decodeIfPresent(String.self, forKey: .messages) ?? messages
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? maxBodyBytes
        maxHeaderBytes = try c.decodeIfPresent(Int.self, forKey: .maxHeaderBytes) ?? maxHeaderBytes
        idleTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .idleTimeoutSeconds) ?? idleTimeoutSeconds
        requestTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .requestTimeoutSeconds) ?? requestTimeoutSeconds
        maxConcurrentParses = try c.decodeIfPresent(Int.self, forKey: .maxConcurrentParses) ?? maxConcurrentParses
        directoryPollSeconds = try c.decodeIfPresent(Double.self, forKey: .directoryPollSeconds) ?? directoryPollSeconds
        storeWriteTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .storeWriteTimeoutSeconds) ?? storeWriteTimeoutSeconds
        demo = try c.decodeIfPresent(Bool.self, forKey: .demo) ?? demo
        simulate = try c.decodeIfPresent(Bool.self, forKey: .simulate) ?? simulate
        ivrs = try c.decodeIfPresent([String: IVRMenu].self, forKey: .ivrs) ?? ivrs
        simulation = try c.decodeIfPresent(SimulationRules.self, forKey: .simulation) ?? simulation
        afterCallWorkLimitSeconds = try c.decodeIfPresent(Double.self, forKey: .afterCallWorkLimitSeconds) ?? afterCallWorkLimitSeconds
        ringTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .ringTimeoutSeconds) ?? ringTimeoutSeconds
        pollTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .pollTimeoutSeconds) ?? pollTimeoutSeconds
        eventRetentionHours = try c.decodeIfPresent(Double.self, forKey: .eventRetentionHours) ?? eventRetentionHours
        pushLineFormat = try c.decodeIfPresent(String.self, forKey: .pushLineFormat) ?? pushLineFormat
        importAllowedHosts = try c.decodeIfPresent([String].self, forKey: .importAllowedHosts) ?? importAllowedHosts
        importMaxBytes = try c.decodeIfPresent(Int.self, forKey: .importMaxBytes) ?? importMaxBytes
        importMaxRows = try c.decodeIfPresent(Int.self, forKey: .importMaxRows) ?? importMaxRows
        importTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .importTimeoutSeconds) ?? importTimeoutSeconds
        dialerMaxAttempts = try c.decodeIfPresent(Int.self, forKey: .dialerMaxAttempts) ?? dialerMaxAttempts
        dialerRetrySeconds = try c.decodeIfPresent(Double.self, forKey: .dialerRetrySeconds) ?? dialerRetrySeconds
        eventDeliveryMaxAttempts = try c.decodeIfPresent(Int.self, forKey: .eventDeliveryMaxAttempts) ?? eventDeliveryMaxAttempts
        eventDeliveryTimeoutSeconds =
            try c.decodeIfPresent(Double.self, forKey: .eventDeliveryTimeoutSeconds) ?? eventDeliveryTimeoutSeconds
        recordingURLsSigned = try c.decodeIfPresent(Bool.self, forKey: .recordingURLsSigned) ?? recordingURLsSigned
        recordingURLLifetimeSeconds =
            try c.decodeIfPresent(Double.self, forKey: .recordingURLLifetimeSeconds) ?? recordingURLLifetimeSeconds
        importMaxFieldsPerRow = try c.decodeIfPresent(Int.self, forKey: .importMaxFieldsPerRow) ?? importMaxFieldsPerRow
        importMaxRowBytes = try c.decodeIfPresent(Int.self, forKey: .importMaxRowBytes) ?? importMaxRowBytes
        soapMaxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .soapMaxBodyBytes) ?? soapMaxBodyBytes
        soapMaxAttributesPerElement = try c.decodeIfPresent(Int.self, forKey: .soapMaxAttributesPerElement) ?? soapMaxAttributesPerElement
        soapMaxNamespaceDeclarationsPerElement =
            try c.decodeIfPresent(Int.self, forKey: .soapMaxNamespaceDeclarationsPerElement) ?? soapMaxNamespaceDeclarationsPerElement
        soapMaxDepth = try c.decodeIfPresent(Int.self, forKey: .soapMaxDepth) ?? soapMaxDepth
        soapParseThreads = try c.decodeIfPresent(Int.self, forKey: .soapParseThreads) ?? soapParseThreads
        leanPath = try c.decodeIfPresent(Bool.self, forKey: .leanPath) ?? leanPath
        eventDeliveryConcurrency = try c.decodeIfPresent(Int.self, forKey: .eventDeliveryConcurrency) ?? eventDeliveryConcurrency
        maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? maxConnections
        maxConnectionsPerAddress = try c.decodeIfPresent(Int.self, forKey: .maxConnectionsPerAddress) ?? maxConnectionsPerAddress
        pressureIdleTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .pressureIdleTimeoutSeconds) ?? pressureIdleTimeoutSeconds
        tlsCertificate = try c.decodeIfPresent(String.self, forKey: .tlsCertificate) ?? tlsCertificate
        tlsKey = try c.decodeIfPresent(String.self, forKey: .tlsKey) ?? tlsKey
        switchKind = try c.decodeIfPresent(String.self, forKey: .switchKind) ?? switchKind
        asterisk = try c.decodeIfPresent(AsteriskSettings.self, forKey: .asterisk) ?? asterisk
        cluster = try c.decodeIfPresent(ClusterConfiguration.self, forKey: .cluster) ?? cluster
    }
}

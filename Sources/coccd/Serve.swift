import ArgumentParser
import CoccAsterisk
import CoccCluster
import CoccEngine
import CoccProvisioning
import CoccServer
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `coccd serve`: runs the server until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the SOAP, HTTP and CJI interfaces.",
        discussion: """
            Settings come from the --config file, then COCCD_* environment variables (COCCD_HOST,
            COCCD_PORT, COCCD_DATA_DIR, COCCD_DATABASE_URL, COCCD_CORS_ORIGINS, COCCD_PUBLIC_URL, COCCD_SOAP_NAMESPACE,
            COCCD_MESSAGES, COCCD_MAX_BODY_BYTES, COCCD_IDLE_TIMEOUT, COCCD_REQUEST_TIMEOUT, COCCD_MAX_CONNECTIONS,
            COCCD_MAX_CONNECTIONS_PER_ADDRESS, COCCD_TLS_CERT, COCCD_TLS_KEY), then flags.
            With --tls-cert and --tls-key the server speaks HTTPS only, on the same port.
            """
    )

    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default 4580).") var port: Int?
    @OptionGroup var data: DataOptions
    @Option(name: .customLong("cors-origin"), help: "Origin allowed to call across origins; repeat for more, * for any.")
    var corsOrigins: [String] = []
    @Option(name: .customLong("public-url"), help: "Base URL the WSDL advertises (default: from the request's Host).")
    var publicURL: String?
    @Option(name: .customLong("webroot-address"), help: "Base of recording URLs, the manual's webroot_address (default: the public URL).")
    var webrootAddress: String?
    @Option(name: .customLong("soap-namespace"), help: "Service namespace of the WSDL (default urn:coccwi).") var soapNamespace: String?
    @Option(help: "Reply messages: code (BackMsg_NN), cn or en.") var messages: String?
    @Flag(help: "Create the demo team on an empty data directory, allow any CORS origin, serve /simulator/.") var demo = false
    @Flag(help: "Serve the simulated switch's control surface under /simulator/.") var simulate = false
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS (with --tls-key).") var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of the --tls-cert certificate.") var tlsKey: String?
    @Option(name: .customLong("switch"), help: "simulated (default) or asterisk (ARI; see COCCD_ARI_*).") var switchKind: String?
    @Option(name: .customLong("node-id"), help: "Join a cluster of nodes on the PostgreSQL store under this name (COCCD_NODE_ID).")
    var nodeID: String?
    @Option(
        name: .customLong("advertise-url"),
        help: "How the other nodes reach this one (COCCD_ADVERTISE_URL; default http://<host>:<port>); joins a cluster.")
    var advertiseURL: String?
    @Option(name: .customLong("lease-seconds"), help: "How long a team's lease lasts without renewal (default 10).")
    var leaseSeconds: Int?

    func resolvedConfiguration() throws -> ServerConfiguration {
        var config = try data.resolvedConfiguration()
        if let host { config.host = host }
        if let port { config.port = port }
        if !corsOrigins.isEmpty { config.corsOrigins = corsOrigins }
        if let publicURL { config.publicURL = publicURL }
        if let webrootAddress { config.webrootAddress = webrootAddress }
        if let soapNamespace { config.soapNamespace = soapNamespace }
        if let messages { config.messages = messages }
        if demo { config.demo = true }
        if simulate { config.simulate = true }
        if let tlsCertificate { config.tlsCertificate = tlsCertificate }
        if let tlsKey { config.tlsKey = tlsKey }
        if let switchKind { config.switchKind = switchKind }
        if let nodeID { config.cluster.nodeID = nodeID }
        if let advertiseURL { config.cluster.advertiseURL = advertiseURL }
        if let leaseSeconds { config.cluster.leaseSeconds = leaseSeconds }
        if config.cluster.isOn && config.database.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("several nodes share a PostgreSQL store: --node-id and --advertise-url need --database-url")
        }
        guard (2...3600).contains(config.cluster.leaseSeconds) else { throw ValidationError("--lease-seconds must be from 2 to 3600") }
        guard ["simulated", "asterisk"].contains(config.switchKind) else {
            throw ValidationError("--switch must be simulated or asterisk, not \(config.switchKind)")
        }
        return config
    }

    func run() async throws {
        var configuration = try resolvedConfiguration()
        // Everything the server writes (store, recordings, import files, keys) is for its user only.
        DataDirectory.restrictNewFiles()
        let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
        let logger = Logger(label: "coccd")
        // Read and check the certificate before anything else starts: a bad path is a clear
        // startup error (exit status 1), not a failure at the first connection.
        var tls: TLSSettings?
        if !configuration.tlsCertificate.isEmpty || !configuration.tlsKey.isEmpty {
            do { tls = try TLSSettings.load(certificate: configuration.tlsCertificate, key: configuration.tlsKey) } catch {
                logger.critical("cannot start: \(error)")
                throw ExitCode.failure
            }
        }
        DescriptorLimit.prepare(&configuration, logger: logger)
        let scheme = tls == nil ? "http" : "https"
        let metrics = OperationMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))

        let store: any DataStore
        do {
            store = try await StoreOpening.open(configuration: configuration, logger: logger)
        } catch let error as ValidationError {
            throw error  // a malformed setting is a usage error (64), not an unavailable store
        } catch {
            // The error names the store without its credentials (PostgresStoreError, SQLite's path).
            logger.critical("cannot start: the store cannot be opened: \(error)")
            throw ExitCode(StoreOpening.unavailableExitCode)
        }
        if configuration.demo, try await DirectoryAdmin(store: store).seedDemoIfEmpty() {
            logger.notice("demo directory created", metadata: ["credentials": "\(DirectoryAdmin.demoCredentials)"])
        } else if configuration.demo {
            logger.notice("demo mode; directory kept", metadata: ["credentials": "\(DirectoryAdmin.demoCredentials)"])
        }
        // The embedded simulated switch, with the demo rules (see README: "Calls").
        // One persisted source of leg ids for the engine and the switch's incoming callers.
        let legIDs = try await PersistedLegIDs(store: store, logger: logger)
        let simulator = SimulatedSwitch(rules: configuration.simulation, timing: .realtime, legIDs: legIDs)
        var callSwitch: any Switch = simulator
        var switchServices: [any Service] = []
        let nodeID = configuration.cluster.isOn ? configuration.cluster.resolvedNodeID : ""
        if configuration.switchKind == "asterisk" {
            // On a node of a cluster the driver registers `<app>-<node>` and hands callers of
            // teams other nodes own to their applications (README: "Several nodes").
            var driver = configuration.asterisk.driverConfiguration
            driver.nodeID = nodeID
            let asterisk = AsteriskSwitch(configuration: driver, legIDs: legIDs, logger: logger)
            callSwitch = asterisk
            switchServices.append(asterisk)
            logger.notice(
                "switch: Asterisk over ARI", metadata: ["url": "\(configuration.asterisk.url)", "app": "\(configuration.asterisk.app)"])
        }
        let center = try await CallCenter(
            store: store, switch: callSwitch, legRegistry: LegRegistry(ids: legIDs), logger: logger,
            recordingsDirectory: (configuration.dataDirectory as NSString).appendingPathComponent("recordings"),
            ivrMenus: configuration.ivrs, offerRingTimeout: .milliseconds(Int64(configuration.ringTimeoutSeconds * 1000)))
        logger.notice(
            "coccd starting",
            metadata: [
                "address": "\(scheme)://\(configuration.host):\(configuration.port)",
                "wsdl": "\(scheme)://\(configuration.host):\(configuration.port)/coccwi.php?wsdl",
                "data": "\(configuration.dataDirectory)", "store": "\(store.summary)", "teams": "\(center.directory.teams.count)",
            ])
        // The simulator's control surface only when the simulator carries the calls.
        let surface = (configuration.demo || configuration.simulate) && configuration.switchKind == "simulated" ? simulator : nil
        let cluster = try await ClusterStartup.join(
            configuration: configuration, nodeID: nodeID, scheme: scheme, store: store, center: center, logger: logger)
        if cluster == nil {
            // Calls a crash of the previous run left behind end now, with their events (see
            // TeamEngine+Recovery: the policy is to end them, not to adopt them). On a node of a
            // cluster a team's calls are ended by whichever node takes its lease next.
            let interrupted = await center.recoverInterruptedCalls()
            if interrupted > 0 { logger.notice("interrupted calls ended", metadata: ["calls": "\(interrupted)"]) }
        }
        let app = CoccApplication.make(
            configuration: configuration, center: center, metrics: metrics,
            simulator: surface, tls: tls, services: switchServices, cluster: cluster, logger: logger)
        // Live calls end with their hangup events before the store closes: the notification
        // reader does it at shutdown (SwitchNotificationService).
        try await app.runService()
        // The engine's queued writes (the hangups' events and records among them) reach the
        // store before it closes; closing the pool checkpoints the WAL.
        if !(await center.flushAllWrites(timeout: .seconds(10))) {
            logger.error(
                "some store writes could not be applied before stopping", metadata: ["reason": "\(center.storeWriteFailure ?? "timeout")"])
        }
        // The teams go to the other nodes at once, rather than when their leases run out.
        await cluster?.membership.leave()
        try await store.close()
        logger.notice("coccd stopped; state is on disk")
    }
}

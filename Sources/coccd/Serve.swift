import ArgumentParser
import CoccAsterisk
import CoccEngine
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
            COCCD_PORT, COCCD_DATA_DIR, COCCD_CORS_ORIGINS, COCCD_PUBLIC_URL, COCCD_SOAP_NAMESPACE,
            COCCD_MESSAGES, COCCD_MAX_BODY_BYTES, COCCD_IDLE_TIMEOUT, COCCD_REQUEST_TIMEOUT, COCCD_MAX_CONNECTIONS,
            COCCD_MAX_CONNECTIONS_PER_ADDRESS, COCCD_TLS_CERT, COCCD_TLS_KEY), then flags.
            With --tls-cert and --tls-key the server speaks HTTPS only, on the same port.
            """
    )

    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default 4580).") var port: Int?
    @OptionGroup var data: DataOptions
    @Option(help: "JSON configuration file; a bare name is looked up under Config/.") var config: String?
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

    func resolvedConfiguration() throws -> ServerConfiguration {
        var config = ServerConfiguration()
        if let file = self.config {
            var path = file
            if !FileManager.default.fileExists(atPath: path), FileManager.default.fileExists(atPath: "Config/\(file)") {
                path = "Config/\(file)"
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read configuration file \(file)")
            }
            config = try JSONDecoder().decode(ServerConfiguration.self, from: data)
        }
        config.apply(environment: ProcessEnvironment.all)
        if let host { config.host = host }
        if let port { config.port = port }
        if let dir = data.dataDirectory { config.dataDirectory = dir }
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

        let store = try DataOptions.openStore(in: configuration.dataDirectory)
        if configuration.demo, try DirectoryAdmin(store: store).seedDemoIfEmpty() {
            logger.notice("demo directory created", metadata: ["credentials": "\(DirectoryAdmin.demoCredentials)"])
        } else if configuration.demo {
            logger.notice("demo mode; directory kept", metadata: ["credentials": "\(DirectoryAdmin.demoCredentials)"])
        }
        // The embedded simulated switch, with the demo rules (see README: "Calls").
        // One persisted source of leg ids for the engine and the switch's incoming callers.
        let legIDs = try PersistedLegIDs(store: store, logger: logger)
        let simulator = SimulatedSwitch(rules: configuration.simulation, timing: .realtime, legIDs: legIDs)
        var callSwitch: any Switch = simulator
        var switchServices: [any Service] = []
        if configuration.switchKind == "asterisk" {
            let asterisk = AsteriskSwitch(configuration: configuration.asterisk.driverConfiguration, legIDs: legIDs, logger: logger)
            callSwitch = asterisk
            switchServices.append(asterisk)
            logger.notice(
                "switch: Asterisk over ARI", metadata: ["url": "\(configuration.asterisk.url)", "app": "\(configuration.asterisk.app)"])
        }
        let center = try CallCenter(
            store: store, switch: callSwitch, legRegistry: LegRegistry(ids: legIDs), logger: logger,
            recordingsDirectory: (configuration.dataDirectory as NSString).appendingPathComponent("recordings"),
            ivrMenus: configuration.ivrs, offerRingTimeout: .milliseconds(Int64(configuration.ringTimeoutSeconds * 1000)))
        logger.notice(
            "coccd starting",
            metadata: [
                "address": "\(scheme)://\(configuration.host):\(configuration.port)",
                "wsdl": "\(scheme)://\(configuration.host):\(configuration.port)/coccwi.php?wsdl",
                "data": "\(configuration.dataDirectory)", "teams": "\(center.directory.teams.count)",
            ])
        // The simulator's control surface only when the simulator carries the calls.
        let surface = (configuration.demo || configuration.simulate) && configuration.switchKind == "simulated" ? simulator : nil
        // Calls a crash of the previous run left behind end now, with their events (see
        // TeamEngine+Recovery: the policy is to end them, not to adopt them).
        let interrupted = await center.recoverInterruptedCalls()
        if interrupted > 0 { logger.notice("interrupted calls ended", metadata: ["calls": "\(interrupted)"]) }
        let app = CoccApplication.make(
            configuration: configuration, center: center, metrics: metrics,
            simulator: surface, tls: tls, services: switchServices, logger: logger)
        // Live calls end with their hangup events before the store closes: the notification
        // reader does it at shutdown (SwitchNotificationService).
        try await app.runService()
        // Every change was written when it was made; closing the pool checkpoints the WAL.
        try store.close()
        logger.notice("coccd stopped; state is on disk")
    }
}

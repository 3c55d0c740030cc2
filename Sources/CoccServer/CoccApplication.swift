public import CoccCatalogue
public import CoccEngine
public import CoccSwitch
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import CoccStore
public import CoccCampaigns
import Foundation
import ServiceLifecycle
public import HummingbirdCore
import HummingbirdTLS

/// Builds the coccd HTTP application: SOAP, HTTP form and CJI adapters over one catalogue,
/// plus `/metrics`.
///
/// ```swift
/// let app = CoccApplication.make(configuration: config, center: center, logger: logger)
/// try await app.runService()
/// ```
public enum CoccApplication {
    /// `simulator`, when given, adds the simulated switch's control surface under `/simulator/`.
    public static func router(
        configuration: ServerConfiguration, center: CallCenter, catalogue: Catalogue = .standard, metrics: OperationMetrics = OperationMetrics(),
        simulator: SimulatedSwitch? = nil, imports: ImportService? = nil, logger: Logger = Logger(label: "coccd")
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: OriginCORSMiddleware(origins: Set(configuration.demo ? ["*"] : configuration.corsOrigins)))
        let imports = imports ?? importService(configuration: configuration, center: center, logger: logger)
        let dispatcher = OperationDispatcher(catalogue: catalogue, center: center, configuration: configuration, metrics: metrics, imports: imports)
        SOAPAdapter(dispatcher: dispatcher).register(on: router)
        HTTPFormAdapter(dispatcher: dispatcher).register(on: router)
        CJIAdapter(dispatcher: dispatcher).register(on: router)
        PushAdapter(dispatcher: dispatcher).register(on: router)
        EventStreamAdapter(dispatcher: dispatcher).register(on: router)
        ImportTaskAdapter(dispatcher: dispatcher).register(on: router)
        if let simulator { SimulatorAdapter(simulator: simulator).register(on: router) }
        // Recordings, at the URLs getMonitor answers (`<webroot_address>getMonitor/<file>`).
        if let recordings = center.recordingsDirectory {
            router.add(middleware: FileMiddleware(recordings, urlBasePath: "/getMonitor", searchForIndexHtml: false))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: """
                coccd: COCC CTI server
                SOAP:  POST /coccwi.php   (WSDL: GET /coccwi.php?wsdl)
                HTTP:  GET|POST /coccinterfaces?EVENT=...
                CJI:   /coccinterface/astcc_CJI.js, /coccinterface/test_CJI.html

                """)))
        }
        return router
    }

    /// The HTTP/1 server settings: header cap, idle timeout, the slow-client guard, the
    /// connection caps (`limiter`), and HTTPS when `tls` is given.
    public static func server(
        configuration: ServerConfiguration, tls: TLSSettings? = nil, limiter: ConnectionLimiter? = nil
    ) -> HTTPServerBuilder {
        let limiter = limiter ?? ConnectionLimiter(maxConnections: configuration.maxConnections,
                                                   maxPerAddress: configuration.maxConnectionsPerAddress)
        let limits = ConnectionGuardHandler.Limits(
            requestTimeout: .seconds(Int64(configuration.requestTimeoutSeconds)),
            keepAliveTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)),
            pressureTimeout: .seconds(Int64(configuration.pressureIdleTimeoutSeconds)), maxBodyBytes: configuration.maxBodyBytes)
        var http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(limits: limits, limiter: limiter)],
            idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))
        http1.httpDecoder = .init(maxHeaderFieldSize: configuration.maxHeaderBytes, maxHeaderListSize: configuration.maxHeaderBytes, maxHeaderFieldCount: 100)
        let channel = http1
        return HTTPServerBuilder { responder in
            let plain = HTTP1Channel(responder: responder, configuration: channel)
            guard let tls else { return LimitedChannel(plain, limiter: limiter, answersRefusal: true) }
            return LimitedChannel(try TLSChannel(plain, tlsConfiguration: tls.configuration), limiter: limiter, answersRefusal: false)
        }
    }

    public static func make(
        configuration: ServerConfiguration, center: CallCenter, metrics: OperationMetrics = OperationMetrics(), simulator: SimulatedSwitch? = nil,
        tls: TLSSettings? = nil, logger: Logger
    ) -> some ApplicationProtocol {
        var sharedImports: ImportService?
        var services: [any Service] = [DirectoryWatcher(
            center: center, interval: .seconds(configuration.directoryPollSeconds),
            afterCallWorkLimit: configuration.afterCallWorkLimitSeconds > 0 ? configuration.afterCallWorkLimitSeconds : nil, logger: logger)]
        if let store = center.store as? SQLiteStore {
            var settings = EventDeliveryService.Settings()
            settings.maxAttempts = configuration.eventDeliveryMaxAttempts
            settings.timeout = configuration.eventDeliveryTimeoutSeconds
            settings.concurrency = configuration.eventDeliveryConcurrency
            services.append(EventDeliveryService(center: center, store: store, metrics: metrics, settings: settings, logger: logger))
            services.append(EventRetentionService(center: center, store: store, retention: configuration.eventRetentionHours * 3600, logger: logger))
            if let imports = importService(configuration: configuration, center: center, startAtOnce: true, logger: logger) {
                sharedImports = imports
                services.append(imports)
                var dialer = ProgressiveDialer.Settings()
                dialer.maxAttempts = configuration.dialerMaxAttempts
                dialer.retryDelay = configuration.dialerRetrySeconds
                services.append(ProgressiveDialer(center: center, campaigns: imports.campaigns, settings: dialer, logger: logger))
            }
        }
        return Application(
            router: router(configuration: configuration, center: center, metrics: metrics, simulator: simulator, imports: sharedImports, logger: logger),
            server: server(configuration: configuration, tls: tls),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "coccd"),
            services: services,
            logger: logger
        )
    }

    /// importWS over the embedded store, with the configured fetch policy and caps.
    /// `startAtOnce`: a file import for now starts when it is submitted (the served instance);
    /// otherwise at the service's next poll.
    public static func importService(configuration: ServerConfiguration, center: CallCenter, startAtOnce: Bool = false, logger: Logger) -> ImportService? {
        guard let store = center.store as? SQLiteStore else { return nil }
        var settings = ImportService.Settings()
        settings.policy = FetchPolicy(allowedHosts: configuration.importAllowedHosts, maxBytes: configuration.importMaxBytes,
                                      timeout: configuration.importTimeoutSeconds)
        settings.maxRows = configuration.importMaxRows
        let work = (configuration.dataDirectory as NSString).appendingPathComponent("imports")
        try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        settings.workDirectory = work
        settings.startAtOnce = startAtOnce
        return ImportService(campaigns: CampaignStore(store: store), settings: settings, clock: center.clock, logger: logger)
    }
}

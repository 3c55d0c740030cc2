public import CoccCampaigns
public import CoccCatalogue
public import CoccCluster
public import CoccEngine
public import CoccSimulator
public import CoccStorage
import CoccSwitch
import Crypto
import Foundation
import HTTPTypes
public import Hummingbird
public import HummingbirdCore
import HummingbirdTLS
public import Logging
public import NIOCore
public import ServiceLifecycle

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
        configuration: ServerConfiguration, center: CallCenter, catalogue: Catalogue = .standard,
        metrics: OperationMetrics = OperationMetrics(),
        simulator: SimulatedSwitch? = nil, imports: ImportService? = nil, cluster: ClusterRouting? = nil,
        logger: Logger = Logger(label: "coccd")
    ) -> Router<CoccRequestContext> {
        routes(
            configuration: configuration, center: center, catalogue: catalogue, metrics: metrics, simulator: simulator, imports: imports,
            cluster: cluster, logger: logger
        ).router
    }

    /// The router, and the operation endpoints over the same dispatcher for the lean path
    /// (``HotPathHandler``) that serves them ahead of the router.
    static func routes(
        configuration: ServerConfiguration, center: CallCenter, catalogue: Catalogue = .standard,
        metrics: OperationMetrics = OperationMetrics(),
        simulator: SimulatedSwitch? = nil, imports: ImportService? = nil, cluster: ClusterRouting? = nil,
        logger: Logger = Logger(label: "coccd")
    ) -> (router: Router<CoccRequestContext>, endpoints: HotEndpoints) {
        let router = Router(context: CoccRequestContext.self)
        router.add(middleware: OriginCORSMiddleware(origins: Set(configuration.demo ? ["*"] : configuration.corsOrigins)))
        let imports = imports ?? importService(configuration: configuration, center: center, logger: logger)
        let recordingURLs = recordingURLSigner(configuration: configuration, center: center, cluster: cluster, logger: logger)
        let dispatcher = OperationDispatcher(
            catalogue: catalogue, center: center, configuration: configuration, metrics: metrics, imports: imports,
            recordingURLs: recordingURLs, cluster: cluster)
        if let cluster { ClusterAdapter(dispatcher: dispatcher, routing: cluster).register(on: router) }
        let endpoints = HotEndpoints(
            dispatcher: dispatcher, soap: SOAPAdapter(dispatcher: dispatcher), form: HTTPFormAdapter(dispatcher: dispatcher),
            cji: CJIAdapter(dispatcher: dispatcher), push: PushAdapter(dispatcher: dispatcher),
            events: EventStreamAdapter(dispatcher: dispatcher), logger: logger, serverName: "coccd")
        endpoints.soap.register(on: router)
        endpoints.form.register(on: router)
        endpoints.cji.register(on: router)
        endpoints.push.register(on: router)
        endpoints.events.register(on: router)
        LiveViewAdapter(dispatcher: dispatcher).register(on: router)
        ImportTaskAdapter(dispatcher: dispatcher).register(on: router)
        if let simulator { SimulatorAdapter(simulator: simulator, center: center).register(on: router) }
        // Recordings, at the URLs getMonitor answers (`<webroot_address>getMonitor/<file>`), signed
        // unless the configuration asks for the old product's open URLs.
        if let recordings = center.recordingsDirectory {
            if let recordingURLs { router.add(middleware: SignedRecordingMiddleware(signer: recordingURLs)) }
            router.add(middleware: FileMiddleware(recordings, urlBasePath: "/getMonitor", searchForIndexHtml: false))
        }
        // Health for load balancers and ops: 503 while the switch is unreachable (calls fail
        // with their operations' failure codes then; everything else keeps working) or while
        // the store does not answer or take writes (changes answer BackMsg_85 then).
        router.get("/health") { _, _ in
            let connected = center.callSwitch.isConnected
            let storeProblem = await StoreHealth.problem(center: center, timeout: .seconds(2))
            let healthy = connected && storeProblem == nil
            var fields = [("status", healthy ? "ok" : "degraded"), ("switch", connected ? "connected" : "disconnected")]
            fields.append(("store", storeProblem == nil ? "ok" : "unavailable"))
            if let storeProblem { fields.append(("store_error", storeProblem)) }
            return Response(
                status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: StoreHealth.json(fields))))
        }
        // For a load balancer: live while the process answers at all; ready while it can serve
        // (its store answers, and on a node of a cluster it has joined and not left).
        router.get("/health/live") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"live"}"#))
            )
        }
        router.get("/health/ready") { _, _ in
            let storeProblem = await StoreHealth.problem(center: center, timeout: .seconds(2))
            let member = cluster.map { $0.membership.isServing } ?? true
            let ready = storeProblem == nil && member
            var fields = [("status", ready ? "ready" : "unready"), ("store", storeProblem == nil ? "ok" : "unavailable")]
            if let storeProblem { fields.append(("store_error", storeProblem)) }
            fields.append(("switch", center.callSwitch.isConnected ? "connected" : "disconnected"))
            if let cluster {
                fields.append(("node", cluster.membership.nodeID))
                fields.append(("teams", String(cluster.membership.heldLeases.count)))
            }
            return Response(
                status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: StoreHealth.json(fields))))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        PagesAdapter(simulator: simulator != nil).register(on: router)
        return (router, endpoints)
    }

    /// getMonitor's URL signer, with the data directory's key; nil when signing is switched off
    /// or there are no recordings. A key that cannot be stored gives URLs that end with the process.
    static func recordingURLSigner(
        configuration: ServerConfiguration, center: CallCenter, cluster: ClusterRouting? = nil, logger: Logger
    ) -> RecordingURLSigner? {
        guard configuration.recordingURLsSigned, center.recordingsDirectory != nil else { return nil }
        let lifetime = configuration.recordingURLLifetimeSeconds
        // On a node of a cluster a URL another node signed must check here too.
        if let cluster { return RecordingURLSigner(key: cluster.derivedKey("recording urls"), lifetime: lifetime, clock: center.clock) }
        do {
            return try RecordingURLSigner(dataDirectory: configuration.dataDirectory, lifetime: lifetime, clock: center.clock)
        } catch {
            logger.error("recording URLs are signed with a key for this run only", metadata: ["error": "\(error)"])
            return RecordingURLSigner(key: .init(size: .bits256), lifetime: lifetime, clock: center.clock)
        }
    }

    /// The HTTP/1 server settings: header cap, idle timeout, the slow-client guard, the
    /// connection caps (`limiter`), and HTTPS when `tls` is given.
    /// `endpoints`: served by ``HotPathHandler`` ahead of the router; nil: every request goes to the router.
    static func server(
        configuration: ServerConfiguration, tls: TLSSettings? = nil, limiter: ConnectionLimiter? = nil, endpoints: HotEndpoints? = nil
    ) -> HTTPServerBuilder {
        let limiter =
            limiter
            ?? ConnectionLimiter(
                maxConnections: configuration.maxConnections,
                maxPerAddress: configuration.maxConnectionsPerAddress)
        let limits = ConnectionGuardHandler.Limits(
            requestTimeout: .seconds(Int64(configuration.requestTimeoutSeconds)),
            keepAliveTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)),
            pressureTimeout: .seconds(Int64(configuration.pressureIdleTimeoutSeconds)), maxBodyBytes: configuration.maxBodyBytes)
        var http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(limits: limits, limiter: limiter)],
            idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))
        http1.httpDecoder = .init(
            maxHeaderFieldSize: configuration.maxHeaderBytes, maxHeaderListSize: configuration.maxHeaderBytes, maxHeaderFieldCount: 100)
        let channel = http1
        return HTTPServerBuilder { responder in
            let plain = HotPathChannel(HTTP1Channel(responder: responder, configuration: channel), endpoints: endpoints)
            guard let tls else { return LimitedChannel(plain, limiter: limiter, answersRefusal: true) }
            return LimitedChannel(try TLSChannel(plain, tlsConfiguration: tls.configuration), limiter: limiter, answersRefusal: false)
        }
    }

    /// `onServerRunning` is told the listening channel once the server accepts connections (its
    /// `localAddress` has the port when `configuration.port` is 0).
    public static func make(
        configuration: ServerConfiguration, center: CallCenter, metrics: OperationMetrics = OperationMetrics(),
        simulator: SimulatedSwitch? = nil,
        tls: TLSSettings? = nil, services extra: [any Service] = [], cluster: ClusterRouting? = nil,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }, logger: Logger
    ) -> some ApplicationProtocol {
        // Tokens signed with the data directory's key outlive a restart: open pages carry on.
        // On a node of a cluster the key is the cluster's: a page's token is good on every node.
        if let cluster {
            center.authenticator.tokens.useKey(cluster.derivedKey("access tokens"))
        } else {
            do {
                center.authenticator.tokens.useKey(
                    try RecordingURLSigner.loadOrCreateKey(in: configuration.dataDirectory, fileName: AccessTokens.keyFileName))
            } catch {
                logger.error("access tokens are signed with a key for this run only", metadata: ["error": "\(error)"])
            }
        }
        // The switch driver (if it is a service) starts first, so it is connecting while the rest
        // starts, and stops last, after the notification reader has ended the live calls.
        var services: [any Service] =
            extra + [
                SwitchNotificationService(center: center, logger: logger),
                DirectoryWatcher(
                    center: center, interval: .seconds(configuration.directoryPollSeconds),
                    afterCallWorkLimit: configuration.afterCallWorkLimitSeconds > 0 ? configuration.afterCallWorkLimitSeconds : nil,
                    logger: logger),
            ]
        // Delivery, retention, imports and the dialer run on whichever store the server opened:
        // they ask the store protocols (CoccStorage), never a concrete store.
        var delivery = EventDeliveryService.Settings()
        delivery.maxAttempts = configuration.eventDeliveryMaxAttempts
        delivery.timeout = configuration.eventDeliveryTimeoutSeconds
        delivery.concurrency = configuration.eventDeliveryConcurrency
        // A team's webhooks are posted by the node that owns it, from the stored cursor.
        if let membership = cluster?.membership {
            delivery.ownsTeam = { membership.holds(team: $0) }
            // First, so that it stops last (ServiceGroup stops in reverse order): the leases
            // are renewed while the live calls end and their writes are fenced with them.
            services.insert(membership, at: 0)
        }
        services.append(EventDeliveryService(center: center, store: center.store, metrics: metrics, settings: delivery, logger: logger))
        services.append(
            EventRetentionService(center: center, store: center.store, retention: configuration.eventRetentionHours * 3600, logger: logger))
        var leasesHere: (@Sendable () -> [StoreFence])?
        if let membership = cluster?.membership { leasesHere = { membership.heldLeases } }
        let imports = importService(
            configuration: configuration, center: center, startAtOnce: true, leasesHere: leasesHere, logger: logger)
        services.append(imports)
        var dialer = ProgressiveDialer.Settings()
        dialer.maxAttempts = configuration.dialerMaxAttempts
        dialer.retryDelay = configuration.dialerRetrySeconds
        services.append(ProgressiveDialer(center: center, campaigns: imports.campaigns, settings: dialer, logger: logger))
        let (router, endpoints) = routes(
            configuration: configuration, center: center, metrics: metrics, simulator: simulator, imports: imports, cluster: cluster,
            logger: logger)
        return Application(
            router: router,
            server: server(configuration: configuration, tls: tls, endpoints: configuration.leanPath ? endpoints : nil),
            // A listen queue as long as Linux allows by default (somaxconn 4096), not Hummingbird's
            // 256: thousands of pages reconnecting at once (after a proxy or network blip)
            // overflow 256, and each SYN the kernel drops costs its page a 1-s retransmit.
            // Measured: 10,000 subscribers connected in ~24 s with 256 (push_benchmark.sh).
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "coccd", backlog: 4096),
            services: services,
            onServerRunning: onServerRunning,
            logger: logger
        )
    }

    /// importWS over the embedded store, with the configured fetch policy and caps.
    /// `startAtOnce`: a file import for now wakes the worker when it is submitted (the served
    /// instance); otherwise the worker finds it at its next poll.
    public static func importService(
        configuration: ServerConfiguration, center: CallCenter, startAtOnce: Bool = false,
        leasesHere: (@Sendable () -> [StoreFence])? = nil, logger: Logger
    ) -> ImportService {
        var settings = ImportService.Settings()
        settings.policy = FetchPolicy(
            allowedHosts: configuration.importAllowedHosts, maxBytes: configuration.importMaxBytes,
            timeout: configuration.importTimeoutSeconds)
        settings.maxRows = configuration.importMaxRows
        settings.csvLimits.maxFieldsPerRow = configuration.importMaxFieldsPerRow
        settings.csvLimits.maxRowBytes = configuration.importMaxRowBytes
        let work = (configuration.dataDirectory as NSString).appendingPathComponent("imports")
        try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        settings.workDirectory = work
        settings.startAtOnce = startAtOnce
        settings.leasesHere = leasesHere
        return ImportService(campaigns: center.store, settings: settings, clock: center.clock, logger: logger)
    }
}

public import CoccCampaigns
public import CoccCatalogue
public import CoccCluster
public import CoccEngine
public import CoccOperations
import CoccStorage
public import Logging

/// Runs catalogue operations for the adapters: one place for logging, metrics and the choice
/// of message style, so the three interfaces behave the same.
public struct OperationDispatcher: Sendable {
    public let catalogue: Catalogue
    public let center: CallCenter
    public let configuration: ServerConfiguration
    public let metrics: OperationMetrics
    /// importWS and the campaign data, where the store has them.
    public let imports: ImportService?
    /// Signs getMonitor's URLs and checks them on the file route; nil: unsigned, as the old product.
    public let recordingURLs: RecordingURLSigner?
    /// On a node of a cluster: where each team is served, and how to reach its node.
    public let cluster: ClusterRouting?

    public init(
        catalogue: Catalogue, center: CallCenter, configuration: ServerConfiguration, metrics: OperationMetrics,
        imports: ImportService? = nil,
        recordingURLs: RecordingURLSigner? = nil, cluster: ClusterRouting? = nil
    ) {
        self.cluster = cluster
        self.catalogue = catalogue
        self.center = center
        self.configuration = configuration
        self.metrics = metrics
        self.imports = imports
        self.recordingURLs = recordingURLs
    }

    /// Runs the operation and returns its reply with the message style it is to be written in.
    /// On a node of a cluster, an operation of a team another node owns runs there
    /// (``ClusterRouting``) and its reply is written here, as a local one would be.
    public func run(_ operation: Operation, _ request: OperationRequest, webroot: String, logger: Logger) async -> (Reply, MessageStyle) {
        let start = ContinuousClock.now
        var logger = logger
        logger[metadataKey: "operation"] = "\(operation.descriptor.name)"
        logger[metadataKey: "interface"] = "\(request.interface.rawValue)"
        let team = teamID(of: request)
        let reply: Reply
        if let cluster, let team {
            reply = await cluster.run(team: team, operation: operation.descriptor.name, request: request, webroot: webroot, logger: logger)
            {
                await execute(operation, request, team: team, webroot: webroot, logger: logger)
            }
        } else {
            reply = await execute(operation, request, team: team, webroot: webroot, logger: logger)
        }
        let elapsed = ContinuousClock.now - start
        metrics.record(operation: operation.descriptor.name, interface: request.interface.rawValue, code: reply.code, duration: elapsed)
        logger.debug("operation done", metadata: ["code": "\(reply.code)", "message": "\(reply.message.render(.code))"])
        return (reply, style(for: request))
    }

    /// The operation's answer without suspending, when it has an immediate handler and can give
    /// one now (see ``Operation``); nil: call ``run(_:_:webroot:logger:)``. Logged and counted as
    /// `run` does. On a node of a cluster only for a team this node holds: the others forward.
    public func runImmediately(_ operation: Operation, _ request: OperationRequest, webroot: String, logger: Logger) -> (
        Reply, MessageStyle
    )? {
        guard let immediate = operation.immediate else { return nil }
        let team = teamID(of: request)
        if let cluster, let team, !cluster.membership.holds(team: team) { return nil }
        let start = ContinuousClock.now
        var logger = logger
        logger[metadataKey: "operation"] = "\(operation.descriptor.name)"
        logger[metadataKey: "interface"] = "\(request.interface.rawValue)"
        guard let reply = immediate(request, context(for: request, webroot: webroot, logger: logger)) else { return nil }
        metrics.record(
            operation: operation.descriptor.name, interface: request.interface.rawValue, code: reply.code,
            duration: ContinuousClock.now - start)
        logger.debug("operation done", metadata: ["code": "\(reply.code)", "message": "\(reply.message.render(.code))"])
        return (reply, style(for: request))
    }

    /// What a handler of either kind is given.
    func context(for request: OperationRequest, webroot: String, logger: Logger) -> OperationContext {
        OperationContext(
            center: center, logger: logger, webrootAddress: webroot, imports: imports, clientAddress: request.clientAddress,
            recordingURLs: recordingURLs)
    }

    /// Runs the operation here: its handler, then (when it queued writes) the wait until they are stored.
    func execute(_ operation: Operation, _ request: OperationRequest, team: Int64?, webroot: String, logger: Logger) async -> Reply {
        let before = team.flatMap { center.loadedEngine(team: $0)?.journal.enqueuedCount } ?? 0
        var reply = await operation(request, context(for: request, webroot: webroot, logger: logger))
        // The change is durable before the client hears of it: wait for the team's queued
        // writes, when this operation (or one beside it) queued any; a read-only operation
        // answers from memory even while the store is away.
        if let team, let engine = center.loadedEngine(team: team), engine.journal.enqueuedCount != before,
            !(await engine.journal.flush(timeout: configuration.storeWriteTimeout))
        {
            logger.error(
                "store did not take the operation's writes in time; answered as a storage error",
                metadata: ["team_id": "\(team)", "reason": "\(engine.journal.failure ?? "timeout")", "code": "\(reply.code)"])
            // BackMsg_85 is the manual's "数据存储错误" (data storage error): where an operation
            // has no storage failure of its own, the manual's words for one.
            reply = .failure(.storageError)
        }
        return reply
    }

    /// The team the request names (`orgidentity`), if the directory has it.
    func teamID(of request: OperationRequest) -> Int64? {
        let identity = request.trimmed("orgidentity")
        return identity.isEmpty ? nil : center.directory.team(identity: identity)?.id
    }

    /// The request's `lang`, else the team's language, else the server's setting.
    func style(for request: OperationRequest) -> MessageStyle {
        if let lang = request.parameters["lang"], !lang.isEmpty {
            return .resolve(serverDefault: configuration.messageStyle, requestLanguage: lang)
        }
        let identity = request.trimmed("orgidentity")
        if !identity.isEmpty, let team = center.directory.team(identity: identity), !team.language.isEmpty {
            return .text(MessageLanguage(code: team.language))
        }
        return configuration.messageStyle
    }
}

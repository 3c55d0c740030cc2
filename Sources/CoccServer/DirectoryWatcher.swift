public import CoccEngine
import CoccStorage
public import Foundation
public import Logging
public import ServiceLifecycle

/// Reloads the directory snapshot when provisioning (the CLI, another process) changed it, and
/// ends after-call work that outlasted the configured limit.
/// A `Service`: it stops with the application's graceful shutdown.
public struct DirectoryWatcher: Service {
    /// Also ends after-call work past this limit, on the same tick; nil: no limit.
    var afterCallWorkLimit: TimeInterval?
    let center: CallCenter
    let interval: Duration
    let logger: Logger

    public init(center: CallCenter, interval: Duration, afterCallWorkLimit: TimeInterval? = nil, logger: Logger) {
        self.afterCallWorkLimit = afterCallWorkLimit
        self.center = center
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return  // shutting down
            }
            do {
                try await center.reloadDirectoryIfChanged(logger: logger)
            } catch {
                logger.error("directory reload failed", metadata: ["error": "\(error)"])
            }
            if let limit = afterCallWorkLimit { await center.expireAfterCallWork(olderThan: limit) }
        }
    }
}

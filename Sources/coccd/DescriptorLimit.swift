import CoccServer
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's file descriptor limit, made to fit the connection cap: the soft limit is raised
/// to the hard one, and if that is still too low for `maxConnections` (plus descriptors for the
/// database, recordings, imports and outgoing webhooks), the cap is lowered. Reaching the
/// descriptor limit is what locks every client out; the cap refuses connections before that.
enum DescriptorLimit {
    /// Descriptors kept for everything that is not a client connection.
    static let reserve: rlim_t = 256

    static func prepare(_ configuration: inout ServerConfiguration, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resourceNoFile, &raised) == 0 { limit = raised }
        }
        let usable = limit.rlim_cur > reserve * 2 ? limit.rlim_cur - reserve : limit.rlim_cur / 2
        if rlim_t(configuration.maxConnections) > usable {
            logger.warning(
                "maxConnections lowered to fit the descriptor limit",
                metadata: [
                    "maxConnections": "\(configuration.maxConnections)", "lowered": "\(usable)", "RLIMIT_NOFILE": "\(limit.rlim_cur)",
                ])
            configuration.maxConnections = Int(usable)
        }
        logger.info(
            "connection caps",
            metadata: [
                "maxConnections": "\(configuration.maxConnections)", "perAddress": "\(configuration.maxConnectionsPerAddress)",
                "RLIMIT_NOFILE": "\(limit.rlim_cur)",
            ])
    }

    #if canImport(Glibc)
        static var resourceNoFile: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
    #else
        static var resourceNoFile: Int32 { RLIMIT_NOFILE }
    #endif
}

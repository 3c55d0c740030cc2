import Hummingbird

/// The address clients reach this server at: the configured public URL, else the request's Host.
enum PublicBase {
    /// `scheme://host[:port]`, without a trailing slash.
    static func url(for request: Request, configuration: ServerConfiguration) -> String {
        url(authority: request.head.authority, configuration: configuration)
    }

    /// As ``url(for:configuration:)``, from the request's authority (its Host).
    static func url(authority: String?, configuration: ServerConfiguration) -> String {
        var base = configuration.publicURL
        if base.isEmpty {
            // Served over TLS (`--tls-cert`), the addresses clients are given are https too.
            let scheme = configuration.tlsCertificate.isEmpty ? "http" : "https"
            base = "\(scheme)://\(authority ?? "\(configuration.host):\(configuration.port)")"
        }
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// The manual's `webroot_address` (ending with `/`): configured, else the public base.
    static func webroot(for request: Request, configuration: ServerConfiguration) -> String {
        webroot(authority: request.head.authority, configuration: configuration)
    }

    /// As ``webroot(for:configuration:)``, from the request's authority (its Host).
    static func webroot(authority: String?, configuration: ServerConfiguration) -> String {
        let configured = configuration.webrootAddress
        if !configured.isEmpty { return configured.hasSuffix("/") ? configured : configured + "/" }
        return url(authority: authority, configuration: configuration) + "/"
    }
}

import Hummingbird

/// The address clients reach this server at: the configured public URL, else the request's Host.
enum PublicBase {
    /// `scheme://host[:port]`, without a trailing slash.
    static func url(for request: Request, configuration: ServerConfiguration) -> String {
        var base = configuration.publicURL
        if base.isEmpty {
            // Served over TLS (`--tls-cert`), the addresses clients are given are https too.
            let scheme = configuration.tlsCertificate.isEmpty ? "http" : "https"
            base = "\(scheme)://\(request.head.authority ?? "\(configuration.host):\(configuration.port)")"
        }
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// The manual's `webroot_address` (ending with `/`): configured, else the public base.
    static func webroot(for request: Request, configuration: ServerConfiguration) -> String {
        let configured = configuration.webrootAddress
        if !configured.isEmpty { return configured.hasSuffix("/") ? configured : configured + "/" }
        return url(for: request, configuration: configuration) + "/"
    }
}

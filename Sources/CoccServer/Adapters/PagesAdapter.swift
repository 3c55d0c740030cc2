import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The pages coccd serves from its binary: the start page `/`, the agent desk `/desk/`, the
/// wallboard `/wallboard/`, the simulator panel `/simulator/` (demo and `--simulate` only) and
/// their shared script and style under `/pages/`. Plain HTML, CSS and JavaScript, built only on
/// the public interfaces (see `Sources/CoccServer/Pages`).
struct PagesAdapter: Sendable {
    /// Whether the simulated switch's control surface is served.
    let simulator: Bool

    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
    }

    static func asset(_ bytes: [UInt8], _ type: String) -> Asset {
        Asset(body: ByteBuffer(bytes: bytes), contentType: type)
    }

    static let html = "text/html; charset=utf-8"
    static let javascript = "application/javascript; charset=utf-8"

    func register(on router: Router<CoccRequestContext>) {
        // The start page hides the simulator's link where there is no simulator.
        let start = String(decoding: PackageResources.index_html, as: UTF8.self)
            .replacingOccurrences(of: "{{simulator}}", with: simulator ? "" : "hidden")
        var assets: [String: Asset] = [
            "/": Asset(body: ByteBuffer(string: start), contentType: Self.html),
            "/desk/": Self.asset(PackageResources.desk_html, Self.html),
            "/desk/desk.js": Self.asset(PackageResources.desk_js, Self.javascript),
            "/wallboard/": Self.asset(PackageResources.wallboard_html, Self.html),
            "/wallboard/wallboard.js": Self.asset(PackageResources.wallboard_js, Self.javascript),
            "/pages/cocc-pages.js": Self.asset(PackageResources.cocc_pages_js, Self.javascript),
            "/pages/cocc.css": Self.asset(PackageResources.cocc_css, "text/css; charset=utf-8"),
        ]
        assets["/pages/start.js"] = Self.asset(PackageResources.start_js, Self.javascript)
        if simulator {
            assets["/simulator/"] = Self.asset(PackageResources.simulator_html, Self.html)
            assets["/simulator/simulator.js"] = Self.asset(PackageResources.simulator_js, Self.javascript)
        }
        for (path, asset) in assets {
            // The router treats `/desk` and `/desk/` alike; the pages link by absolute paths.
            router.get(RouterPath(path)) { _, _ in Self.response(asset) }
        }
    }

    static func response(_ asset: Asset) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: asset.contentType, .cacheControl: "no-cache",
                // The pages load only their own scripts and talk only to this server.
                .contentSecurityPolicy:
                    "default-src 'self'; script-src 'self'; style-src 'self'; media-src 'self'; connect-src 'self'; frame-ancestors 'none'",
                .xContentTypeOptions: "nosniff",
            ],
            body: .init(byteBuffer: asset.body))
    }
}

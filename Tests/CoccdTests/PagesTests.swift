import CoccOperations
import CoccServer
import CoccSimulator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The pages coccd serves from its binary (the browser scenarios are in
/// Tests/clients/desk_browser_test.py, in a real Chromium).
@Suite("pages")
struct PagesTests {
    static func router(_ f: Fixture, simulator: SimulatedSwitch?) -> some ApplicationProtocol {
        Application(router: CoccApplication.router(configuration: f.configuration, center: f.center, simulator: simulator))
    }

    @Test
    func everyPageAndAssetIsServedWithItsTypeAndAStrictPolicy() async throws {
        let f = try await Fixture()
        try await Self.router(f, simulator: f.pbx).test(.router) { client async throws in
            let pages: [(String, String, String)] = [
                ("/", "text/html", "/desk/"), ("/desk/", "text/html", "role=\"status\""), ("/desk", "text/html", "desk.js"),
                ("/wallboard/", "text/html", "wallboard.js"), ("/simulator/", "text/html", "simulator.js"),
                ("/desk/desk.js", "application/javascript", "pwdtype: 'token'"),
                ("/wallboard/wallboard.js", "application/javascript", "view=wallboard"),
                ("/simulator/simulator.js", "application/javascript", "/simulator/inbound"),
                ("/pages/cocc-pages.js", "application/javascript", "End ACW"), ("/pages/start.js", "application/javascript", "origin"),
                ("/pages/cocc.css", "text/css", "@media"),
            ]
            for (path, type, marker) in pages {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
                    #expect(String(buffer: response.body).contains(marker), "\(path)")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self';") == true, "\(path)")
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                }
            }
            // With a simulator the start page links its panel.
            let start = try await client.execute(uri: "/", method: .get) { String(buffer: $0.body) }
            #expect(start.contains("<li ><a id=\"link-simulator\""))
        }
    }

    @Test
    func withoutASimulatorThereIsNoPanelAndItsLinkIsHidden() async throws {
        let f = try await Fixture()
        try await Self.router(f, simulator: nil).test(.router) { client async throws in
            #expect(try await client.execute(uri: "/simulator/", method: .get) { $0.status } == .notFound)
            let start = try await client.execute(uri: "/", method: .get) { String(buffer: $0.body) }
            #expect(start.contains("<li hidden><a id=\"link-simulator\""))
        }
    }

    /// The panel logs in with an account's token, never with a password in a URL; an agent's
    /// token does not open it.
    @Test
    func theSimulatorTakesAnAccountsTokenOnly() async throws {
        let f = try await Fixture()
        try await Self.router(f, simulator: f.pbx).test(.router) { client async throws in
            let (_, account) = try await AccessTokenTests.token(client, "orgidentity=demo&usertype=account&user=admin&password=admin123")
            let (_, agent) = try await AccessTokenTests.token(client, "orgidentity=demo&usertype=agent&user=8001&password=123456")
            let placed = try await client.execute(
                uri: "/simulator/inbound?token=\(try #require(account))", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "from=111&to=6001")
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(placed.0 == .ok && placed.1.contains("\"uniqueid\""))
            let legs = try await client.execute(uri: "/simulator/legs?token=\(try #require(account))", method: .get) {
                String(buffer: $0.body)
            }
            #expect(legs.contains("\"number\":\"111\""))
            #expect(try await client.execute(uri: "/simulator/legs?token=\(try #require(agent))", method: .get) { $0.status } == .forbidden)
        }
    }
}

import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccServer
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Tokens instead of passwords: what the pages log in with once (a POST body), then use as
/// `pwdtype=token` on every interface and as `token=` on the streams.
@Suite("access tokens")
struct AccessTokenTests {
    static func token(_ client: some TestClientProtocol, _ form: String) async throws -> (HTTPResponse.Status, String?) {
        try await client.execute(
            uri: "/coccinterface/pushtoken", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: form)
        ) { response in
            let json = try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
            return (response.status, json?["token"] as? String)
        }
    }

    @Test
    func aPostedLoginGivesATokenThatEveryInterfaceTakesAsPwdtypeToken() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let (status, token) = try await Self.token(client, "orgidentity=demo&usertype=agent&user=8001&password=123456")
            #expect(status == .ok)
            let agentToken = try #require(token)
            let credentials = Fixture.agent8001.with(["pwdtype": "token", "password": agentToken])
            for interface in Interface.allCases {
                // The CJI answers code 3 to a login of an agent already logged in (manual 5.1).
                #expect(try await call(client, interface, "login", credentials).code == (interface == .cji ? 3 : 1), "\(interface)")
                #expect(try await call(client, interface, "agentStatus", credentials).extra?.hasPrefix("1-idle,") == true, "\(interface)")
            }
            // A token buys no fresh token: only a password does.
            let renewed = try await Self.token(client, "orgidentity=demo&usertype=agent&user=8001&pwdtype=token&password=\(agentToken)")
            #expect(renewed.0 == .forbidden && renewed.1 == nil)
            // The same token as somebody else, in another team, or altered: refused as a wrong password.
            #expect(try await call(client, .http, "agentStatus", credentials.with(["user": "8002"])).message == "BackMsg_03")
            #expect(try await call(client, .http, "agentStatus", credentials.with(["orgidentity": "other"])).message == "BackMsg_03")
            let altered = String(agentToken.dropLast()) + (agentToken.hasSuffix("0") ? "1" : "0")
            #expect(try await call(client, .http, "agentStatus", credentials.with(["password": altered])).message == "BackMsg_03")
            // An agent's token is not an account's.
            let asAccount = Fixture.account.with(["user": "8001", "pwdtype": "token", "password": agentToken])
            #expect(try await call(client, .http, "teamStatus", asAccount.with(["status": "all"])).message == "BackMsg_63")
            // A refused token counts as a failure in the throttle, like a wrong password.
            let key = LoginThrottle.Key(team: "demo", usertype: "agent", user: "8001", address: "")
            #expect(f.center.authenticator.throttle.failures(key) >= 1)
        }
    }

    @Test
    func anAccountTokenActsForTheAccount() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let (status, token) = try await Self.token(client, "orgidentity=demo&usertype=account&user=admin&password=admin123")
            #expect(status == .ok)
            let account = Fixture.account.with(["pwdtype": "token", "password": try #require(token)])
            _ = try await call(client, .http, "login", Fixture.agent8001)
            #expect(try await call(client, .http, "teamStatus", account.with(["status": "idle"])).message == "8001:idle")
            // Wrong credentials: 403, no token.
            let refused = try await Self.token(client, "orgidentity=demo&usertype=account&user=admin&password=nope")
            #expect(refused.0 == .forbidden && refused.1 == nil)
            // An account's answer names no long-poll channel (those are agents').
            let body = try await client.execute(
                uri: "/coccinterface/pushtoken", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "orgidentity=demo&usertype=account&user=admin&password=admin123")
            ) { String(buffer: $0.body) }
            #expect(!body.contains("channel") && body.contains("\"expires_in\":43200"))
        }
    }

    /// A token dies with its account: disabling the account closes the streams' door too.
    @Test
    func aDisabledAccountsTokensStopWorking() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let (_, agentToken) = try await Self.token(client, "orgidentity=demo&usertype=agent&user=8001&password=123456")
            let (_, accountToken) = try await Self.token(client, "orgidentity=demo&usertype=account&user=admin&password=admin123")
            let status = { (token: String?) async throws -> HTTPResponse.Status in
                try await client.execute(uri: "/coccinterface/state?token=\(token ?? "")", method: .get) { $0.status }
            }
            #expect(try await status(agentToken) == .ok)
            #expect(try await status(accountToken) == .ok)
            try await f.admin.setAccount(team: "demo", username: "admin", enabled: false)
            try await f.center.reloadDirectoryIfChanged(logger: Fixture.quiet)
            #expect(try await status(agentToken) == .forbidden)
            #expect(try await status(accountToken) == .forbidden)
            let credentials = Fixture.agent8001.with(["pwdtype": "token", "password": try #require(agentToken)])
            #expect(try await call(client, .http, "agentStatus", credentials).message == "BackMsg_05")
        }
    }

    /// The served instance signs with the data directory's key: a page's token still works after
    /// a restart. The key file is private.
    @Test
    func tokensOutliveARestartOfTheServedInstance() async throws {
        let f = try await Fixture()
        let issued = try await f.liveApplication().test(.live) { client async throws -> String? in
            try await Self.token(client, "orgidentity=demo&usertype=agent&user=8001&password=123456").1
        }
        let keyFile = f.directory.appendingPathComponent(AccessTokens.keyFileName).path
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let token = try #require(issued)
        // A new process: a new call center over the same data directory.
        var next = f
        let center = try await f.restarted()
        next.configuration.port = 0
        let app = CoccApplication.make(configuration: next.configuration, center: center, logger: Fixture.quiet)
        try await app.test(.live) { client async throws in
            let credentials = Fixture.agent8001.with(["pwdtype": "token", "password": token])
            #expect(try await call(client, .http, "login", credentials).code == 1)
        }
        // Without the key (another data directory), the same token is refused.
        let stranger = AccessTokens()
        #expect(stranger.verify(token, in: center.directory) == nil)
    }
}

import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("login and logout")
struct LoginTests {
    @Test(arguments: Interface.allCases)
    func loginDescribesEachGroup(_ interface: Interface) async throws {
        let f = try await Fixture()
        let agentID = try #require(f.center.directory.agent(team: 1, number: "8001")).id
        try await f.application().test(.router) { client async throws in
            let outcome = try await call(client, interface, "login", Fixture.agent8001)
            #expect(
                outcome
                    == Outcome(
                        code: 1, message: "BackMsg_04",
                        extra:
                            "agent_group_id=1&groupname=Sales&status=idel&groupadmin=yes&agenttype=static&agentline=online&errorcall=yes&agent_id=\(agentID)|||"
                            + "agent_group_id=2&groupname=Support&status=idel&groupadmin=yes&agenttype=dynamic&agentline=offline&errorcall=yes&agent_id=\(agentID)|||"
                    ))
            // Logging in again keeps working; only the CJI says "already logged in" (code 3).
            let again = try await call(client, interface, "login", Fixture.agent8001)
            #expect(again.code == (interface == .cji ? 3 : 1))
            #expect(again.message == "BackMsg_04")
        }
    }

    @Test(arguments: Interface.allCases)
    func loginFailures(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let cases: [([String: String], String)] = [
                (Fixture.agent8001.with(["password": "wrong"]), "BackMsg_03"),
                (Fixture.agent8001.with(["user": "9999"]), "BackMsg_03"),
                (Fixture.agent8001.with(["orgidentity": "nope"]), "BackMsg_02"),
                (Fixture.agent8001.with(["orgidentity": ""]), "BackMsg_01"),
                (Fixture.agent8001.with(["password": ""]), "BackMsg_01"),
                (Fixture.agent8001.with(["pwdtype": "sha1"]), "BackMsg_28"),
                (Fixture.agent8001.with(["usertype": "robot"]), "BackMsg_28"),
                (Fixture.account.with(["password": "wrong"]), "BackMsg_63"),
                (Fixture.account.with(["user": "ghost"]), "BackMsg_63"),
                (Fixture.agent8001.with(["pwdtype": "md5", "password": "not-a-hash"]), "BackMsg_03"),
                // Another team's agent 8001 with its own password is not demo's 8001.
                (Fixture.agent8001.with(["password": "otherpw"]), "BackMsg_03"),
            ]
            for (parameters, message) in cases {
                #expect((try await call(client, interface, "login", parameters)) == Outcome(code: 2, message: message), "\(parameters)")
            }
        }
    }

    @Test(arguments: Interface.allCases)
    func md5PasswordsInEitherCase(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            for hash in ["e10adc3949ba59abbe56e057f20f883e", "E10ADC3949BA59ABBE56E057F20F883E"] {
                let outcome = try await call(client, interface, "login", Fixture.agent8001.with(["pwdtype": "md5", "password": hash]))
                #expect(outcome.message == "BackMsg_04")
            }
        }
    }

    @Test(arguments: Interface.allCases)
    func accountLoginAndDisabledAccount(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            #expect((try await call(client, interface, "login", Fixture.account)) == Outcome(code: 1, message: "BackMsg_04", extra: ""))
            try await f.admin.setAccount(team: "demo", username: "admin", enabled: false)
            try await f.center.reloadDirectoryIfChanged(logger: .init(label: "test"))
            // Agents of a disabled account cannot act either.
            #expect((try await call(client, interface, "login", Fixture.agent8001)) == Outcome(code: 2, message: "BackMsg_05"))
            #expect((try await call(client, interface, "login", Fixture.account)) == Outcome(code: 2, message: "BackMsg_05"))
        }
    }

    @Test(arguments: Interface.allCases)
    func logoutLeavesEveryGroup(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent8001)
            _ = try await call(client, interface, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2"]))
            _ = try await call(client, interface, "queuePause", Fixture.agent8001.with(["type": "1", "pause_reason": "rest"]))
            #expect((try await call(client, interface, "logout", Fixture.agent8001)) == Outcome(code: 1, message: "BackMsg_08"))
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-logout,2-logout,")
            #expect((try await call(client, interface, "logout", Fixture.agent8001)) == Outcome(code: 1, message: "BackMsg_08"))
            #expect(
                (try await call(client, interface, "logout", Fixture.agent8001.with(["password": "x"])))
                    == Outcome(code: 2, message: "BackMsg_03"))
        }
        let session = try #require(await f.center.engine(team: 1).sessionSnapshot(agentID: 1))
        #expect(session.loggedIn == false && session.pause == nil && session.groups.isEmpty)
    }

    @Test
    func messageLanguages() async throws {
        var f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            #expect(
                try await call(client, .http, "login", Fixture.agent8001.with(["password": "x", "lang": "cn"])).message == "工号不存在或密码错误")
            #expect(
                try await call(client, .soap, "login", Fixture.agent8001.with(["password": "x", "lang": "en"])).message
                    == "Agent number does not exist or password is wrong")
            #expect(
                try await call(client, .cji, "login", Fixture.agent8001.with(["password": "x", "lang": "jp"])).message
                    == "Agent number does not exist or password is wrong")
        }
        f.configuration.messages = "cn"
        try await f.application().test(.router) { client async throws in
            #expect(try await call(client, .http, "login", Fixture.agent8001.with(["password": "x"])).message == "工号不存在或密码错误")
        }
    }
}

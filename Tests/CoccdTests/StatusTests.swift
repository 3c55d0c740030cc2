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

@Suite("agentStatus, agentgroupStatus, teamStatus, groupStatusNum")
struct StatusTests {
    @Test(arguments: Interface.allCases)
    func agentStatusPerGroup(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            #expect(
                (try await call(client, interface, "agentStatus", Fixture.agent8001))
                    == Outcome(code: 1, message: "BackMsg_43", extra: "1-logout,2-logout,"))
            _ = try await call(client, interface, "login", Fixture.agent8001)
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            #expect((try await call(client, interface, "agentStatus", Fixture.account)) == Outcome(code: 2, message: "BackMsg_12"))
        }
    }

    @Test(arguments: Interface.allCases)
    func groupStatusForAdminsAndAccounts(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            func group(_ who: [String: String], _ id: String, _ status: String) async throws -> Outcome {
                try await call(client, interface, "agentgroupStatus", who.with(["agent_group_id": id, "status": status]))
            }
            _ = try await call(client, interface, "login", Fixture.agent8001)
            _ = try await call(client, interface, "login", Fixture.agent("8002"))
            _ = try await call(client, interface, "queuePause", Fixture.agent("8002").with(["type": "1", "pause_reason": "meeting"]))
            #expect((try await group(Fixture.agent8001, "1", "all")) == Outcome(code: 1, message: "8001:idle,8002:pause,8003:logout"))
            #expect((try await group(Fixture.account, "1", "idle,pause")) == Outcome(code: 1, message: "8001:idle,8002:pause"))
            #expect((try await group(Fixture.account, "1", "LOGIN")) == Outcome(code: 1, message: "8001:idle,8002:pause"))
            #expect((try await group(Fixture.account, "1", "logout")) == Outcome(code: 1, message: "8003:logout"))
            #expect((try await group(Fixture.account, "2", "busy")) == Outcome(code: 2, message: "BackMsg_94"))
            #expect((try await group(Fixture.agent("8002"), "1", "all")) == Outcome(code: 2, message: "BackMsg_65"))
            #expect((try await group(Fixture.agent8001, "99", "all")) == Outcome(code: 2, message: "BackMsg_50"))
            #expect((try await group(Fixture.agent8001, "3", "all")) == Outcome(code: 2, message: "BackMsg_50"))
            #expect((try await group(Fixture.agent8001, "", "all")) == Outcome(code: 2, message: "BackMsg_01"))
            #expect((try await group(Fixture.agent8001, "1", "")) == Outcome(code: 2, message: "BackMsg_01"))
            #expect((try await group(Fixture.agent8001, "1", "sleeping")) == Outcome(code: 2, message: "BackMsg_28"))
        }
    }

    @Test(arguments: Interface.allCases)
    func emptyGroup(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.admin.addGroup(team: "demo", name: "Empty", queueNumber: "6003", id: 4)
        try await f.center.reloadDirectoryIfChanged(logger: Logger(label: "test"))
        try await f.application().test(.router) { client async throws in
            #expect(
                try await call(client, interface, "agentgroupStatus", Fixture.account.with(["agent_group_id": "4", "status": "all"]))
                    == Outcome(code: 2, message: "BackMsg_93"))
        }
    }

    @Test(arguments: Interface.allCases)
    func teamStatus(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent("8004"))
            #expect(
                try await call(client, interface, "teamStatus", Fixture.account.with(["status": "all"]))
                    == Outcome(code: 1, message: "8001:logout,8002:logout,8003:logout,8004:idle,8005:logout"))
            #expect(
                (try await call(client, interface, "teamStatus", Fixture.agent("8003").with(["status": "idle"])))
                    == Outcome(code: 1, message: "8004:idle"))
            #expect(
                (try await call(client, interface, "teamStatus", Fixture.account.with(["status": "acw"])))
                    == Outcome(code: 2, message: "BackMsg_94"))
            #expect(
                (try await call(client, interface, "teamStatus", Fixture.account.with(["status": "x"])))
                    == Outcome(code: 2, message: "BackMsg_28"))
            // The other team sees only its own agent.
            let boss = ["orgidentity": "other", "usertype": "account", "user": "boss", "pwdtype": "plaintext", "password": "bosspw"]
            #expect(
                (try await call(client, interface, "teamStatus", boss.with(["status": "all"]))) == Outcome(code: 1, message: "8001:logout"))
        }
    }

    @Test
    func groupStatusNumOverSOAP() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            func num(_ team: String, _ queue: String, _ type: String?) async throws -> String {
                var p = ["orgidentity": team, "queuenumber": queue]
                if let type { p["type"] = type }
                return try await soapCall(client, "groupStatusNum", p)
            }
            #expect(try await num("demo", "6001", "all") == "1|0|0|0|0|0|0")
            _ = try await call(client, .soap, "login", Fixture.agent8001)
            _ = try await call(client, .soap, "login", Fixture.agent("8002"))
            _ = try await call(client, .soap, "queuePause", Fixture.agent("8002").with(["type": "1", "pause_reason": "rest"]))
            #expect(try await num("demo", "6001", nil) == "1|2|1|0|1|0|0")
            #expect(try await num("demo", "6001", "Idle") == "1|1")
            #expect(try await num("demo", "6001", "pause") == "1|1")
            #expect(try await num("demo", "6001", "ringing") == "1|0")
            #expect(try await num("demo", "6001", "whatever") == "1|2|1|0|1|0|0")
            // `ring` is agentgroupStatus's word, not one of groupStatusNum's types: all counts (issue 10, item 6).
            #expect(try await num("demo", "6001", "ring") == "1|2|1|0|1|0|0")
            // Queue 6001 of the other team is another group: its own agent only.
            #expect(try await num("other", "6001", "all") == "1|0|0|0|0|0|0")
            _ = try await call(
                client, .soap, "login",
                ["orgidentity": "other", "usertype": "agent", "user": "8001", "pwdtype": "plaintext", "password": "otherpw"])
            #expect(try await num("other", "6001", "all") == "1|1|1|0|0|0|0")
            #expect(try await num("demo", "6001", "all") == "1|2|1|0|1|0|0")
            #expect(try await num("nope", "6001", "all") == "0|BackMsg_02")
            #expect(try await num("demo", "7777", "all") == "0|BackMsg_30")
            #expect(try await num("demo", "", "all") == "0|BackMsg_01")
        }
    }
}

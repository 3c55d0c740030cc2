import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("acwAction, acwOff and workwayAction")
struct GroupModeTests {
    @Test(arguments: Interface.allCases)
    func afterCallWorkMode(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            func acw(_ type: String, _ list: String) async throws -> Outcome {
                try await call(client, interface, "acwAction", Fixture.agent8001.with(["type": type, "agent_group_id": list]))
            }
            #expect((try await acw("1", "")) == Outcome(code: 2, message: "BackMsg_58"))
            _ = try await call(client, interface, "login", Fixture.agent8001)
            #expect((try await acw("4", "")) == Outcome(code: 2, message: "BackMsg_13"))
            #expect((try await acw("1", "2")) == Outcome(code: 2, message: "BackMsg_60"))
            #expect((try await acw("1", "1,")) == Outcome(code: 1, message: "BackMsg_59"))
            var session = try #require(await f.center.engine(team: 1).sessionSnapshot(agentID: 1))
            #expect(session.signIn(of: 1)?.afterCallWork == .afterRinging)
            _ = try await call(client, interface, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2"]))
            #expect((try await acw("2", "")) == Outcome(code: 1, message: "BackMsg_59"))
            session = try #require(await f.center.engine(team: 1).sessionSnapshot(agentID: 1))
            #expect(session.groups.map(\.afterCallWork) == [.afterAnswer, .afterAnswer])
        }
    }

    @Test(arguments: Interface.allCases)
    func endAfterCallWork(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            #expect((try await call(client, interface, "acwOff", Fixture.agent8001)) == Outcome(code: 2, message: "BackMsg_90"))
            _ = try await call(client, interface, "login", Fixture.agent8001)
            let engine = try await f.center.engine(team: 1)
            let agent = try #require(f.center.directory.agent(team: 1, number: "8001"))
            // The call engine puts agents into ACW after calls; here it is driven directly.
            #expect(await engine.enterAfterCallWork(agent: agent, logger: Logger(label: "test")))
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-acw,2-logout,")
            #expect((try await call(client, interface, "acwOff", Fixture.agent8001)) == Outcome(code: 1, message: "BackMsg_61"))
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            #expect((try await call(client, interface, "acwOff", Fixture.agent8001)) == Outcome(code: 2, message: "BackMsg_90"))
        }
    }

    @Test(arguments: Interface.allCases)
    func workMode(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            func workway(_ status: String, _ list: String) async throws -> Outcome {
                try await call(client, interface, "workwayAction", Fixture.agent8001.with(["status": status, "agent_group_id": list]))
            }
            #expect((try await workway("dialout", "")) == Outcome(code: 2, message: "BackMsg_91"))
            _ = try await call(client, interface, "login", Fixture.agent8001)
            #expect((try await workway("sideways", "")) == Outcome(code: 2, message: "BackMsg_28"))
            #expect((try await workway("dialout", "2")) == Outcome(code: 2, message: "BackMsg_91"))
            #expect((try await workway("dialout", "3")) == Outcome(code: 2, message: "BackMsg_91"))
            #expect((try await workway("DialIn", "1")) == Outcome(code: 1, message: "BackMsg_62"))
            let session = try #require(await f.center.engine(team: 1).sessionSnapshot(agentID: 1))
            #expect(session.signIn(of: 1)?.workMode == .dialin)
        }
    }
}

import CoccEngine
import CoccOperations
import CoccServer
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Manual 3.7: work mode `dialin` is inbound only, so makeCall is refused (BackMsg_18).
@Suite("work mode dialin refuses outbound calls")
struct WorkModeOutboundTests {
    @Test(arguments: Interface.allCases)
    func dialinRefusesMakeCall(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent8001)
            _ = try await call(client, interface, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2"]))
            #expect(
                try await call(client, interface, "workwayAction", Fixture.agent8001.with(["status": "dialin", "agent_group_id": "1"]))
                    == Outcome(code: 1, message: "BackMsg_62"))
            #expect(try await call(client, interface, "makeCall", OutboundCallTests.dial) == Outcome(code: 2, message: "BackMsg_18"))
            #expect(await f.pbx.liveLegs().isEmpty)
            // No group named: the agent dials as a member of group 2, which is still `all`.
            #expect(
                try await call(client, interface, "makeCall", OutboundCallTests.dial.with(["agentgroupid": ""]))
                    == Outcome(code: 1, message: "BackMsg_19"))
            await f.advance(1)
            await #expect(try f.events().last.flatMap { field($0, "AgentGroupId") } == "2")
            _ = try await call(client, interface, "hangup", Fixture.agent8001.with(["target": "all", "targetagent": "8001"]))
            // Inbound only in every group: refused whatever the group.
            _ = try await call(client, interface, "workwayAction", Fixture.agent8001.with(["status": "dialin", "agent_group_id": ""]))
            #expect(
                try await call(client, interface, "makeCall", OutboundCallTests.dial.with(["agentgroupid": ""]))
                    == Outcome(code: 2, message: "BackMsg_18"))
            #expect(
                try await call(client, interface, "makeCall", OutboundCallTests.dial.with(["agentgroupid": "2"]))
                    == Outcome(code: 2, message: "BackMsg_18"))
            // `dialout` and `all` allow it again.
            _ = try await call(client, interface, "workwayAction", Fixture.agent8001.with(["status": "dialout", "agent_group_id": "1"]))
            #expect(try await call(client, interface, "makeCall", OutboundCallTests.dial) == Outcome(code: 1, message: "BackMsg_19"))
        }
    }
}

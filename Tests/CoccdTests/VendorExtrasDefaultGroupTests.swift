import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// DefaultGroup (the vendor plugin's setDefaultGroupCJI posts it): the agent's default group,
/// which makeCall uses when its agentgroupid is empty or 0.
@Suite("vendor extras: DefaultGroup")
struct VendorExtrasDefaultGroupTests {
    /// The form the vendor plugin posts.
    static func post(_ client: some TestClientProtocol, _ form: String) async throws -> String {
        try await client.execute(
            uri: "/asterccinterfaces", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: form)
        ) { String(buffer: $0.body) }
    }

    static let form8001 = "EVENT=DefaultGroup&usertype=agent&user=8001&orgidentity=demo&pwdtype=plaintext&password=123456"

    /// Dials with `agentgroupid`, answers the AgentGroupId of the call's first event, hangs up.
    static func dialGroup(_ client: some TestClientProtocol, _ f: Fixture, agentgroupid: String) async throws -> String? {
        let before = try await f.events().count
        #expect(
            try await call(client, .http, "makeCall", OutboundCallTests.dial.with(["agentgroupid": agentgroupid])).message == "BackMsg_19")
        await f.advance(0)
        let ringing = try await f.events().dropFirst(before).first { $0.contains("&source=AGENT&event=ringing&") }
        _ = try await call(client, .http, "hangup", Fixture.agent8001.with(["target": "agent", "targetagent": "8001"]))
        await f.advance(0)
        return ringing.flatMap { field($0, "AgentGroupId") }
    }

    @Test
    func makeCallDialsOutInTheDefaultGroup() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2"]))  // group 2 is dynamic
            #expect(try await Self.dialGroup(client, f, agentgroupid: "") == "1")  // the first signed-in group, as before
            // The vendor's reply shape: exactly three parts.
            #expect(try await Self.post(client, Self.form8001 + "&agent_group_id=2") == "|Retuen|1|Retuen|BackMsg_14")
            #expect(try await Self.dialGroup(client, f, agentgroupid: "") == "2")
            #expect(try await Self.dialGroup(client, f, agentgroupid: "0") == "2")
            #expect(try await Self.dialGroup(client, f, agentgroupid: "1") == "1")  // a group named still wins
            // Not signed in to the default group: the first signed-in group again.
            _ = try await call(client, .http, "queueAction", Fixture.agent8001.with(["type": "2", "list": "2"]))
            #expect(try await Self.dialGroup(client, f, agentgroupid: "") == "1")
            // Kept across a logout.
            _ = try await call(client, .http, "logout", Fixture.agent8001)
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2"]))
            #expect(try await Self.dialGroup(client, f, agentgroupid: "") == "2")
        }
        // And across a restart: it is stored.
        let agent = try #require(f.center.directory.agent(team: 1, number: "8001"))
        let restarted = try await f.restarted().engine(team: 1)
        #expect(await restarted.sessionSnapshot(agentID: agent.id)?.defaultGroupID == 2)
    }

    @Test(arguments: Interface.allCases)
    func everyInterfaceSetsIt(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            #expect(
                try await call(client, interface, "setDefaultGroup", Fixture.agent8001.with(["agent_group_id": "2"]))
                    == Outcome(code: 1, message: "BackMsg_14"))
        }
        let agent = try #require(f.center.directory.agent(team: 1, number: "8001"))
        let engine = try await f.center.engine(team: 1)
        #expect(await engine.sessionSnapshot(agentID: agent.id)?.defaultGroupID == 2)
    }

    @Test
    func unknownGroupsAndOtherTeamsGroupsAreRefused() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let other8001 = "EVENT=DefaultGroup&usertype=agent&user=8001&orgidentity=other&pwdtype=plaintext&password=otherpw"
            #expect(try await Self.post(client, Self.form8001 + "&agent_group_id=99") == "|Retuen|2|Retuen|BackMsg_50")
            // Group 3 is team other's: not a group of demo's.
            #expect(try await Self.post(client, Self.form8001 + "&agent_group_id=3") == "|Retuen|2|Retuen|BackMsg_50")
            // Demo's group 1 for other's agent 8001, who shares the number.
            #expect(try await Self.post(client, other8001 + "&agent_group_id=1") == "|Retuen|2|Retuen|BackMsg_50")
            #expect(try await Self.post(client, other8001 + "&agent_group_id=3") == "|Retuen|1|Retuen|BackMsg_14")
            // 8004 is a member of group 2 only.
            #expect(
                try await Self.post(client, Self.form8001.replacingOccurrences(of: "8001", with: "8004") + "&agent_group_id=1")
                    == "|Retuen|2|Retuen|BackMsg_60")
            #expect(try await Self.post(client, Self.form8001 + "&agent_group_id=") == "|Retuen|2|Retuen|BackMsg_01")
            #expect(
                try await Self.post(client, Self.form8001.replacingOccurrences(of: "123456", with: "x") + "&agent_group_id=1")
                    == "|Retuen|2|Retuen|BackMsg_03")
            #expect(
                try await call(client, .http, "setDefaultGroup", Fixture.account.with(["agent_group_id": "1"]))
                    == Outcome(code: 2, message: "BackMsg_12"))
        }
        let demo8001 = try #require(f.center.directory.agent(team: 1, number: "8001"))
        let engine = try await f.center.engine(team: 1)
        #expect(await engine.sessionSnapshot(agentID: demo8001.id)?.defaultGroupID == nil)
    }
}

import CoccCampaigns
import CoccOperations
import CoccServer
import CoccStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Imports from agents only where the team allows them (issue 9, item 3); accounts always.
@Suite("importWS: who may import")
struct ImportPermissionTests {
    @Test(arguments: Interface.allCases)
    func agentsAreRefusedUnlessTheirTeamAllowsAgentImports(_ interface: Interface) async throws {
        let f = try await Fixture()
        let (campaigns, campaign) = try await f.campaign()
        let fileTask = importParameters("http://127.0.0.1/a.csv", source: "http").with(Fixture.agent8001)
        try await f.application().test(.router) { client async throws in
            // By default: accounts only. BackMsg_38, the agent has no account's rights; nothing stored.
            #expect(
                try await call(client, interface, "importWS", importParameters("phone1=13800000001").with(Fixture.agent8001))
                    == Outcome(code: 2, message: "BackMsg_38"))
            #expect(try await call(client, interface, "importWS", fileTask) == Outcome(code: 2, message: "BackMsg_38"))
            // A wrong password is still a wrong password, not a permission answer.
            #expect(
                try await call(client, interface, "importWS", importParameters("phone1=1").with(Fixture.agent8001).with(["password": "x"]))
                    .message != "BackMsg_38")
            #expect(
                try await call(client, interface, "importWS", importParameters("phone1=13800000002"))
                    == Outcome(code: 1, message: "BackMsg_83"))
            await #expect(try campaigns.tasks(team: 1).isEmpty)

            try await campaigns.setAllowsAgentImports(team: 1, true)
            let (one, two) = (try await campaigns.allowsAgentImports(team: 1), try await campaigns.allowsAgentImports(team: 2))
            #expect(one && !two)
            #expect(
                try await call(client, interface, "importWS", importParameters("phone1=13800000001").with(Fixture.agent8001))
                    == Outcome(code: 1, message: "BackMsg_83"))
            // The other team's agents are still refused: the setting is per team.
            let otherAgent = ["orgidentity": "other", "usertype": "agent", "user": "8001", "pwdtype": "plaintext", "password": "otherpw"]
            #expect(try await call(client, interface, "importWS", importParameters("phone1=5").with(otherAgent)).message == "BackMsg_38")

            try await campaigns.setAllowsAgentImports(team: 1, false)
            #expect(
                try await call(client, interface, "importWS", importParameters("phone1=13800000009").with(Fixture.agent8001)).message
                    == "BackMsg_38")
        }
        await #expect(
            try campaigns.customers(package: campaign.packageID).compactMap { $0.fields["phone1"] } == ["13800000002", "13800000001"])
    }
}

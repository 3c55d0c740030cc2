import CoccCampaigns
import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// dialerList / DialerList / dialerListCJI (a vendor extra): one number into a campaign's
/// pre-dial list, with importWS's duplicate rules, in the caller's team only.
@Suite("vendor extras: dialerList")
struct VendorExtrasDialerListTests {
    static func adding(_ campaign: Int64, _ phone: String, priority: String = "", dialtime: String = "") -> [String: String] {
        Fixture.account.with(["campaignid": String(campaign), "phonenum": phone, "priority": priority, "dialtime": dialtime])
    }

    @Test(arguments: Interface.allCases)
    func aNumberGoesIntoThePredialListWithItsPriorityAndTime(_ interface: Interface) async throws {
        let f = try await Fixture()
        let (campaigns, campaign) = try await f.campaign()
        try await f.application().test(.router) { client async throws in
            #expect(
                try await call(
                    client, interface, "dialerList", Self.adding(campaign.id, "13800000007", priority: "7", dialtime: "2030-01-02 03:04:05")
                )
                    == Outcome(code: 1, message: "BackMsg_83"))
            // No time: now, priority 0.
            #expect(
                try await call(client, interface, "dialerList", Self.adding(campaign.id, "13800000008"))
                    == Outcome(code: 1, message: "BackMsg_83"))
            // importWS's duplicate rules: the customer exists, so ignoreDuplicate keeps it out (81);
            // with dupdiallist=all a number still pending is never listed twice (82).
            #expect(
                try await call(client, interface, "dialerList", Self.adding(campaign.id, "13800000007"))
                    == Outcome(code: 2, message: "BackMsg_81"))
            #expect(
                try await call(client, interface, "dialerList", Self.adding(campaign.id, "13800000007").with(["dupdiallist": "all"]))
                    == Outcome(code: 2, message: "BackMsg_82"))
            #expect(
                try await call(client, interface, "dialerList", Self.adding(campaign.id, "13800000007").with(["dupdiallist": "sometimes"]))
                    == Outcome(code: 2, message: "BackMsg_28"))
        }
        let list = try await campaigns.predial(campaign: campaign.id).sorted { $0.phone < $1.phone }
        #expect(list.map(\.phone) == ["13800000007", "13800000008"])
        #expect(list.map(\.priority) == [7, 0])
        #expect(list[0].dialAt == ImportTime.parse("2030-01-02 03:04:05"))
        #expect(list[1].dialAt == f.clock())
        #expect(list.allSatisfy { $0.status == "pending" })
        // Each number is a customer of the campaign's package.
        await #expect(
            Set(try campaigns.customers(package: campaign.packageID).compactMap { $0.fields["phone1"] }) == ["13800000007", "13800000008"])
    }

    @Test
    func theJSONPAnswerIsTheVendorPluginsShape() async throws {
        let f = try await Fixture()
        let (campaigns, campaign) = try await f.campaign()
        try await f.application().test(.router) { client async throws in
            // The vendor's dialerListCJI sends exactly these names, by jQuery's getJSON, which
            // writes the space of the dial time as `+`.
            let query =
                "callback=jQuery17_1&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin123"
                + "&campaignid=\(campaign.id)&phonenum=13800000009&priority=3&dialtime=2031-01-01+09%3A00%3A00&_=1700000000000"
            let body = try await client.execute(uri: "/setevent/dialerListCJI?\(query)", method: .get) { String(buffer: $0.body) }
            #expect(body == #"/**/jQuery17_1({"code":1,"message":"BackMsg_83"});"#)
        }
        await #expect(try campaigns.predial(campaign: campaign.id).map(\.dialAt) == [ImportTime.parse("2031-01-01 09:00:00")])
    }

    @Test(arguments: Interface.allCases)
    func badRequestsGetTheManualsCodes(_ interface: Interface) async throws {
        let f = try await Fixture()
        let (campaigns, campaign) = try await f.campaign()
        try await f.application().test(.router) { client async throws in
            let cases: [([String: String], String)] = [
                (Self.adding(campaign.id, ""), "BackMsg_01"),
                (Self.adding(campaign.id, "138&activenum=1"), "BackMsg_28"),
                (Self.adding(campaign.id, "13800000001", priority: "high"), "BackMsg_28"),
                (Self.adding(campaign.id, "13800000001", dialtime: "tomorrow"), "BackMsg_28"),
                (Self.adding(99, "13800000001"), "BackMsg_73"),
                (Self.adding(campaign.id, "13800000001").with(["campaignid": "Sp'ring"]), "BackMsg_67"),
                (Self.adding(campaign.id, "13800000001").with(["password": "wrong"]), "BackMsg_63"),
                // As importWS: agents only where the team allows agent imports.
                (Self.adding(campaign.id, "13800000001").with(Fixture.agent8001), "BackMsg_38"),
            ]
            for (parameters, code) in cases {
                #expect(try await call(client, interface, "dialerList", parameters) == Outcome(code: 2, message: code), "\(parameters)")
            }
        }
        await #expect(try campaigns.predial(campaign: campaign.id).isEmpty)
    }

    @Test
    func aTeamReachesOnlyItsOwnCampaigns() async throws {
        let f = try await Fixture()
        let (campaigns, demo) = try await f.campaign()
        let package = try await campaigns.createPackage(team: 2, name: "Theirs", master: false)
        let theirs = try await campaigns.createCampaign(team: 2, name: "Theirs", groupID: 3, packageID: package, mode: .progressive)
        let boss = ["orgidentity": "other", "usertype": "account", "user": "boss", "pwdtype": "plaintext", "password": "bosspw"]
        try await f.application().test(.router) { client async throws in
            // Another team's campaign id, or name, does not exist for this team.
            #expect(
                try await call(client, .http, "dialerList", Self.adding(theirs, "13800000001")) == Outcome(code: 2, message: "BackMsg_73"))
            #expect(
                try await call(client, .http, "dialerList", Self.adding(demo.id, "13800000001").with(boss))
                    == Outcome(code: 2, message: "BackMsg_73"))
            #expect(
                try await call(client, .http, "dialerList", Self.adding(demo.id, "13800000001").with(boss).with(["campaignid": "Spring"]))
                    == Outcome(code: 2, message: "BackMsg_67"))
            #expect(
                try await call(client, .http, "dialerList", Self.adding(theirs, "13800000002").with(boss))
                    == Outcome(code: 1, message: "BackMsg_83"))
        }
        await #expect(try campaigns.predial(campaign: demo.id).isEmpty)
        await #expect(try campaigns.predial(campaign: theirs).map(\.phone) == ["13800000002"])
    }
}

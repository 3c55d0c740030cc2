import CoccCampaigns
import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing

extension Fixture {
    /// Package "Leads" (on the master table when `master`) and campaign 1 "Spring" on group 1.
    func campaign(master: Bool = false) async throws -> (CampaignStore, Campaign) {
        let campaigns = store
        let package = try await campaigns.createPackage(team: 1, name: "Leads", master: master)
        let id = try await campaigns.createCampaign(team: 1, name: "Spring", groupID: 1, packageID: package, mode: .progressive)
        return await (campaigns, try #require(try campaigns.campaign(team: 1, id: String(id))))
    }

    /// A fixture whose imports may fetch from loopback, with more configuration if given.
    static func importing(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> Fixture {
        var f = try await Fixture()
        f.configuration.importAllowedHosts = ["127.0.0.1"]
        configure(&f.configuration)
        return f
    }

    func importService() throws -> ImportService {
        CoccApplication.importService(configuration: configuration, center: center, logger: Fixture.quiet)
    }
}

/// Every parameter of importWS with all its values, by name; `context` and `source` vary.
func importParameters(_ context: String, source: String = "data", model: String = "1", _ extra: [String: String] = [:]) -> [String: String]
{
    Fixture.account.with([
        "modeltype": "Campaign", "model_id": model, "source": source, "context": context, "source_user": "", "source_pwd": "",
        "exetime": "",
        "delrow": "", "phone_field": "phone1", "priority_field": "", "dialtime_field": "", "emptyagent": "no", "resetstatus": "no",
        "dupway": "skip", "dupdiallist": "ignoreDuplicate", "changepackage": "skip",
    ]).with(extra)
}

/// importWS with `source=data` over all three interfaces: codes, labels, duplicate policies.
@Suite("importWS: one record (source=data)")
struct CampaignImportTests {
    @Test(arguments: Interface.allCases)
    func aRecordByDisplayNamesGoesIntoThePackageAndThePredialList(_ interface: Interface) async throws {
        let f = try await Fixture()
        let (campaigns, campaign) = try await f.campaign()
        try await f.application().test(.router) { client async throws in
            // The manual's example: a Chinese display name and a column name.
            #expect(
                try await call(client, interface, "importWS", importParameters("姓名=客户 A||phone1=13800000001"))
                    == Outcome(code: 1, message: "BackMsg_83"))
            // English display names, no pre-dial list.
            #expect(
                try await call(client, interface, "importWS", importParameters("Name=B||Phone number 1=13800000009", ["phone_field": ""]))
                    == Outcome(code: 1, message: "BackMsg_84"))
            // Again: a duplicate, skipped.
            #expect(
                try await call(client, interface, "importWS", importParameters("姓名=客户 A||phone1=13800000001"))
                    == Outcome(code: 1, message: "BackMsg_81"))
            // The manual's refusals.
            #expect(
                try await call(client, interface, "importWS", importParameters("phone1=1", ["modeltype": "BusinessApp"])).message
                    == "BackMsg_70")
            #expect(try await call(client, interface, "importWS", importParameters("phone1=1", model: "99")).message == "BackMsg_73")
            #expect(try await call(client, interface, "importWS", importParameters("phone1=1", model: "no such")).message == "BackMsg_67")
            #expect(
                try await call(client, interface, "importWS", importParameters("phone1=13800000007", model: "Spring")).message
                    == "BackMsg_83")
            #expect(try await call(client, interface, "importWS", importParameters("")).message == "BackMsg_71")
            #expect(try await call(client, interface, "importWS", importParameters("phone1=1", source: "mail")).message == "BackMsg_72")
            #expect(try await call(client, interface, "importWS", importParameters("nosuchfield=1||phone1=2")).message == "BackMsg_75")
            #expect(
                try await call(client, interface, "importWS", importParameters("姓名=C"))
                    == Outcome(code: 2, message: "BackMsg_76[电话号码一(phone1)]"))
            // Another team's campaign does not exist for this one.
            let other = ["orgidentity": "other", "usertype": "account", "user": "boss", "pwdtype": "plaintext", "password": "bosspw"]
            #expect(try await call(client, interface, "importWS", importParameters("phone1=5").with(other)).message == "BackMsg_73")
        }
        let customers = try await campaigns.customers(package: campaign.packageID)
        #expect(customers.map { $0.fields["phone1"] } == ["13800000001", "13800000009", "13800000007"])
        #expect(customers.map { $0.fields["name"] } == ["客户 A", "B", ""])
        await #expect(try campaigns.predial(campaign: campaign.id).map(\.phone) == ["13800000001", "13800000007"])
    }

    /// One existing customer (owned by agent 8001, status success, already dialled once), then an
    /// import of the same phone1 with each policy.
    func existing(_ f: Fixture, _ campaigns: CampaignStore, _ campaign: Campaign) async throws -> Int64 {
        let service = try f.importService()
        _ = await service.importRecord(context: "name=Old||phone1=13800000001||note=n1", into: campaign, options: ImportOptions())
        let customer = try await #require(try campaigns.customers(package: campaign.packageID).first)
        try await f.store.database.write { db in
            try db.execute(sql: "UPDATE customers SET agent = '8001', status = 'success' WHERE id = ?", arguments: [customer.id])
        }
        return customer.id
    }

    @Test
    func duplicatePoliciesEachDoWhatTheManualSays() async throws {
        let f = try await Fixture()
        let (campaigns, campaign) = try await f.campaign()
        let service = try f.importService()
        let id = try await existing(f, campaigns, campaign)
        func run(_ configure: (inout ImportOptions) -> Void) async throws -> (String, Customer, Int) {
            var options = ImportOptions()
            options.phoneField = "phone1"
            configure(&options)
            let code = try await service.importRecord(context: "name=New||phone1=13800000001", into: campaign, options: options).get().code
            return await (code, try #require(try campaigns.customer(id: id)), try await campaigns.predial(campaign: campaign.id).count)
        }
        // dupway=skip and ignoreDuplicate: nothing changes.
        var (code, customer, listed) = try await run { _ in }
        #expect(code == "81" && customer.fields["name"] == "Old" && customer.agent == "8001" && customer.status == "success" && listed == 0)
        // ignoreSuccess: a successfully submitted customer stays out of the list.
        (code, customer, listed) = try await run { $0.dupDialList = .ignoreSuccess }
        #expect(code == "81" && listed == 0)
        // dupway=update: the data changes; the note the record lacks is kept.
        (code, customer, listed) = try await run { $0.dupway = .update }
        #expect(code == "78" && customer.fields["name"] == "New" && customer.fields["note"] == "n1")
        // emptyagent=yes clears the owner; resetstatus=yes sets the status back to new.
        (code, customer, listed) = try await run { $0.emptyAgent = true }
        #expect(code == "79" && customer.agent == "" && customer.status == "success")
        (code, customer, listed) = try await run { $0.resetStatus = true }
        #expect(code == "77" && customer.status == "new")
        // ignoreSuccess once the status is no longer success: listed; all: listed whatever, but
        // never twice while pending (BackMsg_82).
        (code, customer, listed) = try await run { $0.dupDialList = .ignoreSuccess }
        #expect(code == "80" && listed == 1)
        (code, customer, listed) = try await run { $0.dupDialList = .all }
        #expect(code == "82" && listed == 1)
        let entry = try await #require(try campaigns.predial(campaign: campaign.id).first)
        #expect(entry.agent == "" && entry.customerID == id)
    }

    @Test
    func changepackageMovesMasterTableCustomersOnlyAsAsked() async throws {
        let f = try await Fixture()
        let (campaigns, campaign) = try await f.campaign(master: true)
        let service = try f.importService()
        // Customer 13800000001 is held by another master-table package; 13800000002 by none.
        let other = try await campaigns.createPackage(team: 1, name: "Autumn leads", master: true)
        let otherCampaign = try await #require(
            try campaigns.campaign(
                team: 1,
                id: String(
                    try campaigns.createCampaign(
                        team: 1, name: "Autumn", groupID: 1, packageID: other, mode: .preview))))
        _ = await service.importRecord(context: "phone1=13800000001", into: otherCampaign, options: ImportOptions())
        _ = await service.importRecord(context: "phone1=13800000002", into: otherCampaign, options: ImportOptions())
        try await f.store.database.write { db in try db.execute(sql: "UPDATE customers SET package_id = NULL WHERE phone1 = '13800000002'")
        }
        func holder(_ phone: String) throws -> Int64? {
            try f.store.database.read { db -> Int64? in
                let row = try Row.fetchOne(db, sql: "SELECT package_id FROM customers WHERE phone1 = ?", arguments: [phone])
                return row?["package_id"]
            }
        }
        func run(_ mode: ImportOptions.ChangePackage, _ phone: String) async throws -> RecordOutcome {
            var options = ImportOptions()
            options.changePackage = mode
            return try await service.importRecord(context: "phone1=\(phone)", into: campaign, options: options).get()
        }
        await #expect(try run(.skip, "13800000001").skipped && holder("13800000001") == other)
        await #expect(try run(.skip, "13800000002").skipped && holder("13800000002") == nil)
        // unassignToCurrent takes only customers no package holds.
        await #expect(try run(.unassignToCurrent, "13800000001").skipped && holder("13800000001") == other)
        await #expect(try !run(.unassignToCurrent, "13800000002").skipped && holder("13800000002") == campaign.packageID)
        // reassignToCurrent moves a customer from the other package.
        await #expect(try !run(.reassignToCurrent, "13800000001").skipped && holder("13800000001") == campaign.packageID)
        // One customer each, never a copy.
        await #expect(try f.store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customers") } == 2)
    }

    @Test
    func priorityAndDialTimeFieldsFeedThePredialList() async throws {
        let f = try await Fixture()
        let (campaigns, campaign) = try await f.campaign()
        try await campaigns.addField(team: 1, name: "calltime", cn: "拨打时间", en: "Call time")
        let service = try f.importService()
        var options = ImportOptions()
        options.phoneField = "phone1"
        options.dialtimeField = "calltime"
        options.priorityField = "note"
        await #expect(
            try service.importRecord(context: "phone1=1||拨打时间=2030-01-02 08:30:00||note=7", into: campaign, options: options).get().code
                == "83")
        await #expect(
            service.importRecord(context: "phone1=2||Call time=tomorrow", into: campaign, options: options)
                == .failure(ImportFailure(code: "75", reason: "dial time is not YYYY-MM-DD hh:mm:ss: tomorrow")))
        let entry = try await #require(try campaigns.predial(campaign: campaign.id).first)
        let expected = Calendar.current.date(from: DateComponents(year: 2030, month: 1, day: 2, hour: 8, minute: 30))
        #expect(entry.dialAt == expected && entry.priority == 7)
        // The custom field is kept with the customer.
        await #expect(try campaigns.customers(package: campaign.packageID).first?.fields["calltime"] == "2030-01-02 08:30:00")
    }
}

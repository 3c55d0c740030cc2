import CoccCampaigns
import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The progressive dialer on the simulated switch (manual time): it works a small imported list
/// with mixed outcomes, in priority order, with retries, only through idle dial-out agents.
@Suite("progressive dialer")
struct DialerTests {
    @Test
    func worksThroughAListWithMixedOutcomes() async throws {
        let f = try await Fixture()
        let (campaigns, campaign) = try await f.campaign()
        let imports = try f.importService()
        // 13800000004 answers then hangs up; ...02 is busy; ...03 never answers.
        for (phone, priority) in [("13800000003", 1), ("13800000002", 5), ("13800000004", 9)] {
            var options = ImportOptions()
            options.phoneField = "phone1"
            options.priorityField = "note"  // any field may carry the priority
            _ = try await imports.importRecord(context: "phone1=\(phone)||note=\(priority)", into: campaign, options: options).get()
        }
        var settings = ProgressiveDialer.Settings()
        settings.maxAttempts = 2
        settings.retryDelay = 60
        let dialer = ProgressiveDialer(center: f.center, campaigns: campaigns, settings: settings, logger: Fixture.quiet)
        /// "status attempts result" of the phone's entry.
        @Sendable func status(_ phone: String) async throws -> String {
            let entries = try await campaigns.predial(campaign: campaign.id)
            let e = try #require(entries.first { $0.phone == phone })
            return "\(e.status) \(e.attempts) \(e.lastResult)"
        }

        try await f.application().test(.router) { client async throws in
            // Stopped, or nobody signed in: no dial.
            #expect(await dialer.pass() == 0)
            try await campaigns.setState(campaign: campaign.id, .running)
            #expect(await dialer.pass() == 0)
            _ = try await call(client, .http, "login", Fixture.agent8001)
            // Work mode dialin in the campaign's group: still no dial.
            _ = try await call(client, .http, "workwayAction", Fixture.agent8001.with(["status": "dialin", "agent_group_id": "1"]))
            #expect(await dialer.pass() == 0)
            _ = try await call(client, .http, "workwayAction", Fixture.agent8001.with(["status": "dialout", "agent_group_id": "1"]))

            // Highest priority first: answered, then the customer hangs up.
            #expect(await dialer.pass() == 1)
            await #expect(try status("13800000004") == "dialing 1 ")
            #expect(await dialer.pass() == 0)  // the agent is busy now
            await f.advance(0)
            await f.advance(1)
            await f.advance(2)
            await f.advance(5)
            #expect(await dialer.pass() == 1)  // settles it, dials the next
            await #expect(try status("13800000004") == "answered 1 answered")
            // Busy (after a second of ringing): back in the list for a retry after 60 s.
            await f.advance(0)
            await f.advance(1)
            await f.advance(1)
            #expect(await dialer.pass() == 1)
            await #expect(try status("13800000002") == "pending 1 busy")
            // No answer after the customer's ring timeout.
            await f.advance(0)
            await f.advance(1)
            await f.advance(46)
            #expect(await dialer.pass() == 0)  // nothing due: both wait for their retry
            await #expect(try status("13800000003") == "pending 1 noanswer")
            // The retries: busy again is the last attempt.
            await f.advance(60)
            #expect(await dialer.pass() == 1)
            await f.advance(0)
            await f.advance(1)
            await f.advance(1)
            #expect(await dialer.pass() == 1)  // the other retry starts
            await #expect(try status("13800000002") == "failed 2 busy")
            await #expect(try status("13800000003") == "dialing 2 noanswer")
            await f.advance(0)  // its agent leg rings
        }
        // The customers carry the outcome; the calls' events carry the campaign.
        let customers = await Dictionary(
            uniqueKeysWithValues: try campaigns.customers(package: campaign.packageID).map { ($0.fields["phone1"]!, $0.status) })
        #expect(customers["13800000004"] == "answered" && customers["13800000002"] == "busy")
        let ringing = try await f.events().filter { $0.contains("source=AGENT&event=ringing") }
        #expect(ringing.count == 5)
        #expect(ringing.allSatisfy { $0.contains("&modeltype=Campaign&model_id=\(campaign.id)&AgentGroupId=1&") })
        #expect(ringing.allSatisfy { $0.contains("calltype=dialout") && $0.contains("userdata=predial_id%3D") })
    }
}

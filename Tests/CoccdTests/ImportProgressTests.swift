import CoccCampaigns
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Progress saved per batch (issue 9, item 10): a task a crash interrupted continues after its
/// last saved row and reports true counts, not its own earlier rows as duplicates.
@Suite("importWS: progress across a crash", .serialized)
struct ImportProgressTests {
    @Test
    func aTaskInterruptedMidFileContinuesWithItsSavedCounts() async throws {
        let f = try await Fixture.importing()
        let (campaigns, campaign) = try await f.campaign()
        let clock = f.clock
        // 7 data rows and one with a wrong field count (row 4), in batches of 2.
        let csv =
            "phone1,name\n13800000001,A\n13800000002,B\nbad row\n13800000003,C\n13800000004,D\n13800000005,E\n13800000006,F\n13800000007,G\n"
        let router = Router()
        router.get("/big.csv") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: csv))) }
        let files = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Fixture.quiet)
        try await files.test(.live) { server async throws in
            var settings = try f.importService().settings
            settings.batchSize = 2
            let service = ImportService(campaigns: campaigns, settings: settings, clock: { clock() }, logger: Fixture.quiet)
            var options = ImportOptions()
            options.phoneField = "phone1"
            let id = try await service.submit(
                source: "http", context: "http://127.0.0.1:\(try #require(server.port))/big.csv", user: "", password: "",
                runAt: nil, into: campaign, options: options
            ).get()
            // The crash: the third batch (rows 7-8) never commits, and the process is gone before
            // the task's end is written, as if it were killed between the two.
            try await f.store.database.write { db in
                try db.execute(
                    sql: """
                        CREATE TRIGGER crash_in_batch BEFORE INSERT ON customers WHEN NEW.phone1 = '13800000005' BEGIN SELECT RAISE(ABORT, 'killed'); END;
                        CREATE TRIGGER crash_before_end BEFORE UPDATE OF state ON import_tasks WHEN NEW.state IN ('done', 'failed')
                            BEGIN SELECT RAISE(ABORT, 'killed'); END;
                        """)
            }
            _ = await service.runDueTasks()
            let interrupted = try await #require(try campaigns.task(id: id))
            #expect(interrupted.state == .running)
            // What is saved is exactly what is stored: rows 2-6 (4 customers, 1 bad row).
            #expect(interrupted.progressRow == 6 && interrupted.rowsRead == 5 && interrupted.imported == 4 && interrupted.rejected == 1)
            #expect(interrupted.problems == [RowProblem(row: 4, code: "74", reason: "1 fields; the header has 2")])
            await #expect(try campaigns.customers(package: campaign.packageID).count == 4)

            // The restart: a new process finds the task running, queues it again, and it goes on.
            try await f.store.database.write { db in try db.execute(sql: "DROP TRIGGER crash_in_batch; DROP TRIGGER crash_before_end") }
            let restarted = ImportService(
                campaigns: try SQLiteStore(path: f.directory.appendingPathComponent("coccd.sqlite").path) as CampaignStore,
                settings: settings, clock: { clock() }, logger: Fixture.quiet)
            await #expect(try restarted.campaigns.requeueInterruptedTasks() == 1)
            await #expect(try campaigns.task(id: id)?.state == .queued)
            let done = try #require(await restarted.runDueTasks().first)
            #expect(done.state == .done && done.error == "")
            #expect(done.rowsRead == 8 && done.imported == 7 && done.duplicates == 0 && done.rejected == 1 && done.predialed == 7)
            #expect(done.problems.map(\.row) == [4])
            await #expect(try campaigns.task(id: id) == done)
        }
        await #expect(try campaigns.customers(package: campaign.packageID).count == 7)
        await #expect(try campaigns.predial(campaign: campaign.id).count == 7)
    }
}

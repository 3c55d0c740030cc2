import CoccCampaigns
import CoccServer
import CoccStorage
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Bounded imports (issue 9, item 3): a row over the caps fails the task with BackMsg_86 and
/// the row's number, before anything is imported.
@Suite("importWS: row caps", .serialized)
struct ImportLimitsTests {
    func serve(_ bodies: [String: [UInt8]]) -> some ApplicationProtocol {
        let router = Router()
        for (path, bytes) in bodies {
            router.get(RouterPath(path)) { _, _ in
                Response(status: .ok, headers: [.contentType: "text/csv"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Fixture.quiet)
    }

    @Test
    func aRowOverTheCapsFailsTheTaskWithItsRowNumber() async throws {
        let f = try await Fixture.importing {
            $0.importMaxBytes = 4 << 20
            $0.importMaxRowBytes = 4096
        }  // the configuration's caps
        let (campaigns, campaign) = try await f.campaign()
        let header = Array("phone1,name\n13800000001,A\n13800000002,B\n".utf8)
        let commas = header + [UInt8](repeating: UInt8(ascii: ","), count: 2 << 20) + [0x0A]  // 2 MiB of commas in row 4
        let long = header + Array("13800000003,".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 5000) + [0x0A]
        try await serve(["/commas.csv": commas, "/long.csv": long]).test(.live) { server async throws in
            let base = "http://127.0.0.1:\(try #require(server.port))"
            let service = try f.importService()
            for path in ["/commas.csv", "/long.csv"] {
                await #expect(
                    service.submit(
                        source: "http", context: base + path, user: "", password: "", runAt: nil, into: campaign, options: ImportOptions()
                    )
                    .map { _ in true } == .success(true))
            }
            let done = await service.runDueTasks()
            #expect(
                done.map(\.error) == [
                    "BackMsg_86: row 4: more than 512 fields (importMaxFieldsPerRow)",
                    "BackMsg_86: row 4: longer than 4096 bytes (importMaxRowBytes)",
                ])
            #expect(done.map(\.state) == [.failed, .failed] && done.allSatisfy { $0.imported == 0 })
        }
        // The first pass refused the file: not even the good rows before it are in.
        await #expect(try campaigns.customers(package: campaign.packageID).isEmpty)
    }

    @Test
    func theCapsAreConfigurable() async throws {
        let json = #"{"importMaxFieldsPerRow": 64, "importMaxRowBytes": 8192}"#
        let configuration = try JSONDecoder().decode(ServerConfiguration.self, from: Data(json.utf8))
        #expect(configuration.importMaxFieldsPerRow == 64 && configuration.importMaxRowBytes == 8192)
        var fromEnvironment = ServerConfiguration()
        fromEnvironment.apply(environment: ["COCCD_IMPORT_MAX_FIELDS_PER_ROW": "20", "COCCD_IMPORT_MAX_ROW_BYTES": "1000"])
        #expect(fromEnvironment.importMaxFieldsPerRow == 20 && fromEnvironment.importMaxRowBytes == 1000)
        #expect(ServerConfiguration().importMaxFieldsPerRow == 512 && ServerConfiguration().importMaxRowBytes == 256 * 1024)
        let f = try await Fixture()
        var configured = f.configuration
        configured.importMaxFieldsPerRow = 7
        let service = CoccApplication.importService(configuration: configured, center: f.center, logger: Fixture.quiet)
        #expect(service.settings.csvLimits.maxFieldsPerRow == 7 && service.settings.csvLimits.maxRowBytes == 256 * 1024)
    }
}

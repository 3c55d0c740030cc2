import CoccEngine
import CoccOperations
import CoccServer
import CoccStore
import CoccSwitch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@Suite("recordings and getMonitor")
struct RecordingTests {
    @Test(arguments: Interface.allCases)
    func answeredCallsLeaveAPlayableRecording(_ interface: Interface) async throws {
        let f = try Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent8001)
            _ = try await call(client, interface, "makeCall", OutboundCallTests.dial)
            await f.advance(3)          // answered at t+3
            await f.advance(38)
            try await f.pbx.farEndHangup(uniqueid: 19867)
            let sid = try #require(field(try f.events()[0], "sessionid"))
            let record = try #require(try f.store.callRecord(sessionid: sid))
            let day = eventTime(record.startedAt).prefix(10)
            #expect(record.recording == "1/\(day.replacingOccurrences(of: "-", with: ""))/\(sid).wav")
            // A WAV of 38 s at 8 kHz, 16-bit mono.
            let wav = try Data(contentsOf: f.directory.appendingPathComponent("recordings/\(record.recording)"))
            let expectedBytes: Int = 44 + 38 * 8000 * 2
            #expect(wav.count == expectedBytes)
            let riff = String(decoding: wav.prefix(4), as: UTF8.self)
            let format = String(decoding: wav.dropFirst(8).prefix(8), as: UTF8.self)
            #expect(riff == "RIFF")
            #expect(format == "WAVEfmt ")
            let header = [UInt8](wav.prefix(28))
            #expect(header[22] == 1)                                   // mono
            #expect(Array(header[24..<28]) == [0x40, 0x1F, 0, 0])      // 8000 Hz

            let url = "http://localhost/getMonitor/\(record.recording)"
            #expect(try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": String(day)]) == Outcome(code: 1, message: url))
            #expect(try await call(client, interface, "getMonitor", ["sessionid": sid.uppercased(), "calldate": String(day)]) == Outcome(code: 1, message: url))
            #expect(try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": "2001-01-01"]) == Outcome(code: 2, message: "BackMsg_44"))
            #expect(try await call(client, interface, "getMonitor", ["sessionid": String(repeating: "0", count: 32), "calldate": String(day)])
                == Outcome(code: 2, message: "BackMsg_44"))
            #expect(try await call(client, interface, "getMonitor", ["sessionid": sid]) == Outcome(code: 2, message: "BackMsg_01"))
            // The URL serves the file.
            try await client.execute(uri: "/getMonitor/\(record.recording)", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.body.readableBytes == wav.count)
            }
            try await client.execute(uri: "/getMonitor/../coccd.sqlite", method: .get) { r in #expect(r.status != .ok) }
            try await client.execute(uri: "/getMonitor/%2e%2e/coccd.sqlite", method: .get) { r in #expect(r.status != .ok) }
        }
    }

    @Test
    func unansweredCallsHaveNoRecordingAndWebrootIsConfigurable() async throws {
        var configured = try Fixture()
        configured.configuration.webrootAddress = "http://192.168.1.100:8880"
        let f = configured
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial.with(["targetdn": "13800000002"]))   // busy
            await f.advance(3)
            let busy = try #require(field(try f.events()[0], "sessionid"))
            let day = String(eventTime(f.clock()).prefix(10))
            #expect(try await call(client, .http, "getMonitor", ["sessionid": busy, "calldate": day]) == Outcome(code: 2, message: "BackMsg_404"))
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            await f.advance(3)
            try await f.pbx.farEndHangup(uniqueid: 19869)
            let answered = try #require(field(try f.events().last!, "sessionid"))
            let outcome = try await call(client, .http, "getMonitor", ["sessionid": answered, "calldate": day])
            #expect(outcome.code == 1 && outcome.message.hasPrefix("http://192.168.1.100:8880/getMonitor/1/"))
        }
    }
}

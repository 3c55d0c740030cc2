import CoccEngine
import CoccOperations
import CoccServer
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@Suite("recordings and getMonitor")
struct RecordingTests {
    @Test(arguments: Interface.allCases)
    func answeredCallsLeaveAPlayableRecording(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent8001)
            _ = try await call(client, interface, "makeCall", OutboundCallTests.dial)
            await f.advance(3)  // answered at t+3
            await f.advance(38)
            try await f.pbx.farEndHangup(uniqueid: 19867)
            let sid = try await #require(field(try f.events()[0], "sessionid"))
            let record = try await #require(try f.store.callRecord(sessionid: sid))
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
            #expect(header[22] == 1)  // mono
            #expect(Array(header[24..<28]) == [0x40, 0x1F, 0, 0])  // 8000 Hz

            // A signed URL (item 7), the same for the session id in either case.
            let url = "http://localhost/getMonitor/\(record.recording)"
            let answer = try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": String(day)])
            #expect(answer.code == 1 && answer.message.hasPrefix(url + "?expires=") && answer.message.contains("&signature="))
            #expect(try await call(client, interface, "getMonitor", ["sessionid": sid.uppercased(), "calldate": String(day)]) == answer)
            #expect(
                try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": "2001-01-01"])
                    == Outcome(code: 2, message: "BackMsg_44"))
            #expect(
                try await call(client, interface, "getMonitor", ["sessionid": String(repeating: "0", count: 32), "calldate": String(day)])
                    == Outcome(code: 2, message: "BackMsg_44"))
            #expect(try await call(client, interface, "getMonitor", ["sessionid": sid]) == Outcome(code: 2, message: "BackMsg_01"))
            // The URL serves the file; without its signature it is refused.
            try await client.execute(uri: String(answer.message.dropFirst("http://localhost".count)), method: .get) { r in
                #expect(r.status == .ok)
                #expect(Array(buffer: r.body) == [UInt8](wav))
            }
            try await client.execute(uri: "/getMonitor/\(record.recording)", method: .get) { r in #expect(r.status == .forbidden) }
            try await client.execute(uri: "/getMonitor/../coccd.sqlite", method: .get) { r in #expect(r.status != .ok) }
            try await client.execute(uri: "/getMonitor/%2e%2e/coccd.sqlite", method: .get) { r in #expect(r.status != .ok) }
        }
    }

    @Test
    func unansweredCallsHaveNoRecordingAndWebrootIsConfigurable() async throws {
        var configured = try await Fixture()
        configured.configuration.webrootAddress = "http://192.168.1.100:8880"
        let f = configured
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial.with(["targetdn": "13800000002"]))  // busy
            await f.advance(3)
            let busy = try await #require(field(try f.events()[0], "sessionid"))
            let day = String(eventTime(f.clock()).prefix(10))
            #expect(
                try await call(client, .http, "getMonitor", ["sessionid": busy, "calldate": day])
                    == Outcome(code: 2, message: "BackMsg_404"))
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            await f.advance(3)
            try await f.pbx.farEndHangup(uniqueid: 19869)
            let answered = try await #require(field(try f.events().last!, "sessionid"))
            let outcome = try await call(client, .http, "getMonitor", ["sessionid": answered, "calldate": day])
            #expect(outcome.code == 1 && outcome.message.hasPrefix("http://192.168.1.100:8880/getMonitor/1/"))
        }
    }
}

/// Item 7: getMonitor's URLs are signed and expire; the file route refuses anything else.
@Suite("recordings: signed URLs")
struct SignedRecordingURLTests {
    /// An answered and ended call, its recording's file, and the path and query getMonitor answers.
    func recordedCall(_ f: Fixture, _ client: some TestClientProtocol) async throws -> (file: URL, uri: String) {
        _ = try await call(client, .http, "login", Fixture.agent8001)
        _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
        await f.advance(3)
        await f.advance(2)
        try await f.pbx.farEndHangup(uniqueid: 19867)
        let sid = try await #require(field(try f.events()[0], "sessionid"))
        let record = try await #require(try f.store.callRecord(sessionid: sid))
        let answer = try await call(
            client, .http, "getMonitor", ["sessionid": sid, "calldate": String(eventTime(record.startedAt).prefix(10))])
        #expect(answer.code == 1)
        return (
            f.directory.appendingPathComponent("recordings/\(record.recording)"), String(answer.message.dropFirst("http://localhost".count))
        )
    }

    func status(_ client: some TestClientProtocol, _ uri: String, method: HTTPRequest.Method = .get) async throws -> HTTPResponse.Status {
        try await client.execute(uri: uri, method: method) { $0.status }
    }

    @Test
    func unsignedExpiredAndTamperedRequestsAre403() async throws {
        var configured = try await Fixture()
        configured.configuration.recordingURLLifetimeSeconds = 60
        let f = configured
        try await f.application().test(.router) { client async throws in
            let (file, uri) = try await recordedCall(f, client)
            let bytes = [UInt8](try Data(contentsOf: file))
            try await client.execute(uri: uri, method: .get) { r in
                #expect(r.status == .ok)
                #expect(Array(buffer: r.body) == bytes)
            }
            #expect(try await status(client, uri, method: .head) == .ok)
            let path = String(uri.prefix { $0 != "?" })
            let query = String(uri.drop { $0 != "?" })
            let expires = try #require(query.split(separator: "&").first { $0.hasPrefix("?expires=") }?.dropFirst(9))
            #expect(Int64(expires) == Int64(f.clock().timeIntervalSince1970 + 60))
            #expect(try await status(client, path) == .forbidden)
            #expect(try await status(client, path + "?expires=\(expires)") == .forbidden)
            // The signature of one recording opens no other file, nor another expiry.
            let other = file.deletingLastPathComponent().appendingPathComponent("0123456789abcdef0123456789abcdef.wav")
            try FileManager.default.copyItem(at: file, to: other)
            let otherPath = path.replacingOccurrences(of: file.lastPathComponent, with: other.lastPathComponent)
            #expect(try await status(client, otherPath + query) == .forbidden)
            #expect(
                try await status(
                    client, path + query.replacingOccurrences(of: "expires=\(expires)", with: "expires=\(Int64(expires)! + 3600)"))
                    == .forbidden)
            let signature = try #require(query.split(separator: "=").last)
            let flipped = String(signature.dropLast()) + (signature.last == "0" ? "1" : "0")
            #expect(try await status(client, path + query.replacingOccurrences(of: String(signature), with: flipped)) == .forbidden)
            // Escapes cannot slip past the check to the file.
            #expect(try await status(client, path.replacingOccurrences(of: "/getMonitor/", with: "/getMonitor%2F")) != .ok)
            #expect(try await status(client, path.replacingOccurrences(of: ".wav", with: "%2Ewav") + query) == .forbidden)
            // Valid until the expiry, refused after it.
            f.clock.advance(59)
            #expect(try await status(client, uri) == .ok)
            f.clock.advance(2)
            #expect(try await status(client, uri) == .forbidden)
        }
    }

    /// The key is kept in the data directory (0600), so a URL handed out before a restart still works.
    @Test
    func urlsSurviveARestart() async throws {
        let f = try await Fixture()
        let uri = try await f.application().test(.router) { client async throws in try await recordedCall(f, client).uri }
        let keyFile = f.directory.appendingPathComponent(RecordingURLSigner.keyFileName).path
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        // A new application over the same data directory reads the same key.
        try await f.application().test(.router) { client async throws in
            #expect(try await status(client, uri) == .ok)
        }
        // Another data directory has another key.
        let g = try await Fixture()
        try FileManager.default.createDirectory(at: g.directory.appendingPathComponent("recordings/1"), withIntermediateDirectories: true)
        try await g.application().test(.router) { client async throws in
            #expect(try await status(client, uri) == .forbidden)
        }
    }

    /// `recordingURLsSigned: false`: the old product's URLs, downloadable as they are.
    @Test
    func theSwitchGivesBackTheOldUnsignedURLs() async throws {
        var configured = try await Fixture()
        configured.configuration.recordingURLsSigned = false
        let f = configured
        try await f.application().test(.router) { client async throws in
            let (file, uri) = try await recordedCall(f, client)
            let day = file.deletingLastPathComponent().lastPathComponent
            #expect(uri == "/getMonitor/1/\(day)/\(file.lastPathComponent)")
            #expect(try await status(client, uri) == .ok)
        }
        #expect(!FileManager.default.fileExists(atPath: f.directory.appendingPathComponent(RecordingURLSigner.keyFileName).path))
    }
}

@Suite("recordings: configuration")
struct RecordingConfigurationTests {
    @Test
    func theSwitchAndTheLifetimeComeFromTheFileAndTheEnvironment() throws {
        let defaults = ServerConfiguration()
        #expect(defaults.recordingURLsSigned && defaults.recordingURLLifetimeSeconds == 86400)
        var config = try JSONDecoder().decode(
            ServerConfiguration.self, from: Data(#"{"recordingURLsSigned": false, "recordingURLLifetimeSeconds": 600}"#.utf8))
        #expect(!config.recordingURLsSigned && config.recordingURLLifetimeSeconds == 600)
        config.apply(environment: ["COCCD_RECORDING_URLS_SIGNED": "true", "COCCD_RECORDING_URL_LIFETIME": "3600"])
        #expect(config.recordingURLsSigned && config.recordingURLLifetimeSeconds == 3600)
    }
}

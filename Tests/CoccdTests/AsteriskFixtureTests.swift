import CoccEngine
import CoccSimulator
import CoccStorage
import CoccSwitch
import Foundation
import Logging
import Synchronization
import Testing

@testable import CoccAsterisk

/// The ARI driver against what a real Asterisk 22.10.1 did (`../shared/fixtures/asterisk-ari`):
/// the REST calls it makes for each operation, and the notifications it draws from the recorded
/// event sequences.
@Suite("Asterisk driver: recorded ARI fixtures")
struct AsteriskFixtureTests {
    /// Records every request; answers 200 with a channel body, or what a test scripts.
    final class RecordingTransport: ARITransport {
        let requests = Mutex<[ARIRequest]>([])
        let answers = Mutex<[String: ARIResponse]>([:])

        func send(_ request: ARIRequest) async throws -> ARIResponse {
            requests.withLock { $0.append(request) }
            if let scripted = answers.withLock({ $0["\(request.method) \(request.path)"] }) { return scripted }
            let id = request.query.first { $0.0 == "channelId" }?.1 ?? "x"
            let endpoint = request.query.first { $0.0 == "endpoint" }?.1 ?? "Local/x@y"
            return ARIResponse(status: 200, body: Data(#"{"id":"\#(id)","name":"\#(endpoint)-00000001;1","state":"Down"}"#.utf8))
        }

        var sent: [ARIRequest] { requests.withLock { $0 } }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("../shared/fixtures/asterisk-ari").standardizedFileURL

    /// The recorded WebSocket events of a scenario, in order.
    static func events(_ scenario: String) throws -> [ARIEvent] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(scenario + ".jsonl"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["dir"] as? String == "event",
                object["type"] != nil
            else { return nil }
            return ARIEvent(json: Data(line.utf8))
        }
    }

    func makeSwitch(_ transport: RecordingTransport = RecordingTransport()) -> (AsteriskSwitch, RecordingTransport) {
        var configuration = AsteriskConfiguration(url: "http://127.0.0.1:8088", username: "coccd", password: "pw")
        configuration.agentEndpoint = "Local/{exten}@agents"
        configuration.externalEndpoint = "Local/{number}@outside"
        configuration.mohClass = "tone"
        configuration.ivrContext = "ivr"
        let pbx = AsteriskSwitch(
            configuration: configuration, transport: transport, legIDs: CountingLegIDs(first: 1555), logger: Logger(label: "test"))
        pbx.setConnected(true)
        return (pbx, transport)
    }

    /// Replays the events and answers the notifications they produced.
    func notifications(_ pbx: AsteriskSwitch, replaying events: [ARIEvent]) async -> [SwitchNotification] {
        for event in events { await pbx.receive(event) }
        pbx.notifications.finish()
        var out: [SwitchNotification] = []
        for await notification in pbx.notifications { out.append(notification) }
        return out
    }

    @Test
    func originateAsksForTheChannelByItsUniqueid() async throws {
        let (pbx, transport) = makeSwitch()
        let leg = try await pbx.originate(
            OriginateRequest(
                uniqueid: 1000, destination: .external("5550100"), callerID: "0800100123",
                context: "dialout", ringTimeout: .seconds(15)))
        #expect(
            transport.sent == [
                ARIRequest(
                    "POST", "/channels",
                    [
                        ("endpoint", "Local/5550100@outside"), ("app", "coccd"), ("appArgs", "coccd,dialout"), ("timeout", "15"),
                        ("channelId", "coccd-1000"),
                        ("otherChannelId", "coccd-1000-2"), ("callerId", "0800100123"),
                    ])
            ])
        #expect(leg == LegInfo(uniqueid: 1000, channel: "Local/5550100@outside-00000001;1", number: "5550100"))
        await #expect(throws: SwitchError.duplicateLeg(1000)) {
            try await pbx.originate(OriginateRequest(uniqueid: 1000, destination: .extension("1001")))
        }
    }

    @Test
    func disconnectedCommandsFailAtOnce() async throws {
        let (pbx, transport) = makeSwitch()
        pbx.setConnected(false)
        await #expect(throws: SwitchError.self) { try await pbx.originate(OriginateRequest(uniqueid: 1, destination: .extension("1001"))) }
        #expect(transport.sent.isEmpty)
    }

    /// 02-originate-outcomes: each recorded outcome gives the engine's notifications, the
    /// outcome from `Dial`'s status (busy and congestion have cause 0 on `;1`).
    @Test(arguments: [
        ("a1-answer", ["ringing", "answered", "hungUp normal"]),
        ("a2-busy", ["ringing", "hungUp busy"]),
        ("a3-noanswer", ["ringing", "hungUp noAnswer"]),
        ("a4-congestion", ["ringing", "hungUp failed"]),
        ("a5-rejected", ["ringing", "hungUp failed"]),
        ("a6-noexten", ["hungUp failed"]),
        ("a8-farhangup", ["ringing", "answered", "hungUp normal"]),
        ("a14-agent-noanswer", ["ringing", "hungUp noAnswer"]),
    ])
    func originateOutcomes(_ channel: String, _ expected: [String]) async throws {
        let (pbx, _) = makeSwitch()
        await pbx.register(uniqueid: 7, channelID: channel)
        if channel == "a1-answer" { await pbx.markHangupRequested(7) }  // the app hung it up (DELETE)
        let seen = await notifications(pbx, replaying: try Self.events("02-originate-outcomes"))
        #expect(seen.map(Self.describe) == expected)
    }

    static func describe(_ n: SwitchNotification) -> String {
        switch n {
        case .ringing: "ringing"
        case .answered: "answered"
        case .hungUp(_, let cause): "hungUp \(cause.rawValue)"
        case .incoming(let leg, let called, let tenant, let priority): "incoming \(leg.number) \(called) \(tenant) \(priority)"
        }
    }

    /// 03-inbound: the dial plan's `Stasis(coccd,inbound,<DID>,<tenant>)` becomes `incoming`,
    /// answered into the app; the caller's hangup (StasisEnd, no ChannelDestroyed) ends it.
    @Test
    func inboundFromTheDialPlan() async throws {
        let (pbx, transport) = makeSwitch()
        let events = try Self.events("03-inbound").filter { $0.channelID == "b1-in" }
        let seen = await notifications(pbx, replaying: events)
        #expect(seen.first.map(Self.describe) == "incoming +15551230001 0800100123 acme 0")
        #expect(seen.first?.uniqueid == 1555)
        #expect(transport.sent.first == ARIRequest("POST", "/channels/b1-in/answer"))
        #expect(seen.last.map(Self.describe) == "hungUp normal")
    }

    @Test
    func holdSpyAndIVRAskForWhatTheFixturesShowWorks() async throws {
        let (pbx, transport) = makeSwitch()
        for (id, channel) in [(1, "c-in"), (2, "c-ag1"), (3, "sup")] {
            await pbx.register(uniqueid: Int64(id), channelID: channel)
            await pbx.answered(Int64(id))
        }
        try await pbx.bridge(1, 2)
        try await pbx.hold(uniqueid: 1, music: true)
        try await pbx.unhold(uniqueid: 1)
        try await pbx.hold(uniqueid: 1, music: false)
        try await pbx.unhold(uniqueid: 1)
        try await pbx.spy(3, on: 2, mode: .whisper)
        try await pbx.redirect(1, toIVR: "7000", path: ["1", "2"])
        let sent = transport.sent.map(\.description)
        #expect(
            sent == [
                "POST /bridges?type=mixing&bridgeId=coccd-bridge-1&name=coccd-bridge-1",
                "POST /bridges/coccd-bridge-1/addChannel?channel=c-in,c-ag1",
                "POST /channels/c-in/moh?mohClass=tone", "POST /channels/c-in/mute?direction=in",
                "DELETE /channels/c-in/moh", "DELETE /channels/c-in/mute?direction=in",
                "POST /channels/c-in/silence", "POST /channels/c-in/mute?direction=in",
                "DELETE /channels/c-in/silence", "DELETE /channels/c-in/mute?direction=in",
                "POST /channels/c-ag1/snoop?spy=both&app=coccd&appArgs=coccd,spy&snoopId=coccd-snoop-2&whisper=out",
                "POST /bridges?type=mixing&bridgeId=coccd-spy-3&name=coccd-spy-3",
                "POST /bridges/coccd-spy-3/addChannel?channel=sup,coccd-snoop-2",
                "POST /channels/c-in/variable?variable=COCCD_IVR_PATH&value=1-2",
                "POST /applications/coccd/subscription?eventSource=channel:c-in",
                "POST /channels/c-in/continue?context=ivr&extension=7000&priority=1",
            ])
        // Continued into the IVR: its StasisEnd is not a hangup; back with ivr-return.
        var end = ARIEvent(type: "StasisEnd", channelID: "c-in")
        await pbx.receive(end)
        #expect(await pbx.liveLegs().map(\.uniqueid).contains(1))
        end = ARIEvent(type: "StasisStart", channelID: "c-in")
        end.args = ["ivr-return", "42"]
        await pbx.receive(end)
        #expect(await pbx.legs[1]?.inDialplan == false)
    }

    /// 09: events in a WebSocket gap are lost; after reconnecting, legs Asterisk no longer has
    /// end (once), the others stay.
    @Test
    func reconcileEndsLegsThatEndedInAGap() async throws {
        let transport = RecordingTransport()
        transport.answers.withLock { $0["GET /channels"] = ARIResponse(status: 200, body: Data(#"[{"id":"kept"},{"id":"kept-2"}]"#.utf8)) }
        let (pbx, _) = makeSwitch(transport)
        await pbx.register(uniqueid: 1, channelID: "kept")
        await pbx.register(uniqueid: 2, channelID: "gone")
        await pbx.answered(2)
        await pbx.reconcile()
        await pbx.reconcile()
        let seen = await notifications(pbx, replaying: [])
        #expect(seen.map(Self.describe) == ["answered", "hungUp normal"])
        #expect(seen.last?.uniqueid == 2)
    }

    /// A finished recording is copied from Asterisk's recording directory when coccd shares it
    /// (no download over ARI), then Asterisk's stored copy is deleted; without the directory
    /// it is fetched over ARI.
    @Test(arguments: [true, false])
    func aFinishedRecordingReachesTheEnginesPath(_ shared: Bool) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-ari-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let audio = Data("RIFF....WAVEfmt recorded audio".utf8)
        let transport = RecordingTransport()
        var configuration = AsteriskConfiguration(url: "http://127.0.0.1:8088", username: "coccd", password: "pw")
        if shared { configuration.recordingDirectory = folder.appendingPathComponent("spool").path }
        let pbx = AsteriskSwitch(
            configuration: configuration, transport: transport, legIDs: CountingLegIDs(first: 1555), logger: Logger(label: "test"))
        pbx.setConnected(true)
        await pbx.register(uniqueid: 7, channelID: "coccd-7")
        await pbx.answered(7)
        let target = folder.appendingPathComponent("team/20261202/call.wav").path
        try await pbx.startRecording(uniqueid: 7, path: target)
        let name = try #require(transport.sent.last { $0.path.hasSuffix("/record") }?.query.first { $0.0 == "name" }?.1)
        if shared {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("spool"), withIntermediateDirectories: true)
            try audio.write(to: folder.appendingPathComponent("spool/\(name).wav"))
        } else {
            transport.answers.withLock { $0["GET /recordings/stored/\(name)/file"] = ARIResponse(status: 200, body: audio) }
        }
        await pbx.receive(
            try #require(ARIEvent(json: Data(#"{"type":"RecordingFinished","recording":{"name":"\#(name)","state":"done"}}"#.utf8))))
        #expect(FileManager.default.contents(atPath: target) == audio)
        let paths = transport.sent.map { "\($0.method) \($0.path)" }
        #expect(paths.contains("GET /recordings/stored/\(name)/file") == !shared)
        #expect(paths.last == "DELETE /recordings/stored/\(name)")
    }
}

import CoccEngine
import CoccProvisioning
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The retention window: old events go, the log stays one unbroken run of ids, undelivered
/// events stay, and a reader whose cursor is older than the window is told to resync.
@Suite("event log retention", .serialized)
struct EventRetentionTests {
    /// Events 1–5 two days old, 6–7 now; all on agent 8001's channel.
    func seeded(_ f: Fixture) async throws -> Int64 {
        let agent = try #require(f.center.directory.agents.values.first { $0.number == "8001" && $0.teamID == 1 })
        let now = f.clock()
        for i in 1...7 {
            let at = i <= 5 ? now.addingTimeInterval(-48 * 3600) : now
            _ = try await f.store.appendEvent(teamID: 1, at: at, agentIDs: [agent.id]) {
                "activenum=8001&source=AGENT&event=e\(i)&eventid=\($0)&"
            }
        }
        return agent.id
    }

    func service(_ f: Fixture) -> EventRetentionService {
        EventRetentionService(center: f.center, store: f.store, retention: 24 * 3600, logger: Fixture.quiet)
    }

    @Test
    func pruningRemovesTheOldPrefixButKeepsTheNewestAndUndelivered() async throws {
        let f = try await Fixture()
        _ = try await seeded(f)
        // A backend that accepted only up to 3 holds 4 and 5.
        try await f.admin.updateTeam(identity: "demo", eventURL: "http://127.0.0.1:9/hook")
        try await f.center.reloadDirectoryIfChanged(logger: Fixture.quiet)
        var state = try await f.store.deliveryState(teamID: 1)
        state.cursor = 3
        try await f.store.saveDelivery(state)
        await #expect(service(f).prune(now: f.clock()) == 3)
        await #expect(try f.store.firstEventID(teamID: 1) == 4)
        // Once delivered, they go too.
        state.cursor = 7
        try await f.store.saveDelivery(state)
        await #expect(service(f).prune(now: f.clock()) == 2)
        await #expect(try f.store.firstEventID(teamID: 1) == 6)
        // Everything old: the newest stays, so ids keep counting up.
        f.clock.advance(3 * 24 * 3600)
        await #expect(service(f).prune(now: f.clock()) == 1)
        await #expect(try f.store.firstEventID(teamID: 1) == 7)
        let next = try await f.store.appendEvent(teamID: 1, at: f.clock(), agentIDs: []) { "event=x&eventid=\($0)&" }
        #expect(next.eventid == 8)
    }

    @Test
    func aStaleCursorGetsResyncWhileAFreshOneResumes() async throws {
        let f = try await Fixture()
        _ = try await seeded(f)
        await #expect(service(f).prune(now: f.clock()) == 5)
        try await f.liveApplication(pollTimeout: 1).test(.live) { client async throws in
            let channel = "/agentindesks/agentpull/demo-8001-123456"
            // Cursor 5: nothing was lost after it; 6 and 7 come as usual.
            let fresh = try await client.execute(uri: channel, method: .get, headers: [.ifNoneMatch: "5"]) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(fresh.0 == .ok)
            #expect(fresh.1 == "activenum=8001&source=AGENT&event=e6&eventid=6&\r\nactivenum=8001&source=AGENT&event=e7&eventid=7&")
            // Cursor 2: 3–5 are gone; one resync message moves the page to the present.
            let stale = try await client.execute(uri: channel, method: .get, headers: [.ifNoneMatch: "2"]) {
                ($0.status, $0.headers[.eTag], String(buffer: $0.body))
            }
            #expect(stale.0 == .ok && stale.1 == "7")
            #expect(stale.2 == "source=SYSTEM&event=resync&reason=retention&eventid=7&")
            // An If-Modified-Since from before the window is stale as well.
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let old = formatter.string(from: f.clock().addingTimeInterval(-72 * 3600))
            let byDate = try await client.execute(uri: channel, method: .get, headers: [.ifModifiedSince: old]) { String(buffer: $0.body) }
            #expect(byDate.contains("event=resync&"))
            // The vendor plugin's JSON form of the same message.
            let json = try await client.execute(uri: channel + "?format=json", method: .get, headers: [.ifNoneMatch: "2"]) {
                String(buffer: $0.body)
            }
            #expect(json == "{'source':'SYSTEM','event':'resync','reason':'retention','eventid':'7'}")
            // Parsed the way that plugin does it: quotes swapped, then JSON.
            let lines = try await client.execute(uri: channel + "?format=json", method: .get, headers: [.ifNoneMatch: "5"]) {
                String(buffer: $0.body)
            }
            let objects = try lines.components(separatedBy: "\r\n").map {
                try JSONSerialization.jsonObject(with: Data($0.replacingOccurrences(of: "'", with: "\"").utf8)) as? [String: String]
            }
            #expect(objects.map { $0?["event"] } == ["e6", "e7"])
            #expect(objects.map { $0?["activenum"] } == ["8001", "8001"])

            // SSE: resync first, then what comes next.
            let port = try #require(client.port)
            let stream = try RawConnection(port: port)
            stream.send(
                "GET /coccinterface/events?orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456 HTTP/1.1\r\nHost: localhost\r\nLast-Event-ID: 1\r\n\r\n"
            )
            let text = await stream.receive(timeout: 30, until: "event=resync") ?? ""
            #expect(text.contains("id: 7\ndata: source=SYSTEM&event=resync&reason=retention&eventid=7&\n\n"))
            #expect(!text.contains("event=e6"))
        }
    }
}

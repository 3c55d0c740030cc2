import CoccEngine
import CoccOperations
import CoccProvisioning
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

/// The long-poll protocol as the deployed plugin speaks it, over a real socket.
@Suite("browser push: long-poll")
struct PushTests {
    @Test
    func longPollDeliversTheAgentsEventsInOrderAndWakesAtOnce() async throws {
        let f = try await Fixture()
        try await f.liveApplication(pollTimeout: 1).test(.live) { client async throws in
            let ccdate = try await client.execute(uri: "/getccdate/getccdate", method: .get) { String(buffer: $0.body) }
            #expect(ccdate.hasPrefix("{\"ccdate\":\"") && ccdate.hasSuffix(" GMT\"}"))
            let channel = "/agentindesks/agentpull/demo-8001-123456"
            // Nothing yet: 304 after the timeout, with a cursor.
            let first = try await client.execute(uri: channel, method: .get) { ($0.status, $0.headers[.eTag]) }
            #expect(first.0 == .notModified && first.1 == "0")

            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "login", Fixture.agent("8002"))
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            await f.advance(1)
            // 8002's call interleaves in the team's log but is not 8001's.
            _ = try await call(
                client, .http, "makeCall", OutboundCallTests.dial.with(Fixture.agent("8002")).with(["targetdn": "13800000003"]))
            await f.advance(2)
            // The events are appended to the log after the operations answer (the team's journal):
            // the poll below reads what is there, so wait until they are.
            await f.settle()

            let (status, etag, lastModified, body) = try await client.execute(uri: channel, method: .get, headers: [.ifNoneMatch: "0"]) {
                ($0.status, $0.headers[.eTag], $0.headers[.lastModified], String(buffer: $0.body))
            }
            #expect(status == .ok)
            let lines = body.components(separatedBy: "\r\n")
            #expect(
                lines.map { "\(field($0, "source")!) \(field($0, "event")!)" } == [
                    "AGENT ringing", "AGENT answer", "CALLEE ringing", "CALLEE answer",
                ])
            #expect(lines.allSatisfy { field($0, "activenum") == "8001" })
            #expect(lines.map { field($0, "eventid")! } == ["1", "2", "3", "7"])  // 4-6 are 8002's
            #expect(etag == "7" && lastModified?.hasSuffix(" GMT") == true)
            // RFC 9110's IMF-fixdate, as Foundation's formatter writes it (coccd writes it by hand),
            // and the time of the newest event, which the test clock set.
            let imf = DateFormatter()
            imf.locale = Locale(identifier: "en_US_POSIX")
            imf.timeZone = TimeZone(identifier: "GMT")
            imf.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let stamped = try #require(imf.date(from: lastModified ?? ""))
            #expect(imf.string(from: stamped) == lastModified)
            #expect(abs(stamped.timeIntervalSince(f.clock())) < 60)

            // Waiting with the cursor: the hangup wakes the poll at once; polling on with each new
            // Etag, as the plugin does, brings the rest, each event once.
            async let waiting = client.execute(uri: channel, method: .get, headers: [.ifNoneMatch: etag!]) {
                ($0.status, $0.headers[.eTag], String(buffer: $0.body))
            }
            try await Task.sleep(for: .milliseconds(200))
            try await f.pbx.farEndHangup(uniqueid: 19867)
            var (wokeStatus, cursor, received) = try await waiting
            // That the event, not the 1 s poll timeout, woke it is shown without a clock by
            // aWaitingPollIsWokenByTheEvent.
            #expect(wokeStatus == .ok)
            var kinds = received.components(separatedBy: "\r\n")
            while !kinds.contains(where: { $0.contains("source=CONVERSATION") }) {
                (wokeStatus, cursor, received) = try await client.execute(uri: channel, method: .get, headers: [.ifNoneMatch: cursor ?? ""])
                {
                    ($0.status, $0.headers[.eTag], String(buffer: $0.body))
                }
                #expect(wokeStatus == .ok)
                kinds += received.components(separatedBy: "\r\n")
            }
            #expect(
                kinds.map { "\(field($0, "source")!) \(field($0, "event")!)" } == ["CALLEE hangup", "AGENT hangup", "CONVERSATION hangup"])

            // A cursor by time (the events carry the test clock's times, from t0).
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let since = formatter.string(from: f.clock() - 3600)
            let all = try await client.execute(uri: channel, method: .get, headers: [.ifModifiedSince: since]) { String(buffer: $0.body) }
            #expect(all.components(separatedBy: "\r\n").count == 7)
            // The MD5 form of the password, and a wrong one.
            let md5 = try await client.execute(
                uri: "/agentindesks/agentpull/demo-8001-e10adc3949ba59abbe56e057f20f883e", method: .get,
                headers: [.ifNoneMatch: "0"]
            ) { $0.status }
            #expect(md5 == .ok)
            let wrong = try await client.execute(uri: "/agentindesks/agentpull/demo-8001-nope", method: .get) { $0.status }
            #expect(wrong == .forbidden)
        }
    }

    /// The poll waits up to an hour, so its answering at all shows the event woke it; the time
    /// limit is only a safety net against a hang (no wall-clock bound in the assertions).
    @Test(.timeLimit(.minutes(1)))
    func aWaitingPollIsWokenByTheEvent() async throws {
        let f = try await Fixture()
        try await f.liveApplication(pollTimeout: 3600).test(.live) { client async throws in
            let channel = "/agentindesks/agentpull/demo-8001-123456"
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            await f.advance(3)
            await f.settle()  // the call's events are in the log, so the first poll has them all
            let etag = try await client.execute(uri: channel, method: .get, headers: [.ifNoneMatch: "0"]) { $0.headers[.eTag] }
            async let waiting = client.execute(uri: channel, method: .get, headers: [.ifNoneMatch: etag ?? ""]) {
                ($0.status, String(buffer: $0.body))
            }
            try await Task.sleep(for: .milliseconds(200))
            try await f.pbx.farEndHangup(uniqueid: 19867)
            let (status, body) = try await waiting
            #expect(status == .ok)
            #expect(body.contains("event=hangup"))
        }
    }

    @Test
    func channelNames() {
        #expect(PushChannel.parse("demo-8001-123456") == PushChannel(team: "demo", agent: "8001", password: "123456"))
        #expect(PushChannel.parse("my-team-8001-pw") == PushChannel(team: "my-team", agent: "8001", password: "pw"))
        #expect(PushChannel.parse("demo-8001") == nil)
    }
}

@Suite("Server-Sent Events", .serialized)
struct EventStreamTests {
    /// The events' ids, without the stream's opening `event: cursor` frame.
    static func ids(_ text: String) -> [Int] {
        let frames = text.components(separatedBy: "\n\n").filter { !$0.hasPrefix("event: cursor\n") && !$0.contains("\nevent: cursor\n") }
        return frames.joined(separator: "\n\n").components(separatedBy: "id: ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    /// A stream opens with `event: cursor` at its starting id: a page that reconnects before it
    /// has seen any event resumes from there (Last-Event-ID) and gets what happened meanwhile.
    @Test
    func aStreamOpensWithItsCursorSoAReconnectLosesNothing() async throws {
        let f = try await Fixture()
        try await f.liveApplication().test(.live) { client async throws in
            let port = try #require(client.port)
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(
                client, .http, "queuePause", Fixture.agent8001.with(["type": "1", "pause_reason": "rest", "pushevent": "yes"]))
            let query = "orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"
            let first = try RawConnection(port: port)
            first.send("GET /coccinterface/events?\(query) HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let opening = await first.receive(timeout: 30, until: "event: cursor\nid: 1\ndata: 1\n\n") ?? ""
            #expect(opening.contains("event: cursor\nid: 1\ndata: 1\n\n"))
            first.hangUp()
            // While the page is away: another event on its channel.
            _ = try await call(client, .http, "queuePause", Fixture.agent8001.with(["type": "2", "pushevent": "yes"]))
            let again = try RawConnection(port: port)
            again.send("GET /coccinterface/events?\(query) HTTP/1.1\r\nHost: localhost\r\nLast-Event-ID: 1\r\n\r\n")
            let resumed = await again.receive(timeout: 30, until: "event=nopaused") ?? ""
            #expect(resumed.contains("id: 2\ndata: source=AGENT&event=nopaused"))
        }
    }

    @Test
    func streamsResumesAndSeparatesChannels() async throws {
        let f = try await Fixture()
        try await f.liveApplication().test(.live) { client async throws in
            let port = try #require(client.port)
            let query = "orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"
            let stream = try RawConnection(port: port)
            stream.send("GET /coccinterface/events?\(query) HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            let head = await stream.receive(timeout: 30, until: "retry: 2000") ?? ""
            #expect(head.hasPrefix("HTTP/1.1 200 OK") && head.lowercased().contains("content-type: text/event-stream"))
            let team = try RawConnection(port: port)
            team.send(
                "GET /coccinterface/events?orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin123 HTTP/1.1\r\nHost: localhost\r\n\r\n"
            )
            _ = await team.receive(timeout: 30, until: "retry: 2000")

            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "login", Fixture.agent("8002"))
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            _ = try await call(
                client, .http, "makeCall", OutboundCallTests.dial.with(Fixture.agent("8002")).with(["targetdn": "13800000002"]))
            await f.advance(3)
            // Legs: 19866 and 19867 are the agents'; 8001's customer is 19868 (8002's, busy, is gone).
            try await f.pbx.farEndHangup(uniqueid: 19868)

            let mine = await stream.receive(timeout: 30, until: "source=CONVERSATION") ?? ""
            let myIDs = Self.ids(mine)
            #expect(myIDs.count == 7 && myIDs == myIDs.sorted())
            #expect(mine.contains("data: calleridnum=13800000001&didnumber=&activenum=8001&source=AGENT&event=ringing"))
            #expect(!mine.contains("activenum=8002"))
            // The team's stream has both agents' events.
            var all = await team.receive(timeout: 30, until: "CONVERSATION") ?? ""
            if Self.ids(all).count < 13 {
                all += await team.receive(timeout: 30, until: "CONVERSATION&event=hangup&uniqueid=0&sessionid") ?? ""
            }
            #expect(Set(Self.ids(all)) == Set(1...13))

            // Reconnecting with Last-Event-ID resumes after it.
            let again = try RawConnection(port: port)
            again.send("GET /coccinterface/events?\(query) HTTP/1.1\r\nHost: localhost\r\nLast-Event-ID: \(myIDs[3])\r\n\r\n")
            let resumed = await again.receive(timeout: 30, until: "source=CONVERSATION") ?? ""
            #expect(Self.ids(resumed) == Array(myIDs[4...]))

            let denied = try RawConnection(port: port)
            denied.send(
                "GET /coccinterface/events?orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=x HTTP/1.1\r\nHost: localhost\r\n\r\n"
            )
            #expect(await denied.receive(timeout: 30, until: "\r\n")?.hasPrefix("HTTP/1.1 403") == true)
        }
    }
}

@Suite("push tokens")
struct PushTokenTests {
    @Test
    func aTokenReplacesThePasswordInTheChannel() async throws {
        let f = try await Fixture()
        try await f.liveApplication(pollTimeout: 1).test(.live) { client async throws in
            let answer = try await client.execute(
                uri: "/coccinterface/pushtoken?orgidentity=demo&user=8001&pwdtype=plaintext&password=123456", method: .get
            ) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(answer.0 == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.1.utf8)) as? [String: Any])
            let channel = try #require(json["channel"] as? String)
            #expect(channel.hasPrefix("token-1.1.") && json["expires_in"] as? Int == 43200)
            #expect(!channel.contains("123456"))
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            await f.advance(1)
            let polled = try await client.execute(uri: "/agentindesks/agentpull/\(channel)", method: .get, headers: [.ifNoneMatch: "0"]) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(polled.0 == .ok && polled.1.contains("source=AGENT&event=ringing"))
            // Tampered: another agent id under the same signature.
            let forged = channel.replacingOccurrences(of: "token-1.1.", with: "token-1.2.")
            #expect(try await client.execute(uri: "/agentindesks/agentpull/\(forged)", method: .get) { $0.status } == .forbidden)
            #expect(
                try await client.execute(uri: "/coccinterface/pushtoken?orgidentity=demo&user=8001&password=nope", method: .get) {
                    $0.status
                } == .forbidden)
            // The token works for SSE too.
            let token = String(channel.dropFirst(6))
            let stream = try RawConnection(port: try #require(client.port))
            stream.send("GET /coccinterface/events?token=\(token)&lastEventId=0 HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(await stream.receive(timeout: 30, until: "event=ringing")?.contains("data: calleridnum=13800000001") == true)
        }
    }

    /// Item 10: a token carries the agent's credential version and dies with a password change,
    /// on the long-poll channel and the event stream alike.
    @Test
    func aTokenDiesWithAPasswordChange() async throws {
        let f = try await Fixture()
        try await f.liveApplication(pollTimeout: 1).test(.live) { client async throws in
            let token = { (password: String) async throws -> String in
                let body = try await client.execute(
                    uri: "/coccinterface/pushtoken?orgidentity=demo&user=8001&pwdtype=plaintext&password=\(password)",
                    method: .get
                ) { String(buffer: $0.body) }
                let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                return try #require(json["token"] as? String)
            }
            let old = try await token("123456")
            let status = { (token: String) async throws -> HTTPResponse.Status in
                try await client.execute(uri: "/agentindesks/agentpull/token-\(token)", method: .get, headers: [.ifNoneMatch: "0"]) {
                    $0.status
                }
            }
            #expect(try await status(old) == .notModified)
            // Another agent's password changing does not matter.
            try await f.admin.setAgent(team: "demo", number: "8002", password: "other")
            try await f.center.reloadDirectoryIfChanged(logger: Fixture.quiet)
            #expect(try await status(old) == .notModified)
            try await f.admin.setAgent(team: "demo", number: "8001", password: "changed")
            try await f.center.reloadDirectoryIfChanged(logger: Fixture.quiet)
            #expect(try await status(old) == .forbidden)
            let stream = try RawConnection(port: try #require(client.port))
            stream.send("GET /coccinterface/events?token=\(old) HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(await stream.receive(timeout: 30, until: "\r\n\r\n")?.hasPrefix("HTTP/1.1 403") == true)
            // A token issued under the new password works.
            #expect(try await status(try await token("changed")) == .notModified)
        }
    }
}

@Suite("pushevent agent notifications")
struct AgentNotificationTests {
    @Test(arguments: Interface.allCases)
    func operationsWithPusheventYesNotifyTheAgentsChannel(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent8001)
            _ = try await call(client, interface, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2", "pushevent": "no"]))
            _ = try await call(client, interface, "queueAction", Fixture.agent8001.with(["type": "2", "list": "2", "pushevent": "yes"]))
            _ = try await call(client, interface, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2", "pushevent": "yes"]))
            _ = try await call(
                client, interface, "queuePause", Fixture.agent8001.with(["type": "1", "pause_reason": "lunch", "pushevent": "yes"]))
            _ = try await call(client, interface, "queuePause", Fixture.agent8001.with(["type": "2", "pushevent": "YES"]))
            _ = try await call(
                client, interface, "acwAction", Fixture.agent8001.with(["type": "1", "agent_group_id": "1", "pushevent": "yes"]))
            _ = try await call(
                client, interface, "workwayAction", Fixture.agent8001.with(["status": "dialin", "agent_group_id": "2", "pushevent": "yes"]))
            _ = try await call(client, interface, "workwayAction", Fixture.agent8001.with(["status": "all"]))  // pushevent defaults to no
        }
        let events = try await f.store.events(teamID: 1, after: 0, limit: 100, agentID: 1).map(\.message)
        #expect(
            events.map { "\(field($0, "event")!) \(field($0, "AgentGroupId")!)" } == [
                "logoff 2", "login 2", "paused 1", "paused 2", "nopaused 1", "nopaused 2", "acwring 1", "workwaydialin 2",
            ])
        #expect(events[2].hasPrefix("source=AGENT&event=paused&agent=8001&activenum=8001&AgentTeamId=1&AgentGroupId=1&eventTime="))
        #expect(field(events[2], "reason") == "lunch" && field(events[4], "reason") == nil)
        await #expect(try f.store.events(teamID: 1, after: 0, limit: 100, agentID: 2).isEmpty)
    }
}

import CoccEngine
import CoccOperations
import CoccServer
import CoccSimulator
import CoccStorage
import CoccSwitch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `/coccinterface/state`, its stream and `/coccinterface/calls`: what the desk and the
/// wallboard show, who may see what, and that a change is pushed, not polled for.
@Suite("live view")
struct LiveViewTests {
    static func json(_ client: some TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(uri: uri, method: .get) { response in
            let object = try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
            return (response.status, object ?? [:])
        }
    }

    static func query(_ parameters: [String: String]) -> String { formEncode(parameters) }

    static func agents(_ view: [String: Any]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: ((view["agents"] as? [[String: Any]]) ?? []).map { ($0["number"] as? String ?? "", $0) })
    }

    @Test
    func anAgentSeesItselfAGroupAdminItsGroupsAnAccountItsTeam() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent("8002"))
            _ = try await call(client, .http, "queuePause", Fixture.agent("8002").with(["type": "1", "pause_reason": "lunch"]))
            // 8002, a plain agent: itself only, and its group's queue.
            let (status, own) = try await Self.json(client, "/coccinterface/state?" + Self.query(Fixture.agent("8002")))
            #expect(status == .ok)
            let me = try #require(Self.agents(own)["8002"])
            #expect(Self.agents(own).count == 1 && own["me"] as? String == "8002" && own["team"] as? String == "demo")
            #expect(me["status"] as? String == "pause" && me["reason"] as? String == "lunch")
            #expect((own["groups"] as? [[String: Any]])?.map { $0["queue"] as? String } == ["6001"])
            // ...and no wallboard.
            let refused = try await Self.json(client, "/coccinterface/state?view=wallboard&" + Self.query(Fixture.agent("8002")))
            #expect(refused.0 == .forbidden)
            // 8001 leads both groups: their agents, 8001 to 8005.
            let led = try await Self.json(client, "/coccinterface/state?view=wallboard&" + Self.query(Fixture.agent8001))
            #expect(Set(Self.agents(led.1).keys) == ["8001", "8002", "8003", "8004", "8005"])
            #expect(Self.agents(led.1)["8002"]?["status"] as? String == "pause")
            // The account: its team, never the other team's agents.
            let team = try await Self.json(client, "/coccinterface/state?" + Self.query(Fixture.account))
            #expect(Self.agents(team.1).count == 5 && (team.1["groups"] as? [Any])?.count == 2)
            let boss = try await Self.json(
                client, "/coccinterface/state?orgidentity=other&usertype=account&user=boss&pwdtype=plaintext&password=bosspw")
            #expect(Set(Self.agents(boss.1).keys) == ["8001"] && (Self.agents(boss.1)["8001"]?["name"] as? String) == "Other 8001")
            // Bad credentials or token: 403.
            #expect(try await Self.json(client, "/coccinterface/state?token=1.1.1.1.1").0 == .forbidden)
            #expect(
                try await Self.json(client, "/coccinterface/state?" + Self.query(Fixture.agent8001.with(["password": "x"]))).0 == .forbidden
            )
        }
    }

    @Test
    func theQueueShowsWaitingCallersAndTodaysOutcomesWhichARestartKeeps() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent("8002"))
            // One caller answered by 8002, two waiting behind it, one of whom hangs up.
            _ = await f.pbx.placeInbound(from: "111", to: "6001", tenant: "demo")
            await f.advance(1)
            let second = await f.pbx.placeInbound(from: "222", to: "6001", tenant: "demo")
            await f.advance(3)
            _ = await f.pbx.placeInbound(from: "333", to: "6001", tenant: "demo")
            await f.advance(1)
            var (_, view) = try await Self.json(client, "/coccinterface/state?" + Self.query(Fixture.account))
            var sales = try #require((view["groups"] as? [[String: Any]])?.first { $0["id"] as? Int == 1 })
            #expect(sales["waiting"] as? Int == 2 && sales["available"] as? Int == 0 && sales["signedIn"] as? Int == 1)
            let at = try #require(view["at"] as? Double)
            #expect((sales["longestWaitSince"] as? Double).map { abs(at - $0 - 4) < 0.01 } == true)
            #expect(Self.agents(view)["8002"]?["call"].flatMap { ($0 as? [String: Any])?["number"] as? String } == "111")
            try await f.pbx.farEndHangup(uniqueid: second.uniqueid)
            await f.settle()
            (_, view) = try await Self.json(client, "/coccinterface/state?" + Self.query(Fixture.account))
            sales = try #require((view["groups"] as? [[String: Any]])?.first { $0["id"] as? Int == 1 })
            #expect(sales["waiting"] as? Int == 1 && sales["abandonedToday"] as? Int == 1 && sales["answeredToday"] as? Int == 0)
        }
        // Read again from the call records by a new process.
        let center = try await f.restarted()
        let engine = try await center.engine(team: 1)
        let view = await engine.liveView(scope: .team, directory: center.directory)
        #expect(view.groups.first { $0.id == 1 }?.abandonedToday == 1)
    }

    @Test
    func theStreamPushesAChangeAtOnce() async throws {
        let f = try await Fixture()
        try await f.liveApplication().test(.live) { client async throws in
            let port = try #require(client.port)
            let (_, token) = try await AccessTokenTests.token(client, "orgidentity=demo&usertype=account&user=admin&password=admin123")
            let stream = try RawConnection(port: port)
            stream.send("GET /coccinterface/state/stream?token=\(try #require(token)) HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let first = await stream.receive(timeout: 30, until: "\"teamName\":\"Demo team\"}\n\n") ?? ""
            #expect(first.hasPrefix("HTTP/1.1 200") && first.contains("text/event-stream") && first.contains("event: state\ndata: {"))
            // A pause somewhere in the team: the next frame says so, long before the 15 s keep-alive.
            let started = ContinuousClock.now
            _ = try await call(client, .http, "login", Fixture.agent("8003"))
            _ = try await call(client, .http, "queuePause", Fixture.agent("8003").with(["type": "1", "pause_reason": "meeting"]))
            let next = await stream.receive(timeout: 10, until: #""reason":"meeting""#) ?? ""
            #expect(next.contains(#""reason":"meeting""#))
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test
    func theDaysCallsAreTheAgentsOwnOrTheTeams() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            for agent in ["8001", "8002"] {
                _ = try await call(client, .http, "login", Fixture.agent(agent))
                _ = try await call(client, .http, "makeCall", OutboundCallTests.dial.with(Fixture.agent(agent)))
            }
            await f.advance(4)
            for agent in ["8001", "8002"] {
                _ = try await call(client, .http, "hangup", Fixture.agent(agent).with(["target": "all", "targetagent": agent]))
            }
            await f.settle()
            let (status, own) = try await Self.json(client, "/coccinterface/calls?" + Self.query(Fixture.agent8001))
            #expect(status == .ok)
            let calls = try #require(own["calls"] as? [[String: Any]])
            #expect(calls.count == 1 && calls[0]["agent"] as? String == "8001" && calls[0]["number"] as? String == "13800000001")
            #expect(calls[0]["disposition"] as? String == "answered" && calls[0]["recorded"] as? Bool == true)
            let sessionid = try #require(calls[0]["sessionid"] as? String)
            let calldate = try #require(calls[0]["calldate"] as? String)
            // What the desk's Play button does with it: getMonitor answers the recording's URL.
            let monitor = try await call(client, .cji, "getMonitor", ["sessionid": sessionid, "calldate": calldate])
            #expect(monitor.code == 1 && monitor.message.contains("/getMonitor/"))
            let team = try await Self.json(client, "/coccinterface/calls?" + Self.query(Fixture.account))
            #expect((team.1["calls"] as? [Any])?.count == 2)
            let otherDay = try await Self.json(client, "/coccinterface/calls?date=2001-01-01&" + Self.query(Fixture.account))
            #expect((otherDay.1["calls"] as? [Any])?.count == 0)
            #expect(try await Self.json(client, "/coccinterface/calls?date=yesterday&" + Self.query(Fixture.account)).0 == .badRequest)
        }
    }
}

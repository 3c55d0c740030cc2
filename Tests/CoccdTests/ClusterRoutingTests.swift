import CoccEngine
import CoccOperations
import CoccSimulator
import CoccStorage
import Foundation
import Logging
import Testing

@testable import CoccCluster
@testable import CoccPostgres

/// Where a team is served when several nodes share a store: the hash that places unowned
/// teams, the JSON that carries operations and replies between nodes, and the wake-ups a node
/// gets for events another node appended.
@Suite("cluster: placement, forwarding codec and remote wake-ups")
struct ClusterRoutingTests {
    static let teams: [Int64] = Array(1...300)

    /// The same team and nodes always give the same node, whatever the order of the list.
    @Test func rendezvousHashingIsDeterministic() {
        for team in Self.teams {
            let first = RendezvousHash.preferred(team: team, among: ["node-a", "node-b", "node-c"])
            #expect(first != nil)
            #expect(RendezvousHash.preferred(team: team, among: ["node-a", "node-b", "node-c"]) == first)
            #expect(RendezvousHash.preferred(team: team, among: ["node-c", "node-a", "node-b"]) == first)
        }
        #expect(RendezvousHash.preferred(team: 1, among: [String]()) == nil)
    }

    /// 300 teams spread over 3 nodes (each gets 60 to 140); when one node goes only its teams
    /// move, each to one of the others, and every other team keeps its node.
    @Test func rendezvousHashingSpreadsAndMovesOnlyTheLostNodesTeams() {
        let nodes = ["node-a", "node-b", "node-c"]
        let before = Dictionary(uniqueKeysWithValues: Self.teams.map { ($0, RendezvousHash.preferred(team: $0, among: nodes)!) })
        for node in nodes {
            let count = before.values.filter { $0 == node }.count
            #expect((60...140).contains(count), "\(node) has \(count) teams")
        }
        for gone in nodes {
            let remaining = nodes.filter { $0 != gone }
            for team in Self.teams {
                let after = RendezvousHash.preferred(team: team, among: remaining)
                if before[team] == gone {
                    #expect(after.map(remaining.contains) == true)
                } else {
                    #expect(after == before[team], "team \(team) moved though \(before[team]!) stayed")
                }
            }
        }
    }

    /// Every shape of reply survives the trip between nodes: a BackMsg with or without its
    /// argument, data in place of a message, every format, the extra field and the CJI code.
    @Test(arguments: [
        Reply.success(BackMessage("04"), extra: .init(cjiKey: "param", value: "agent_group_id=1&groupname=sales|||")),
        Reply.success(.loginSucceeded),
        Reply.failure(BackMessage("17", argument: "busy")),
        Reply.success(data: "8001:idle,8002:pause"),
        Reply.success(data: ""),
        Reply(code: 1, message: .data("3"), format: .pipe),
        Reply(code: 2, message: .back(BackMessage("85")), format: .pipeOnSOAP),
        Reply(code: 1, message: .back(BackMessage("05")), extra: .init(cjiKey: "status", value: ""), format: .retuen, cjiCode: 3),
    ])
    func aForwardedReplyRoundTrips(_ reply: Reply) throws {
        let wire = try ForwardedReply(reply: reply).encoded()
        #expect(try ForwardedReply.decode(wire).reply == reply)
        #expect(try ForwardedReply.decode(wire).elsewhere == nil)
    }

    /// A "not mine" answer carries the node it names, and no reply.
    @Test func anElsewhereAnswerHasNoReply() throws {
        for node in ["node-b", ""] {
            let decoded = try ForwardedReply.decode(try ForwardedReply(elsewhere: node).encoded())
            #expect(decoded.reply == nil)
            #expect(decoded.elsewhere == node)
        }
    }

    /// A forwarded operation keeps its name, parameters, interface, client address and webroot.
    @Test(arguments: Interface.allCases)
    func aForwardedOperationRoundTrips(_ interface: Interface) throws {
        let parameters = ["orgidentity": "demo", "user": "8001", "password": "p&ss|wörd=1", "empty": ""]
        let request = OperationRequest(parameters: parameters, interface: interface, clientAddress: "10.0.0.9")
        let operation = ForwardedOperation(operation: "login", request: request, webroot: "http://lb.example/")
        let decoded = try ForwardedOperation.decode(try operation.encoded())
        #expect(decoded == operation)
        #expect(decoded.operation == "login" && decoded.webroot == "http://lb.example/")
        #expect(decoded.request.parameters == parameters)
        #expect(decoded.request.interface == interface)
        #expect(decoded.request.clientAddress == "10.0.0.9")
    }

    /// An append another node made wakes this node's waiters of a team it does not run (long
    /// before their 30 s timeout; the bound is loose because the whole suite runs in parallel);
    /// a wait for an older id then returns at once, one for that id still waits.
    @Test(.timeLimit(.minutes(1)))
    func aRemoteAppendWakesTheWaitersOfATeamRunElsewhere() async throws {
        let bus = EventBus()
        let waiter = Task {
            await bus.wait(team: 5, after: 0, timeout: .seconds(30))
            return ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(200))  // the waiter is parked by now
        let signalled = ContinuousClock.now
        bus.remoteAppended(team: 5, eventid: 3, local: false)
        #expect(await waiter.value - signalled < .seconds(10))
        #expect(bus.latest(team: 5) == nil)  // nothing in memory: readers ask the store

        let older = ContinuousClock.now
        await bus.wait(team: 5, after: 2, timeout: .seconds(30))
        #expect(ContinuousClock.now - older < .seconds(10))

        let same = ContinuousClock.now
        await bus.wait(team: 5, after: 3, timeout: .milliseconds(300))
        #expect(ContinuousClock.now - same >= .milliseconds(250))
        // Another team's waiters are not woken by it.
        let other = ContinuousClock.now
        await bus.wait(team: 6, after: 0, timeout: .milliseconds(300))
        #expect(ContinuousClock.now - other >= .milliseconds(250))
    }
}

/// Two nodes on one PostgreSQL, each with its own pool and call center: a team is served by
/// the node holding its lease, the other points there and creates no engine, and a node that
/// leaves hands its teams over at once.
@Suite("cluster: two nodes route a team", .enabled(if: TestPostgres.available, "needs PostgreSQL (COCCD_TEST_POSTGRES_URL or initdb)"))
struct ClusterRoutingTwoNodeTests {
    /// `a` takes a fresh team (.here); `b` routes it to `a` and refuses to create its engine
    /// (TeamElsewhere); after `a` leaves, `b`'s next turn of its clock sees it gone and `b`
    /// takes the team at once, with the next epoch, long before the lease would have run out.
    @Test(.timeLimit(.minutes(1)))
    func aTeamIsServedByItsLeaseHolderAndMovesWhenItLeaves() async throws {
        let database = try await TestPostgres.makeDatabase()
        let storeA = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        let storeB = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        defer {
            Task {
                try? await storeA.close()
                try? await storeB.close()
                await database.drop()
            }
        }
        let a = try await Self.node("a", store: storeA)
        let b = try await Self.node("b", store: storeB)
        try await a.membership.join()
        try await b.membership.join()
        let team: Int64 = 77

        #expect(await a.membership.route(team: team, forwarded: true) == .here)
        #expect(a.membership.holds(team: team))
        #expect(await b.membership.route(team: team, forwarded: true) == .node(id: "a", url: "http://127.0.0.1:1/a"))
        #expect(await b.membership.route(team: team, forwarded: false) == .node(id: "a", url: "http://127.0.0.1:1/a"))
        #expect(!b.membership.holds(team: team))
        await #expect(throws: TeamElsewhere(teamID: team, nodeID: "a")) { try await b.center.engine(team: team) }
        #expect(b.center.loadedEngine(team: team) == nil)
        await #expect(try storeB.lease(team: team)?.epoch == 1)

        await a.membership.leave()
        #expect(!a.membership.holds(team: team) && !a.membership.isServing)
        await b.membership.tick(renew: false)  // b's clock: a's heartbeat row says stopped
        #expect(await b.membership.route(team: team, forwarded: true) == .here)
        #expect(b.membership.holds(team: team))
        let lease = try #require(try await storeB.lease(team: team))
        #expect(lease.nodeID == "b" && lease.epoch == 2 && !lease.isExpired)
        #expect(await a.membership.route(team: team, forwarded: true) != .here)
    }

    struct Node {
        let center: CallCenter
        let membership: ClusterMembership
    }

    /// A node as `coccd serve` builds one: a call center over its own store, admitted by its membership.
    static func node(_ id: String, store: PostgresStore) async throws -> Node {
        let center = try await CallCenter(store: store, switch: SimulatedSwitch(rules: .demo, timing: .manual), logger: Fixture.quiet)
        let settings = ClusterSettings(nodeID: id, advertiseURL: "http://127.0.0.1:1/\(id)", leaseSeconds: 2)
        let membership = ClusterMembership(settings: settings, leases: try #require(store.leases), center: center, logger: Fixture.quiet)
        center.admit(with: membership)
        return Node(center: center, membership: membership)
    }
}

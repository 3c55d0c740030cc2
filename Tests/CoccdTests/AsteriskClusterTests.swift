import CoccEngine
import CoccSwitch
import Foundation
import Logging
import Synchronization
import Testing

@testable import CoccAsterisk

/// The ARI driver on a node of a cluster (README: "Several nodes"): its own application
/// `<app>-<node>`, callers of teams other nodes own moved to theirs (ARI `move`, fixtures 07),
/// and the IVR told where to return a caller. Against the recorded 03-inbound scenario.
@Suite("Asterisk driver: several nodes on one Asterisk")
struct AsteriskClusterTests {
    typealias Recording = AsteriskFixtureTests.RecordingTransport

    func makeSwitch(node: String, _ transport: Recording = Recording()) -> (AsteriskSwitch, Recording) {
        var configuration = AsteriskConfiguration(url: "http://127.0.0.1:8088", username: "coccd", password: "pw")
        configuration.nodeID = node
        configuration.ivrContext = "ivr"
        let pbx = AsteriskSwitch(
            configuration: configuration, transport: transport, legIDs: CountingLegIDs(first: 1555), logger: Logger(label: "test"))
        pbx.setConnected(true)
        return (pbx, transport)
    }

    /// The node registers `coccd-<node>`: on the events socket and in what it originates.
    @Test
    func eachNodeHasItsOwnApplication() async throws {
        var configuration = AsteriskConfiguration(url: "http://127.0.0.1:8088", username: "coccd", password: "pw")
        #expect(configuration.registeredApp == "coccd")
        configuration.nodeID = "node1"
        #expect(configuration.registeredApp == "coccd-node1")
        #expect(configuration.clusterApp(node: "node2") == "coccd-node2")
        let (pbx, transport) = makeSwitch(node: "node1")
        _ = try await pbx.originate(OriginateRequest(uniqueid: 1000, destination: .external("5550100"), context: "dialout"))
        #expect(transport.sent.first?.query.contains { $0 == ("app", "coccd-node1") } == true)
    }

    /// A caller the dial plan sent to this node, for a team another node owns, is moved to the
    /// owner's application with the dial plan's own arguments; its StasisEnd here ends nothing.
    @Test
    func aCallerIsMovedToTheOwnersApplication() async throws {
        let (pbx, transport) = makeSwitch(node: "node1")
        let events = try AsteriskFixtureTests.events("03-inbound").filter { $0.channelID == "b1-in" }
        guard let start = events.first(where: { $0.type == "StasisStart" }) else { throw FixtureMissing() }
        await pbx.receive(start)
        try await pbx.handOver(uniqueid: 1555, toNode: "node2", called: "0800100123", tenant: "acme", priority: 3)
        #expect(
            transport.sent.last?.description == "POST /channels/b1-in/move?app=coccd-node2&appArgs=inbound,0800100123,acme,3")
        await pbx.receive(ARIEvent(type: "StasisEnd", channelID: "b1-in"))
        pbx.notifications.finish()
        var seen: [SwitchNotification] = []
        for await notification in pbx.notifications { seen.append(notification) }
        #expect(seen.count == 1)  // the incoming call only: no hangup for the moved leg
        await #expect(throws: SwitchError.noSuchLeg(1555)) { try await pbx.hangup(uniqueid: 1555) }
    }

    /// Asterisk refusing the move (the owner's application is not connected): the call stays
    /// this node's, so it can still be hung up here.
    @Test
    func aRefusedMoveLeavesTheCallHere() async throws {
        let transport = Recording()
        transport.answers.withLock { $0["POST /channels/b1-in/move"] = ARIResponse(status: 404, body: Data()) }
        let (pbx, _) = makeSwitch(node: "node1", transport)
        let events = try AsteriskFixtureTests.events("03-inbound").filter { $0.channelID == "b1-in" }
        guard let start = events.first(where: { $0.type == "StasisStart" }) else { throw FixtureMissing() }
        await pbx.receive(start)
        await #expect(throws: SwitchError.self) {
            try await pbx.handOver(uniqueid: 1555, toNode: "node2", called: "0800100123", tenant: "acme", priority: 0)
        }
        try await pbx.hangup(uniqueid: 1555)
        #expect(transport.sent.last?.description == "DELETE /channels/b1-in?reason=normal")
    }

    /// The IVR returns a caller to the node that sent it (COCCD_APP, read by
    /// Config/asterisk/extensions-cluster.conf); a single node sets nothing new.
    @Test
    func theIVRIsToldWhichApplicationToReturnTo() async throws {
        for (node, expected) in [("node1", true), ("", false)] {
            let (pbx, transport) = makeSwitch(node: node)
            await pbx.register(uniqueid: 1, channelID: "c-in")
            await pbx.answered(1)
            try await pbx.redirect(1, toIVR: "7000", path: ["1"])
            let sent = transport.sent.map(\.description)
            #expect(sent.contains("POST /channels/c-in/variable?variable=COCCD_APP&value=coccd-node1") == expected, "\(sent)")
        }
    }

    struct FixtureMissing: Error {}
}

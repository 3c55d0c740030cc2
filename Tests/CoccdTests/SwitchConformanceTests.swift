import CoccAsterisk
import CoccEngine
import CoccSimulator
import CoccStorage
import CoccSwitch
import Foundation
import Logging
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The one switch conformance suite: the same tests for every driver behind `Switch`. The
/// simulator always runs them; a real Asterisk does when `COCCD_TEST_ARI_URL` names one that
/// runs `Tests/asterisk/etc` (`Tests/clients/run_asterisk.sh` starts one and sets it).
/// Both use the demo numbers: extensions answer after 1 s, 13800000001 after 2 s,
/// 13800000002 is busy, 13800000003 never answers.
@Suite("switch conformance: every driver behaves the same", .serialized)
struct SwitchConformanceTests {
    enum Driver: String, CaseIterable, CustomTestStringConvertible {
        case simulator, asterisk
        var testDescription: String { rawValue }

        static var available: [Driver] {
            ProcessInfo.processInfo.environment["COCCD_TEST_ARI_URL"].map { _ in [.simulator, .asterisk] } ?? [.simulator]
        }
    }

    /// Notifications as they arrive, and a way to wait for one.
    final class Log: Sendable {
        let seen = Mutex<[SwitchNotification]>([])
        /// While true the reader takes no notification: the engine is busy elsewhere.
        let paused = Mutex(false)

        /// Reads the driver's stream into the log, as the engine's reader does.
        func read(_ pbx: any Switch) -> Task<Void, Never> {
            let notifications = pbx.notifications
            return Task {
                for await notification in notifications {
                    while paused.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(10)) }
                    append(notification)
                }
            }
        }

        func append(_ notification: SwitchNotification) { seen.withLock { $0.append(notification) } }

        func of(_ uniqueid: Int64) -> [String] {
            seen.withLock { $0 }.filter { $0.uniqueid == uniqueid }.map { n in
                switch n {
                case .ringing: "ringing"
                case .answered: "answered"
                case .hungUp(_, let cause): "hungUp \(cause.rawValue)"
                case .incoming(_, let called, let tenant, _): "incoming \(called) \(tenant)"
                }
            }
        }

        /// Waits (real time: drivers run on real clocks here) until `done` holds, at most `seconds`
        /// (generous: on a loaded machine the whole parallel suite competes with these timers).
        func wait(_ seconds: Double = 30, until done: () -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
            while ContinuousClock.now < deadline {
                if done() { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return done()
        }
    }

    /// How a test makes a customer call queue `to`: each driver's own way (the far side is
    /// outside the Switch protocol, which is only what the engine may use).
    typealias DialIn = @Sendable (_ to: String, _ from: String) async throws -> Void

    /// A driver, connected, with its notifications logged; `body` runs, then it is stopped.
    func with(_ driver: Driver, _ body: (any Switch, Log, @escaping @Sendable () -> Int64, DialIn) async throws -> Void) async throws {
        let log = Log()
        // Ids far from other tests' and other runs' (a live Asterisk keeps no state across runs
        // once a call ends, but a failed run may leave a leg behind for a while).
        let ids = CountingLegIDs(first: Int64.random(in: 100_000...900_000) * 10)
        let next: @Sendable () -> Int64 = { ids.nextLegID()! }
        switch driver {
        case .simulator:
            let pbx = SimulatedSwitch(rules: .demo, timing: .realtime, legIDs: ids)
            let reader = log.read(pbx)
            defer { reader.cancel() }
            try await body(pbx, log, next) { to, from in await pbx.placeInbound(from: from, to: to, tenant: "demo") }
        case .asterisk:
            let url = try #require(ProcessInfo.processInfo.environment["COCCD_TEST_ARI_URL"])
            var configuration = AsteriskConfiguration(url: url, username: "coccd", password: "coccd-test-secret")
            configuration.agentEndpoint = "Local/{exten}@coccd-agents"
            configuration.externalEndpoint = "Local/{number}@coccd-outside"
            var logger = Logger(label: "conformance")
            logger.logLevel = .warning
            let pbx = AsteriskSwitch(configuration: configuration, legIDs: ids, logger: logger)
            let reader = log.read(pbx)
            let running = Task { try await pbx.run() }
            defer {
                running.cancel()
                reader.cancel()
            }
            #expect(await log.wait { pbx.isConnected })
            try await body(pbx, log, next) { to, from in
                var request = URLRequest(
                    url: URL(
                        string:
                            "\(url)/ari/channels?endpoint=Local/\(to)@coccd-callers&context=coccd-customer&extension=s&priority=1&callerId=\(from)"
                    )!)
                request.httpMethod = "POST"
                request.setValue("Basic " + Data("coccd:coccd-test-secret".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
                _ = try await URLSession.shared.data(for: request)
            }
            for leg in await pbx.liveLegs() { try? await pbx.hangup(uniqueid: leg.uniqueid) }
        }
    }

    @Test(arguments: Driver.available)
    func anExtensionRingsAnswersAndHangsUp(_ driver: Driver) async throws {
        try await with(driver) { pbx, log, next, _ in
            let id = next()
            let leg = try await pbx.originate(OriginateRequest(uniqueid: id, destination: .extension("8001"), ringTimeout: .seconds(20)))
            #expect(leg.uniqueid == id && leg.channel.contains("8001"))
            #expect(await log.wait { log.of(id) == ["ringing", "answered"] }, "\(log.of(id))")
            try await pbx.hangup(uniqueid: id)
            #expect(await log.wait { log.of(id) == ["ringing", "answered", "hungUp normal"] }, "\(log.of(id))")
            await #expect(throws: SwitchError.self) { try await pbx.hangup(uniqueid: id) }
        }
    }

    /// The engine may be slow to read: commands neither call into it nor wait for it, and what
    /// happened meanwhile is all there, in order, once it reads again.
    @Test(arguments: Driver.available)
    func commandsDoNotWaitForTheReader(_ driver: Driver) async throws {
        try await with(driver) { pbx, log, next, _ in
            let id = next()
            log.paused.withLock { $0 = true }
            _ = try await pbx.originate(OriginateRequest(uniqueid: id, destination: .extension("8001"), ringTimeout: .seconds(20)))
            // Extensions answer after 1 s; the reader still takes nothing.
            try await Task.sleep(for: .seconds(3))
            let started = ContinuousClock.now
            try await pbx.hangup(uniqueid: id)
            #expect(ContinuousClock.now - started < .seconds(10), "hangup waited for the reader")
            #expect(log.of(id).isEmpty)
            log.paused.withLock { $0 = false }
            // Answered by now, unless a loaded machine delayed the phone past the 3 s.
            let complete = [["ringing", "answered", "hungUp normal"], ["ringing", "hungUp normal"]]
            #expect(await log.wait { log.of(id).last == "hungUp normal" }, "\(log.of(id))")
            #expect(complete.contains(log.of(id)), "\(log.of(id))")
        }
    }

    @Test(arguments: Driver.available)
    func outcomesOfExternalNumbers(_ driver: Driver) async throws {
        try await with(driver) { pbx, log, next, _ in
            let busy = next()
            let silent = next()
            _ = try await pbx.originate(OriginateRequest(uniqueid: busy, destination: .external("13800000002")))
            _ = try await pbx.originate(OriginateRequest(uniqueid: silent, destination: .external("13800000003"), ringTimeout: .seconds(2)))
            #expect(await log.wait { log.of(busy).last == "hungUp busy" && log.of(silent).last == "hungUp noAnswer" })
            #expect(!log.of(busy).contains("answered") && !log.of(silent).contains("answered"))
            await #expect(throws: SwitchError.self) {
                _ = try await pbx.originate(OriginateRequest(uniqueid: silent, destination: .external("13800000003")))
                _ = try await pbx.originate(OriginateRequest(uniqueid: silent, destination: .external("13800000003")))
            }
        }
    }

    /// Bridge, conference, hold, DTMF, variables and a recording on answered legs; a leg's
    /// hangup ends only that leg.
    @Test(arguments: Driver.available)
    func callControlOnAnsweredLegs(_ driver: Driver) async throws {
        try await with(driver) { pbx, log, next, _ in
            let agent = next()
            let customer = next()
            let third = next()
            _ = try await pbx.originate(OriginateRequest(uniqueid: agent, destination: .extension("8001")))
            _ = try await pbx.originate(OriginateRequest(uniqueid: customer, destination: .external("13800000001")))
            _ = try await pbx.originate(OriginateRequest(uniqueid: third, destination: .extension("8002")))
            #expect(await log.wait { [agent, customer, third].allSatisfy { log.of($0).contains("answered") } })
            try await pbx.bridge(agent, customer)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
            let path = folder.appendingPathComponent("call.wav").path
            try await pbx.startRecording(uniqueid: agent, path: path)
            try await pbx.hold(uniqueid: customer, music: true)
            try await pbx.unhold(uniqueid: customer)
            try await pbx.hold(uniqueid: customer, music: false)
            try await pbx.unhold(uniqueid: customer)
            try await pbx.sendDTMF(uniqueid: customer, digits: "12#")
            try await pbx.setVariable(uniqueid: customer, name: "ORDER_ID", value: "42")
            try await pbx.conference([agent, customer, third])
            try await Task.sleep(for: .seconds(1))
            try await pbx.stopRecording(uniqueid: agent, path: path)
            try await pbx.hangup(uniqueid: third)
            #expect(await log.wait { log.of(third).last == "hungUp normal" })
            #expect(!log.of(agent).contains { $0.hasPrefix("hungUp") } && !log.of(customer).contains { $0.hasPrefix("hungUp") })
            #expect(await log.wait { (try? Data(contentsOf: URL(fileURLWithPath: path)).prefix(4)) == Data("RIFF".utf8) })
            try await pbx.hangup(uniqueid: agent)
            try await pbx.hangup(uniqueid: customer)
            #expect(await log.wait { log.of(agent).last == "hungUp normal" && log.of(customer).last == "hungUp normal" })
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// A caller of queue 6001 in tenant demo arrives as `incoming`, answered.
    @Test(arguments: Driver.available)
    func anInboundCaller(_ driver: Driver) async throws {
        try await with(driver) { pbx, log, _, dialIn in
            try await dialIn("6001", "0138888888888")
            #expect(
                await log.wait {
                    log.seen.withLock { $0 }.contains {
                        if case .incoming(let leg, "6001", "demo", _) = $0 { leg.number == "0138888888888" } else { false }
                    }
                })
            let caller = try #require(log.seen.withLock { $0 }.first { if case .incoming = $0 { true } else { false } })
            try await pbx.hangup(uniqueid: caller.uniqueid)
            #expect(await log.wait { log.of(caller.uniqueid).last == "hungUp normal" })
        }
    }
}

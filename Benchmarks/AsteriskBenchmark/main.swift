// Switch benchmark (not a test): `AsteriskBenchmark ARI_URL [agents]`, run by
// Benchmarks/asterisk_benchmark.sh. The same outbound workload on coccd + the simulated switch
// (real time, far ends answering at once) and on coccd + a real Asterisk (Local channels of
// Tests/asterisk/etc's [coccd-bench], answering at once), in one run: batches of agents each
// dial out at the same time; the calls are set up (agent and customer answered), then hung up.
// Reports call setups per second (makeCall to the customer's answer event) and the p99 time
// from a switch notification reaching the engine until its events are appended, and where the
// time goes (the mean time a setup spends before the first notification).
import CoccAsterisk
import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import Logging
import Synchronization

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

final class Timings: Sendable {
    let samples = Mutex<[Double]>([])
    func add(_ s: Double) { samples.withLock { $0.append(s) } }
    func drain() -> [Double] {
        samples.withLock { s in
            defer { s = [] }
            return s
        }
    }
}

func p(_ q: Double, _ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
}

let arguments = CommandLine.arguments
let ariURL = arguments.count > 1 ? arguments[1] : ""
let agentCount = arguments.count > 2 ? Int(arguments[2]) ?? 50 : 50
let logger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return logger
}()

/// CPU seconds this process has used (user + system).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// `makeSwitch` answers the switch and, for a network driver, its service loop to run.
func run(_ name: String, makeSwitch: (any LegIDSource) -> (any Switch, (@Sendable () async throws -> Void)?)) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-switch-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try SQLiteStore(path: folder.appendingPathComponent("coccd.sqlite").path)
    let numbers = (0..<agentCount).map { String(100_000 + $0) }
    try await DirectoryAdmin(store: store, rounds: 1).load(
        DirectoryFile(teams: [
            .init(
                identity: "bench", name: "Bench", id: 1,
                agents: numbers.map { .init(number: $0, password: "pw", extension: $0) },
                groups: [.init(id: 1, name: "Queue", queueNumber: "6001", members: numbers.map { .init(agent: $0, kind: .static) })]
            )
        ]))
    let ids = try await PersistedLegIDs(store: store, logger: logger)
    let (pbx, serviceLoop) = makeSwitch(ids)
    let service = serviceLoop.map { loop in Task { try await loop() } }
    defer { service?.cancel() }
    let center = try await CallCenter(store: store, switch: pbx, legRegistry: LegRegistry(ids: ids), logger: logger)
    let timings = Timings()
    // The engine's reader, as the server's SwitchNotificationService, timing each notification from
    // the switch's report to its appended events: its wait in the queue, then its handling.
    let stream = pbx.notifications
    let reader = Task {
        for await notification in stream {
            let start = ContinuousClock.now
            await center.handle(notification)
            timings.add(seconds(ContinuousClock.now - start + stream.lastQueueDelay))
        }
    }
    defer { reader.cancel() }
    while !pbx.isConnected { try await Task.sleep(for: .milliseconds(50)) }
    let directory = center.directory
    let engine = try await center.engine(team: 1)
    let agents = directory.agents(ofTeam: 1)
    for agent in agents { _ = await engine.login(agent: agent, directory: directory, logger: logger) }
    func count(_ needle: String, after: Int64) async throws -> Int {
        try await store.events(teamID: 1, after: after, limit: Int.max, agentID: nil).filter { $0.message.contains(needle) }.count
    }
    let cpuStart = cpuSeconds()
    var calls = 0
    print("\(name):")
    print("  batch  setups/s  p50 setup (ms)  p99 notification->append (ms)")
    for batch in [10, 25, min(50, agentCount)] where batch <= agentCount {
        let before = try await center.latestEventID(team: 1)
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for agent in agents.prefix(batch) {
                group.addTask {
                    let request = OutboundCallRequest(
                        target: .external("5550100"), groupID: "1", modeltype: "", modelID: "", userdata: "",
                        agentExtension: "", callerID: "", trunk: "")
                    _ = await engine.makeCall(agent: agent, request: request, directory: directory, logger: logger)
                }
            }
        }
        while try await count("&source=CALLEE&event=answer&", after: before) < batch {
            guard ContinuousClock.now - start < .seconds(60) else {
                print("  timed out")
                break
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let setup = seconds(ContinuousClock.now - start)
        // Per call: from the first event (the agent's ringing) to the customer's answer.
        var spans: [Double] = []
        var first: [String: Date] = [:]
        for event in try await store.events(teamID: 1, after: before, limit: Int.max, agentID: nil) {
            let sid = event.message.components(separatedBy: "sessionid=").last?.prefix(32).description ?? ""
            if first[sid] == nil { first[sid] = event.at }
            if event.message.contains("&source=CALLEE&event=answer&"), let t = first[sid] { spans.append(event.at.timeIntervalSince(t)) }
        }
        let p99 = p(0.99, timings.drain())
        print(String(format: "  %5d  %8.1f  %14.1f  %.2f", batch, Double(batch) / setup, p(0.5, spans) * 1000, p99 * 1000))
        let hangupFrom = try await center.latestEventID(team: 1)
        for agent in agents.prefix(batch) { _ = await engine.hangup(target: .all, targetAgent: agent, logger: logger) }
        while try await count("&source=CONVERSATION&event=hangup&", after: hangupFrom) < batch {
            guard ContinuousClock.now - start < .seconds(120) else { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        _ = timings.drain()
        calls += batch
    }
    print(String(format: "  coccd CPU per call (setup and teardown): %.2f ms", (cpuSeconds() - cpuStart) * 1000 / Double(max(calls, 1))))
}

var rules = SimulationRules()
rules.extensionAnswerDelay = 0
rules.external["5550100"] = ExternalRule(outcome: .answer, answerAfter: 0)
try await run("coccd + simulated switch (real time, far ends answer at once)") { ids in
    (SimulatedSwitch(rules: rules, timing: .realtime, legIDs: ids), nil)
}
if !ariURL.isEmpty {
    var configuration = AsteriskConfiguration(url: ariURL, username: "coccd", password: "coccd-test-secret")
    configuration.agentEndpoint = "Local/{exten}@coccd-bench"
    configuration.externalEndpoint = "Local/{number}@coccd-bench"
    try await run("coccd + Asterisk over ARI (Local channels answering at once)") { ids in
        let asterisk = AsteriskSwitch(configuration: configuration, legIDs: ids, logger: logger)
        return (asterisk, { try await asterisk.run() })
    }
}

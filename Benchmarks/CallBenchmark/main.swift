import CoccEngine
import CoccProvisioning
import CoccSimulator
// Call-engine benchmark (not a test): `swift run -c release CallBenchmark [agents] [rounds]`.
//
// Signs in N agents (default 1,000) of one team in one queue, then offers inbound calls in
// rising batches through the simulated switch on manual time, so the engine, the SQLite store
// and the event log do all the work a real call would cause and nothing waits on a timer.
// Reports call setups per second (offer to agent answer), events appended per second, the p99
// time from a switch notification to its events being appended, and the process RSS. Then
// signs in 10,000 agents and reports RSS again.
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import Logging
import Synchronization

func rssMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return -1 }
    return kb / 1024
}

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

/// A team with `agents` agents (numbers from 100000), all static members of queue 6001.
func makeCenter(agents: Int, folder: URL) async throws -> (CallCenter, SimulatedSwitch, SQLiteStore, [Agent]) {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let store = try SQLiteStore(path: folder.appendingPathComponent("coccd.sqlite").path)
    let numbers = (0..<agents).map { String(100_000 + $0) }
    // Passwords are not what is measured: one PBKDF2 round each.
    try await DirectoryAdmin(store: store, rounds: 1).load(
        DirectoryFile(teams: [
            .init(
                identity: "bench", name: "Bench", id: 1,
                agents: numbers.map { .init(number: $0, password: "pw", extension: $0) },
                groups: [.init(id: 1, name: "Queue", queueNumber: "6001", members: numbers.map { .init(agent: $0, kind: .static) })]
            )
        ]))
    var rules = SimulationRules()
    rules.extensionAnswerDelay = 1
    let pbx = SimulatedSwitch(rules: rules, timing: .manual)
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let center = try await CallCenter(store: store, switch: pbx, logger: logger)
    let directory = center.directory
    let engine = try await center.engine(team: 1)
    let list = directory.agents(ofTeam: 1)
    for agent in list { _ = await engine.login(agent: agent, directory: directory, logger: logger) }
    return (center, pbx, store, list)
}

let arguments = CommandLine.arguments
let agentCount = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let root = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-bench-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: root) }

let loginStart = ContinuousClock.now
let (center, pbx, store, agents) = try await makeCenter(agents: agentCount, folder: root.appendingPathComponent("a"))
print(
    "signed in \(agents.count) agents in \(String(format: "%.2f", seconds(ContinuousClock.now - loginStart))) s; RSS \(String(format: "%.1f", rssMegabytes())) MB"
)

// Time every notification from the switch until the engine has appended its events.
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

var caller = 0
print("batch  calls  setups/s  events/s  p99 notification->append (ms)")
for batch in [50, 100, 200, 400, min(800, agentCount)] where batch <= agentCount {
    let eventsBefore = try await store.events(teamID: 1, after: 0, limit: Int.max).count
    let start = ContinuousClock.now
    var legs: [Int64] = []
    for _ in 0..<batch {
        caller += 1
        legs.append(await pbx.placeInbound(from: String(13_900_000_000 + caller), to: "6001", tenant: "bench").uniqueid)
    }
    await pbx.advance(by: .zero)  // offered: every agent's phone rings
    await pbx.advance(by: .seconds(1))  // and answers: the calls are set up
    let setup = seconds(ContinuousClock.now - start)
    for leg in legs { try await pbx.farEndHangup(uniqueid: leg) }
    let total = seconds(ContinuousClock.now - start)
    let events = try await store.events(teamID: 1, after: 0, limit: Int.max).count - eventsBefore
    let samples = timings.drain().sorted()
    let p99 = samples.isEmpty ? 0 : samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))]
    print(String(format: "%5d  %5d  %8.0f  %8.0f  %.2f", batch, legs.count, Double(batch) / setup, Double(events) / total, p99 * 1000))
}
print("RSS after calls with \(agents.count) agents: \(String(format: "%.1f", rssMegabytes())) MB")

let bigStart = ContinuousClock.now
let (bigCenter, _, _, bigAgents) = try await makeCenter(agents: 10_000, folder: root.appendingPathComponent("b"))
_ = bigCenter
print(
    "signed in \(bigAgents.count) agents in \(String(format: "%.1f", seconds(ContinuousClock.now - bigStart))) s; RSS \(String(format: "%.1f", rssMegabytes())) MB (both teams' state in this process)"
)

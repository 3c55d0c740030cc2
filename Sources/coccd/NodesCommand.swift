import ArgumentParser
import CoccStorage
import Foundation

/// `coccd nodes`: the cluster's nodes as the store knows them, and the teams each owns.
///
/// ```
/// $ coccd nodes --database-url postgres://coccd@db/coccd
/// node     state    url                     heartbeat  teams
/// node-a   alive    http://10.0.0.5:4580    0.4s ago   acme(3),globex(12)
/// ```
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes", abstract: "List the cluster's nodes and the teams each owns (PostgreSQL store).")
    @OptionGroup var data: DataOptions
    @Flag(help: "Also list teams whose lease has run out or was given up.") var all = false

    func run() async throws {
        let store = try await data.openStore()
        guard let leases = store.leases else {
            throw ValidationError("this store runs a single node: clusters need the PostgreSQL store (--database-url)")
        }
        let directory = try await store.loadDirectory()
        let nodes = try await leases.nodes()
        let held = try await leases.leases()
        func name(_ team: Int64) -> String { "\(directory.teams[team]?.identity ?? "?")(\(team))" }
        var rows = [["node", "state", "url", "heartbeat", "teams"]]
        for node in nodes {
            let teams = held.filter { $0.nodeID == node.id && !$0.isExpired }.map { name($0.teamID) }
            let state = node.stopped ? "stopped" : node.isAlive ? "alive" : "silent"
            let silent = Double(node.silentFor.components.seconds) + Double(node.silentFor.components.attoseconds) / 1e18
            rows.append([node.id, state, node.advertiseURL, String(format: "%.1fs ago", silent), teams.joined(separator: ",")])
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(
                row.enumerated().map {
                    $0.offset == 4 ? $0.element : $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0)
                }
                .joined(separator: "  "))
        }
        let unowned = held.filter(\.isExpired)
        if all && !unowned.isEmpty {
            print("")
            print(
                "unowned (lease run out or given up): "
                    + unowned.map { "\(name($0.teamID)) last \($0.nodeID) epoch \($0.epoch)" }.joined(separator: ", "))
        }
    }
}

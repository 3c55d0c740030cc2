import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `coccd simulate ...`: drives the simulated switch of a server running with --demo or --simulate.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Place inbound calls and answer or hang up legs on a running server's simulated switch.",
        subcommands: [Inbound.self, Answer.self, Hangup.self, Press.self, Legs.self])

    struct Server: ParsableArguments {
        @Option(help: "The running server (started with --demo or --simulate).") var url = "http://127.0.0.1:4580"
        @Option(help: "The team's orgidentity: the switch shows and moves only its legs.") var team = "demo"
        @Option(help: "An account of the team.") var user = "admin"
        @Option(help: "The account's password (plaintext; prefer COCCD_SIMULATE_PASSWORD).") var password =
            ProcessInfo.processInfo.environment["COCCD_SIMULATE_PASSWORD"] ?? "admin123"

        func send(_ method: String, _ path: String) async throws {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let credentials = [("orgidentity", team), ("user", user), ("password", password)]
                .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            var request = URLRequest(url: URL(string: url + path + (path.contains("?") ? "&" : "?") + credentials)!)
            request.httpMethod = method
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            print(String(decoding: data, as: UTF8.self))
            guard status == 200 else { throw ExitCode(1) }
        }
    }

    struct Inbound: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A caller dials a team's queue number.")
        @OptionGroup var server: Server
        @Option(help: "The queue number dialled.") var to: String
        @Option(help: "The caller's number.") var from: String
        @Option(help: "Queue priority; higher is answered first.") var priority = 0
        func run() async throws {
            let query = "to=\(to)&from=\(from)&priority=\(priority)".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
            try await server.send("POST", "/simulator/inbound?" + query)
        }
    }

    struct Answer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer a ringing leg.")
        @OptionGroup var server: Server
        @Argument var uniqueid: Int64
        func run() async throws { try await server.send("POST", "/simulator/legs/\(uniqueid)/answer") }
    }

    struct Hangup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The far end of a leg hangs up.")
        @OptionGroup var server: Server
        @Argument var uniqueid: Int64
        func run() async throws { try await server.send("POST", "/simulator/legs/\(uniqueid)/hangup") }
    }

    struct Press: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The far end of a leg presses digits (0-9, *, #).")
        @OptionGroup var server: Server
        @Argument var uniqueid: Int64
        @Argument var digits: String
        func run() async throws {
            let query = digits.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            try await server.send("POST", "/simulator/legs/\(uniqueid)/dtmf?digits=\(query)")
        }
    }

    struct Legs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List live legs.")
        @OptionGroup var server: Server
        func run() async throws { try await server.send("GET", "/simulator/legs") }
    }
}

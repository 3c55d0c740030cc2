import ArgumentParser
import CoccEngine
import CoccStorage
import CoccStore
import Foundation

/// `coccd events list --team T [--since EVENTID]`: the team's durable call-event log.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Read a team's call-event log.",
        subcommands: [List.self, Status.self, Resume.self, Replay.self, Secret.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print events after an event id, one `eventid<TAB>message` per line.")
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option(help: "Print events after this event id.") var since: Int64 = 0
        @Option(help: "At most this many events.") var limit = 1000

        func run() async throws {
            let (_, t) = try await data.directory(team: team)
            for event in try await data.openStore().events(teamID: t.id, after: since, limit: limit) {
                print("\(event.eventid)\t\(event.message)")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Where the team's backend delivery stands.")
        @OptionGroup var data: DataOptions
        @Option var team: String
        func run() async throws {
            let (_, t) = try await data.directory(team: team)
            let store = try await data.openStore()
            let state = try await store.deliveryState(teamID: t.id)
            let latest = try await store.lastEventID(teamID: t.id, atOrBefore: .distantFuture)
            print(
                "url=\(t.eventURL)\tdelivered=\(state.cursor)\tlatest=\(latest)\tattempts=\(state.attempts)\t\(state.dead ? "DEAD" : "ok")\t\(state.lastError)"
            )
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a dead-lettered delivery where it stopped.")
        @OptionGroup var data: DataOptions
        @Option var team: String
        func run() async throws {
            let (_, t) = try await data.directory(team: team)
            let store = try await data.openStore()
            try await store.replayDelivery(teamID: t.id, since: try await store.deliveryState(teamID: t.id).cursor)
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver again every event after EVENTID (and resume).")
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option(help: "Events after this id are delivered again.") var since: Int64
        func run() async throws {
            let (_, t) = try await data.directory(team: team)
            try await data.openStore().replayDelivery(teamID: t.id, since: since)
        }
    }

    struct Secret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the key of the team's X-Cocc-Signature (HMAC-SHA256 of the body).")
        @OptionGroup var data: DataOptions
        @Option var team: String
        func run() async throws {
            let (_, t) = try await data.directory(team: team)
            print(try await data.openStore().deliveryState(teamID: t.id).secret)
        }
    }
}

import ArgumentParser
import CoccEngine
import CoccStore

/// `coccd events list --team T [--since EVENTID]`: the team's durable call-event log.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Read a team's call-event log.",
                                                    subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print events after an event id, one `eventid<TAB>message` per line.")
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option(help: "Print events after this event id.") var since: Int64 = 0
        @Option(help: "At most this many events.") var limit = 1000

        func run() throws {
            let (_, t) = try data.directory(team: team)
            for event in try data.openStore().events(teamID: t.id, after: since, limit: limit) {
                print("\(event.eventid)\t\(event.message)")
            }
        }
    }
}

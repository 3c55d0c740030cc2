import ArgumentParser

/// `coccd`: the COCC CTI server and its administration commands.
@main
struct Coccd: AsyncParsableCommand {
    /// As ArgumentParser's own `main`, and then the stores a command opened are closed (a
    /// PostgreSQL pool is stopped cleanly rather than cut off by the process's exit).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            await OpenedStores.closeAll()
        } catch {
            await OpenedStores.closeAll()
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "coccd",
        abstract: "COCC CTI server: SOAP/WSDL, HTTP and CJI interfaces over an agent and queue engine.",
        discussion: """
            Without a subcommand, coccd serves (see `coccd serve --help`). \
            Quick start: `coccd --demo` serves the demo team on http://127.0.0.1:4580. \
            Provisioning commands open the same data directory; a running server picks up \
            their changes within a second.
            """,
        subcommands: [
            Serve.self, TeamCommand.self, AccountCommand.self, AgentCommand.self, GroupCommand.self,
            MemberCommand.self, ExtensionCommand.self, PasswordCommand.self, DirectoryCommand.self, WSDLCommand.self, EventsCommand.self,
            SimulateCommand.self,
            PackageCommand.self, FieldCommand.self, CampaignCommand.self, ImportCommand.self, StoreCommand.self, NodesCommand.self,
        ],
        defaultSubcommand: Serve.self
    )
}

/// Where the state is, as every command takes it: the data directory (recordings, import files,
/// keys, and the SQLite store) and, for a PostgreSQL store, the database URL; both also from the
/// `--config` file and `COCCD_DATA_DIR` / `COCCD_DATABASE_URL`.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (default ./data, or COCCD_DATA_DIR).")
    var dataDirectory: String?
    @Option(
        name: .customLong("database-url"),
        help: "PostgreSQL store, postgres://user:pass@host:5432/db[?sslmode=...] (or COCCD_DATABASE_URL); default: SQLite in --data-dir."
    )
    var databaseURL: String?
    @Option(help: "JSON configuration file; a bare name is looked up under Config/.") var config: String?
}

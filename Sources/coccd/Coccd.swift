import ArgumentParser

/// `coccd`: the COCC CTI server and its administration commands.
@main
struct Coccd: AsyncParsableCommand {
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
            PackageCommand.self, FieldCommand.self, CampaignCommand.self, ImportCommand.self,
        ],
        defaultSubcommand: Serve.self
    )
}

/// The data directory option every command shares.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (default ./data, or COCCD_DATA_DIR).")
    var dataDirectory: String?

    var resolved: String {
        dataDirectory ?? ProcessEnvironment.value("COCCD_DATA_DIR") ?? "./data"
    }
}

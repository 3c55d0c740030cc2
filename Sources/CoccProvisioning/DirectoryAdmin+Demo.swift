import CoccEngine
import CoccStorage

extension DirectoryAdmin {
    /// The demo directory's credentials, for logs and the README.
    public static let demoCredentials = """
        team demo (AgentTeamId 1); agents 8001-8005 password 123456 (extension = agent number); \
        account admin / admin123; group 1 Sales (queue 6001): 8001 8002 8003 static; \
        group 2 Support (queue 6002): 8001 8003 dynamic, 8004 8005 static; 8001 is admin of both
        """

    /// Creates the demo team when the directory is empty; returns whether it did.
    public func seedDemoIfEmpty() async throws -> Bool {
        guard try await store.loadDirectory().teams.isEmpty else { return false }
        try await load(
            DirectoryFile(teams: [
                .init(
                    identity: "demo", name: "Demo team", id: 1,
                    accounts: [.init(username: "admin", password: "admin123", surname: "Admin")],
                    agents: (8001...8005).map {
                        .init(number: "\($0)", name: "Agent \($0)", password: "123456", extension: "\($0)", account: "admin")
                    },
                    extensions: (8001...8010).map(String.init),
                    groups: [
                        .init(
                            id: 1, name: "Sales", queueNumber: "6001",
                            members: [
                                .init(agent: "8001", kind: .static, admin: true),
                                .init(agent: "8002", kind: .static), .init(agent: "8003", kind: .static),
                            ]),
                        .init(
                            id: 2, name: "Support", queueNumber: "6002",
                            members: [
                                .init(agent: "8001", kind: .dynamic, admin: true), .init(agent: "8003", kind: .dynamic),
                                .init(agent: "8004", kind: .static), .init(agent: "8005", kind: .static),
                            ]),
                    ]
                )
            ]))
        return true
    }
}

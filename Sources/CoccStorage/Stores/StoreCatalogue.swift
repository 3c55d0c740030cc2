/// Every table coccd keeps, in dependency order (a table after those it references), with
/// every column: what a copy between stores moves. It follows both schemas (SQLite's
/// migrations v1–v10, PostgreSQL's 1–3); each store's ``StoreTransferring/transferSchemaDifferences()``
/// says when a migration added something this list lacks. Migration bookkeeping
/// (`grdb_migrations`, `schema_migrations`) is not here: each store keeps its own.
///
/// ```swift
/// for table in StoreCatalogue.tables { print(table.name, table.columns.count) }
/// ```
public enum StoreCatalogue {
    public static func table(named name: String) -> StoreTable? { tables.first { $0.name == name } }

    /// Throws unless `table` is the catalogue's own (stores compose SQL from it).
    public static func require(_ table: StoreTable) throws {
        guard table == self.table(named: table.name) else { throw StoreTransferError.unknownTable(table.name) }
    }

    public static let tables: [StoreTable] = directory + sessionsAndEvents + campaigns

    /// Tables of run-time state that are never copied: a cluster's nodes, team leases and
    /// forwarding secret (PostgreSQL). A copied installation starts with no owners.
    public static let runtimeTables: Set<String> = ["cluster_nodes", "team_leases", "cluster_settings"]

    static let directory: [StoreTable] = [
        StoreTable(
            "teams", key: ["id"], generatedID: "id", [.int("id"), .text("identity"), .text("name"), .text("event_url"), .text("language")]),
        StoreTable(
            "accounts", key: ["id"], generatedID: "id",
            [.int("id"), .int("team_id"), .text("username"), .text("password_hash"), .text("surname"), .bool("enabled")]),
        StoreTable(
            "agents", key: ["id"], generatedID: "id",
            [
                .int("id"), .int("team_id"), .text("number"), .text("name"), .text("password_hash"), .text("extension"),
                .int("account_id", nullable: true), .bool("outbound_restricted"),
            ]),
        StoreTable("agent_groups", key: ["id"], generatedID: "id", [.int("id"), .int("team_id"), .text("name"), .text("queue_number")]),
        StoreTable("memberships", key: ["agent_id", "group_id"], [.int("agent_id"), .int("group_id"), .text("kind"), .bool("is_admin")]),
        StoreTable("extensions", key: ["team_id", "number"], [.int("team_id"), .text("number")]),
        // After the directory tables: their triggers move the revision as rows arrive, and the
        // copied value then replaces what they counted.
        StoreTable("directory_revision", key: ["id"], singleton: true, [.int("id"), .int("value")]),
    ]

    static let sessionsAndEvents: [StoreTable] = [
        StoreTable("agent_sessions", key: ["agent_id"], [.int("agent_id"), .int("team_id"), .text("data")]),
        StoreTable(
            "pause_log", key: ["id"], generatedID: "id",
            [.int("id"), .int("team_id"), .int("agent_id"), .text("reason"), .time("started_at"), .time("ended_at", nullable: true)]),
        StoreTable(
            "call_events", key: ["team_id", "eventid"],
            [.int("team_id"), .int("eventid"), .time("created_at"), .text("message"), .text("agents"), .bool("team_channel")]),
        StoreTable("event_sequence", key: ["team_id"], [.int("team_id"), .int("next_id")]),
        StoreTable(
            "call_records", key: ["sessionid"],
            [
                .text("sessionid"), .int("team_id"), .text("direction"), .text("agent"), .text("customer"), .text("did"),
                .int("group_id"), .time("started_at"), .time("answered_at", nullable: true), .time("ended_at"), .text("disposition"),
                .text("recording"), .text("userdata"), .text("modeltype"), .text("model_id"),
            ]),
        StoreTable(
            "event_delivery", key: ["team_id"],
            [.int("team_id"), .int("cursor"), .int("attempts"), .bool("dead"), .text("last_error"), .text("secret")]),
        StoreTable("leg_id_sequence", key: ["id"], singleton: true, [.int("id"), .int("next")]),
        // seq: the order calls were first saved in, which recovery follows (SQLite's rowid).
        // sessionid in the key too: PostgreSQL's seq is an identity without a unique index.
        StoreTable(
            "live_calls", key: ["seq", "sessionid"], generatedID: "seq", [.int("seq"), .text("sessionid"), .int("team_id"), .text("data")]),
    ]

    static let campaigns: [StoreTable] = [
        StoreTable("customer_packages", key: ["id"], generatedID: "id", [.int("id"), .int("team_id"), .text("name"), .bool("master")]),
        StoreTable(
            "campaigns", key: ["id"], generatedID: "id",
            [.int("id"), .int("team_id"), .text("name"), .int("group_id"), .int("package_id"), .text("mode"), .text("state")]),
        StoreTable(
            "customer_fields", key: ["team_id", "name"], [.int("team_id"), .text("name"), .text("label_cn"), .text("label_en")]),
        StoreTable(
            "customers", key: ["id"], generatedID: "id",
            [
                .int("id"), .int("team_id"), .int("package_id", nullable: true), .text("name"), .text("phone1"), .text("phone2"),
                .text("phone3"), .text("company"), .text("email"), .text("address"), .text("note"), .text("custom"), .text("status"),
                .text("agent"), .time("updated_at"),
            ]),
        StoreTable(
            "predial", key: ["id"], generatedID: "id",
            [
                .int("id"), .int("team_id"), .int("campaign_id"), .int("customer_id"), .text("phone"), .int("priority"), .time("dial_at"),
                .text("agent"), .text("status"), .int("attempts"), .text("last_result"), .text("sessionid"), .time("updated_at"),
            ]),
        StoreTable(
            "import_tasks", key: ["id"], generatedID: "id",
            [
                .int("id"), .int("team_id"), .int("campaign_id"), .text("source"), .text("url"), .text("source_user"),
                .text("source_pwd"), .text("options"), .time("run_at"), .text("state"), .int("rows_read"), .int("imported"),
                .int("updated"), .int("duplicates"), .int("rejected"), .int("predialed"), .text("problems"), .text("error"),
                .time("created_at"), .time("finished_at", nullable: true), .int("progress_row"),
            ]),
        StoreTable("import_team_settings", key: ["team_id"], [.int("team_id"), .bool("allow_agent_import")]),
    ]
}

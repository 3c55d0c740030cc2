import CoccStorage
import GRDB

extension SQLiteStore {
    /// Directory tables whose changes move the revision the server watches.
    static let directoryTables = ["teams", "accounts", "agents", "agent_groups", "memberships", "extensions"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-directory-and-sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE teams (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        identity TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL DEFAULT '',
                        event_url TEXT NOT NULL DEFAULT '',
                        language TEXT NOT NULL DEFAULT ''
                    );
                    CREATE TABLE accounts (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        username TEXT NOT NULL,
                        password_hash TEXT NOT NULL,
                        surname TEXT NOT NULL DEFAULT '',
                        enabled INTEGER NOT NULL DEFAULT 1,
                        UNIQUE (team_id, username)
                    );
                    CREATE TABLE agents (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        number TEXT NOT NULL,
                        name TEXT NOT NULL DEFAULT '',
                        password_hash TEXT NOT NULL,
                        extension TEXT NOT NULL DEFAULT '',
                        account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
                        UNIQUE (team_id, number)
                    );
                    CREATE TABLE agent_groups (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        queue_number TEXT NOT NULL,
                        UNIQUE (team_id, queue_number)
                    );
                    CREATE TABLE memberships (
                        agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
                        group_id INTEGER NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL CHECK (kind IN ('static', 'dynamic')),
                        is_admin INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (agent_id, group_id)
                    );
                    CREATE TABLE extensions (
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        number TEXT NOT NULL,
                        PRIMARY KEY (team_id, number)
                    );
                    CREATE TABLE directory_revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
                    INSERT INTO directory_revision (id, value) VALUES (1, 0);
                    CREATE TABLE agent_sessions (
                        agent_id INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
                        team_id INTEGER NOT NULL,
                        data TEXT NOT NULL
                    );
                    CREATE TABLE pause_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        team_id INTEGER NOT NULL,
                        agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
                        reason TEXT NOT NULL,
                        started_at REAL NOT NULL,
                        ended_at REAL
                    );
                    CREATE INDEX pause_log_agent ON pause_log (agent_id, started_at);
                    """)
            for table in directoryTables {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try db.execute(
                        sql: """
                            CREATE TRIGGER \(table)_\(event.lowercased())_revision AFTER \(event) ON \(table)
                            BEGIN UPDATE directory_revision SET value = value + 1 WHERE id = 1; END
                            """)
                }
            }
        }
        migrator.registerMigration("v2-event-log-and-call-records") { db in
            try db.execute(
                sql: """
                    CREATE TABLE call_events (
                        team_id INTEGER NOT NULL,
                        eventid INTEGER NOT NULL,
                        created_at REAL NOT NULL,
                        message TEXT NOT NULL,
                        PRIMARY KEY (team_id, eventid)
                    ) WITHOUT ROWID;
                    CREATE TABLE call_records (
                        sessionid TEXT PRIMARY KEY,
                        team_id INTEGER NOT NULL,
                        direction TEXT NOT NULL,
                        agent TEXT NOT NULL,
                        customer TEXT NOT NULL,
                        did TEXT NOT NULL,
                        group_id INTEGER NOT NULL,
                        started_at REAL NOT NULL,
                        answered_at REAL,
                        ended_at REAL NOT NULL,
                        disposition TEXT NOT NULL,
                        recording TEXT NOT NULL,
                        userdata TEXT NOT NULL,
                        modeltype TEXT NOT NULL,
                        model_id TEXT NOT NULL
                    );
                    CREATE INDEX call_records_team ON call_records (team_id, started_at);
                    """)
        }
        migrator.registerMigration("v3-outbound-restriction") { db in
            try db.execute(sql: "ALTER TABLE agents ADD COLUMN outbound_restricted INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v4-event-channels") { db in
            // ",12,15," : the agents whose channel carries the event.
            try db.execute(sql: "ALTER TABLE call_events ADD COLUMN agents TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v5-event-delivery") { db in
            try db.execute(
                sql: """
                    CREATE TABLE event_delivery (
                        team_id INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
                        cursor INTEGER NOT NULL DEFAULT 0,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        dead INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT NOT NULL DEFAULT '',
                        secret TEXT NOT NULL
                    )
                    """)
        }
        registerCampaignMigrations(&migrator)
        migrator.registerMigration("v8-agent-views-and-leg-ids") { db in
            // 0: an agent's own view of an event (its own leg relabelled, a replayed incoming):
            // in that agent's channel only, never on the team channel or a backend's POST.
            try db.execute(sql: "ALTER TABLE call_events ADD COLUMN team_channel INTEGER NOT NULL DEFAULT 1")
            // Leg uniqueids come from here: small, increasing, unique across restarts (and, on
            // a shared database, across nodes). `next` is the first id not yet handed out.
            try db.execute(sql: "CREATE TABLE leg_id_sequence (id INTEGER PRIMARY KEY CHECK (id = 1), next INTEGER NOT NULL)")
            try db.execute(sql: "INSERT INTO leg_id_sequence (id, next) VALUES (1, 1000)")
        }
        migrator.registerMigration("v9-live-calls") { db in
            // A call's state while it lives (JSON of LiveCallRecord); gone when it ends.
            try db.execute(sql: "CREATE TABLE live_calls (sessionid TEXT PRIMARY KEY, team_id INTEGER NOT NULL, data TEXT NOT NULL)")
        }
        migrator.registerMigration("v10-event-sequence") { db in
            // Event ids from a sequence per team, bumped in the append's transaction (never
            // MAX()+1, which would hand out a pruned id again). `next_id` is the last id given;
            // seeded from the log so that ids go on where they were.
            try db.execute(
                sql: """
                    CREATE TABLE event_sequence (team_id INTEGER PRIMARY KEY, next_id INTEGER NOT NULL);
                    INSERT INTO event_sequence (team_id, next_id) SELECT team_id, MAX(eventid) FROM call_events GROUP BY team_id;
                    """)
        }
        return migrator
    }
}

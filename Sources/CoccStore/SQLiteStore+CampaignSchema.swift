import CoccStorage
import Foundation
import GRDB

extension SQLiteStore {
    /// Outbound campaigns (issue 5): customer packages, the team's customer table (the "master
    /// table" packages may share), custom fields, campaigns, the pre-dial list, import tasks.
    static func registerCampaignMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-campaigns") { db in
            try db.execute(
                sql: """
                    CREATE TABLE customer_packages (
                        id INTEGER PRIMARY KEY,
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        master INTEGER NOT NULL DEFAULT 0,
                        UNIQUE (team_id, name)
                    );
                    CREATE TABLE campaigns (
                        id INTEGER PRIMARY KEY,
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        group_id INTEGER NOT NULL,
                        package_id INTEGER NOT NULL REFERENCES customer_packages(id),
                        mode TEXT NOT NULL DEFAULT 'progressive',
                        state TEXT NOT NULL DEFAULT 'stopped',
                        UNIQUE (team_id, name)
                    );
                    CREATE TABLE customer_fields (
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        label_cn TEXT NOT NULL,
                        label_en TEXT NOT NULL,
                        PRIMARY KEY (team_id, name)
                    );
                    CREATE TABLE customers (
                        id INTEGER PRIMARY KEY,
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        package_id INTEGER,
                        name TEXT NOT NULL DEFAULT '',
                        phone1 TEXT NOT NULL,
                        phone2 TEXT NOT NULL DEFAULT '',
                        phone3 TEXT NOT NULL DEFAULT '',
                        company TEXT NOT NULL DEFAULT '',
                        email TEXT NOT NULL DEFAULT '',
                        address TEXT NOT NULL DEFAULT '',
                        note TEXT NOT NULL DEFAULT '',
                        custom TEXT NOT NULL DEFAULT '{}',
                        status TEXT NOT NULL DEFAULT 'new',
                        agent TEXT NOT NULL DEFAULT '',
                        updated_at REAL NOT NULL
                    );
                    CREATE INDEX customers_team_phone ON customers (team_id, phone1);
                    CREATE INDEX customers_package_phone ON customers (package_id, phone1);
                    CREATE TABLE predial (
                        id INTEGER PRIMARY KEY,
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
                        customer_id INTEGER NOT NULL,
                        phone TEXT NOT NULL,
                        priority INTEGER NOT NULL DEFAULT 0,
                        dial_at REAL NOT NULL DEFAULT 0,
                        agent TEXT NOT NULL DEFAULT '',
                        status TEXT NOT NULL DEFAULT 'pending',
                        attempts INTEGER NOT NULL DEFAULT 0,
                        last_result TEXT NOT NULL DEFAULT '',
                        sessionid TEXT NOT NULL DEFAULT '',
                        updated_at REAL NOT NULL
                    );
                    CREATE INDEX predial_next ON predial (campaign_id, status, priority DESC, dial_at, id);
                    CREATE INDEX predial_phone ON predial (campaign_id, phone);
                    CREATE TABLE import_tasks (
                        id INTEGER PRIMARY KEY,
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        campaign_id INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        url TEXT NOT NULL,
                        source_user TEXT NOT NULL DEFAULT '',
                        source_pwd TEXT NOT NULL DEFAULT '',
                        options TEXT NOT NULL,
                        run_at REAL NOT NULL,
                        state TEXT NOT NULL DEFAULT 'scheduled',
                        rows_read INTEGER NOT NULL DEFAULT 0,
                        imported INTEGER NOT NULL DEFAULT 0,
                        updated INTEGER NOT NULL DEFAULT 0,
                        duplicates INTEGER NOT NULL DEFAULT 0,
                        rejected INTEGER NOT NULL DEFAULT 0,
                        predialed INTEGER NOT NULL DEFAULT 0,
                        problems TEXT NOT NULL DEFAULT '[]',
                        error TEXT NOT NULL DEFAULT '',
                        created_at REAL NOT NULL,
                        finished_at REAL
                    );
                    CREATE INDEX import_tasks_due ON import_tasks (state, run_at);
                    CREATE INDEX call_records_userdata ON call_records (team_id, userdata);
                    """)
        }
        // Issue 9 (bounded imports): per-batch progress, the team setting for agent imports,
        // and no credentials left in stored URLs.
        migrator.registerMigration("v7-import-hardening") { db in
            try db.execute(
                sql: """
                    ALTER TABLE import_tasks ADD COLUMN progress_row INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE import_team_settings (
                        team_id INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
                        allow_agent_import INTEGER NOT NULL DEFAULT 0
                    );
                    """)
            try scrubImportURLs(db)
        }
    }

    /// Moves a user and password written in a stored import URL (`ftp://u:p@host/x.csv`) out of
    /// it: into the task's credentials when it has none and has not run yet (they are cleared
    /// once it ends), else nowhere. Returns how many URLs changed.
    @discardableResult
    static func scrubImportURLs(_ db: Database) throws -> Int {
        var changed = 0
        for row in try Row.fetchAll(db, sql: "SELECT id, url, state, source_user, source_pwd FROM import_tasks WHERE url LIKE '%@%'") {
            guard let url = URL(string: row["url"] as String), var c = URLComponents(url: url, resolvingAgainstBaseURL: false),
                c.user != nil || c.password != nil
            else { continue }
            let user = c.user ?? ""
            let password = c.password ?? ""
            c.user = nil
            c.password = nil
            let pending = ["scheduled", "queued", "running"].contains(row["state"] as String)
            let keep = pending && (row["source_user"] as String).isEmpty && (row["source_pwd"] as String).isEmpty
            try db.execute(
                sql: "UPDATE import_tasks SET url = ?, source_user = ?, source_pwd = ? WHERE id = ?",
                arguments: [
                    c.string ?? "", keep ? user : row["source_user"] as String, keep ? password : row["source_pwd"] as String,
                    row["id"] as Int64,
                ])
            changed += 1
        }
        return changed
    }
}

<?php
// The import benchmark's peer: what the PHP stack does for importWS source=http, written plainly:
// stream the CSV over HTTP with fgetcsv, and per row look the customer up by package and phone1,
// insert it, check the pre-dial list for the number and insert the entry, in SQLite (WAL) with
// the same tables, indexes and foreign keys as coccd, in transactions of 1,000 rows.
// Usage: php import.php URL DB
[$_, $url, $path] = $argv;
$db = new PDO("sqlite:$path");
$db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$db->exec("PRAGMA journal_mode = WAL");
// The same tables, indexes and foreign keys as coccd's (Sources/CoccStore/SQLiteStore+CampaignSchema.swift).
$db->exec("PRAGMA foreign_keys = ON");
$db->exec("CREATE TABLE IF NOT EXISTS teams (id INTEGER PRIMARY KEY)");
$db->exec("CREATE TABLE IF NOT EXISTS customer_packages (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES teams(id))");
$db->exec("CREATE TABLE IF NOT EXISTS campaigns (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES teams(id), package_id INTEGER NOT NULL REFERENCES customer_packages(id))");
$db->exec("INSERT OR IGNORE INTO teams (id) VALUES (1)");
$db->exec("INSERT OR IGNORE INTO customer_packages (id, team_id) VALUES (1, 1)");
$db->exec("INSERT OR IGNORE INTO campaigns (id, team_id, package_id) VALUES (1, 1, 1)");
$db->exec("CREATE TABLE IF NOT EXISTS customers (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE, package_id INTEGER,
    name TEXT NOT NULL DEFAULT '', phone1 TEXT NOT NULL, phone2 TEXT NOT NULL DEFAULT '', phone3 TEXT NOT NULL DEFAULT '', company TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '', custom TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'new', agent TEXT NOT NULL DEFAULT '', updated_at REAL NOT NULL)");
$db->exec("CREATE INDEX IF NOT EXISTS customers_team_phone ON customers (team_id, phone1)");
$db->exec("CREATE INDEX IF NOT EXISTS customers_package_phone ON customers (package_id, phone1)");
$db->exec("CREATE TABLE IF NOT EXISTS predial (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE, customer_id INTEGER NOT NULL, phone TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0, dial_at REAL NOT NULL DEFAULT 0, agent TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, last_result TEXT NOT NULL DEFAULT '', sessionid TEXT NOT NULL DEFAULT '', updated_at REAL NOT NULL)");
$db->exec("CREATE INDEX IF NOT EXISTS predial_next ON predial (campaign_id, status, priority DESC, dial_at, id)");
$db->exec("CREATE INDEX IF NOT EXISTS predial_phone ON predial (campaign_id, phone)");
$find = $db->prepare("SELECT id FROM customers WHERE package_id = 1 AND phone1 = ? LIMIT 1");
$insert = $db->prepare("INSERT INTO customers (team_id, package_id, name, phone1, phone2, phone3, company, email, address, note, custom, updated_at)
    VALUES (1, 1, ?, ?, '', '', ?, ?, '', ?, '{}', ?)");
$pending = $db->prepare("SELECT 1 FROM predial WHERE campaign_id = 1 AND phone = ? AND status IN ('pending', 'dialing') LIMIT 1");
$list = $db->prepare("INSERT INTO predial (team_id, campaign_id, customer_id, phone, priority, dial_at, agent, updated_at) VALUES (1, 1, ?, ?, 0, ?, '', ?)");
$start = microtime(true);
$in = fopen($url, 'r');
fgetcsv($in);   // the header
$rows = 0; $imported = 0;
$db->beginTransaction();
while (($r = fgetcsv($in)) !== false) {
    if (count($r) < 5 || $r[1] === '') continue;
    $rows++;
    $now = microtime(true);
    $find->execute([$r[1]]);
    if ($find->fetchColumn() === false) {
        $insert->execute([$r[0], $r[1], $r[2], $r[3], $r[4], $now]);
        $id = $db->lastInsertId();
        $imported++;
        $pending->execute([$r[1]]);
        if ($pending->fetchColumn() === false) $list->execute([$id, $r[1], $now, $now]);
    }
    if ($rows % 1000 === 0) { $db->commit(); $db->beginTransaction(); }
}
$db->commit();
printf("php: rows=%d imported=%d in %.2f s, peak PHP memory %.0f MB\n", $rows, $imported, microtime(true) - $start, memory_get_peak_usage(true) / 1048576);

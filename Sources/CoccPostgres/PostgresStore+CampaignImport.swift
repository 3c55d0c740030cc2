public import CoccStorage
public import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// Applies a batch of records to the campaign's package and pre-dial list in ONE
    /// transaction: every accepted record of the batch is written, or (on a storage error, which
    /// is thrown) none is. Per-record problems are returned, not thrown.
    public func importBatch(campaign: Campaign, records: [ImportRecord], options: ImportOptions, now: Date) async throws
        -> [Result<RecordOutcome, RowProblem>]
    {
        try await transaction("importBatch") { connection in
            try await BatchImport(connection: connection, logger: logger).apply(
                campaign: campaign, records: records, options: options, now: now)
        }
    }
}

/// A batch's reads and writes, inside the caller's transaction: the batch is planned in memory
/// (``ImportPlan``) from what its phone numbers find, then written with one statement per kind
/// of change, over arrays (`unnest`), so that a batch costs a handful of round trips.
struct BatchImport {
    let connection: PostgresConnection
    let logger: Logger

    /// pg_advisory_xact_lock's first key for imports; the second is the team.
    static let lockSpace: Int32 = 0x636F_6369  // "coci"

    func apply(campaign: Campaign, records: [ImportRecord], options: ImportOptions, now: Date) async throws
        -> [Result<RecordOutcome, RowProblem>]
    {
        guard
            let package = try await connection.rows(
                "SELECT id, team_id, name, master FROM customer_packages WHERE id = \(campaign.packageID)", logger
            ).first.map(PostgresStore.package)
        else { throw CampaignFailure.notFound("package \(campaign.packageID)") }
        // Imports of one team take turns, as SQLite's one writer makes them: two batches must not
        // both find a number absent and both insert its customer.
        try await connection.run("SELECT pg_advisory_xact_lock(\(Self.lockSpace), \(Int32(truncatingIfNeeded: campaign.teamID)))", logger)
        // The lookups below have exact indexes; a table the planner has no statistics for yet (a
        // new team's first imports, before autovacuum analyses it) would otherwise be scanned
        // whole, once per batch, and the batches would slow down as it grows.
        try await connection.run("SET LOCAL enable_seqscan = off", logger)

        let checked = records.map { $0.checked(options: options, now: now) }
        var phone1s: Set<String> = []
        var phones: Set<String> = []
        for (record, check) in zip(records, checked) {
            guard case .success(let valid) = check else { continue }
            phone1s.insert(valid.0)
            if !options.phoneField.isEmpty {
                let phone = (record.fields[options.phoneField] ?? "").trimmedSpaces
                if !phone.isEmpty { phones.insert(phone) }
            }
        }
        let existing = try await existingCustomers(phone1s: phone1s, teamID: campaign.teamID, package: package)
        let pending = phones.isEmpty ? [] : try await pendingPhones(Array(phones), campaign: campaign.id)

        var plan = ImportPlan(package: package, options: options, now: now, existing: existing, pending: pending)
        let results: [Result<RecordOutcome, RowProblem>] = zip(records, checked).map { record, check in
            check.map { valid in plan.add(record, phone1: valid.0, priority: valid.1, dialAt: valid.2) }
        }
        try await write(plan, campaign: campaign)
        return results
    }

    /// The stored customer each phone1 finds: in the team for a master package, else in the
    /// package; the lowest id when several match (SQLite's index order). Locked, so that the
    /// dialer's status changes are not overwritten by what this batch read before them.
    private func existingCustomers(phone1s: Set<String>, teamID: Int64, package: CustomerPackage) async throws -> [ImportPlan.CustomerState]
    {
        guard !phone1s.isEmpty else { return [] }
        // One index probe per number, and the lowest id picked here. Written as `phone1 =
        // ANY(list)` with MIN(), or as a plain LATERAL join, the planner of a table without
        // statistics yet (a new team's first import, before autovacuum has analysed it) read
        // the package's whole range and filtered or hashed it, once per batch, so batches
        // slowed as the table grew (100k rows: 4.7 s of 10 in that lookup). `OFFSET 0` keeps
        // the subquery from being flattened into that join: each number is an index probe.
        let list = ArrayParameter.text(Array(phone1s))
        let matches: PostgresQuery =
            package.master
            ? """
            SELECT c.phone1, c.id FROM unnest(\(list)) AS u(phone)
            CROSS JOIN LATERAL (SELECT id, phone1 FROM customers WHERE team_id = \(teamID) AND phone1 = u.phone OFFSET 0) AS c
            """
            : """
            SELECT c.phone1, c.id FROM unnest(\(list)) AS u(phone)
            CROSS JOIN LATERAL (SELECT id, phone1 FROM customers WHERE package_id = \(package.id) AND phone1 = u.phone OFFSET 0) AS c
            """
        var lowest: [String: Int64] = [:]
        for row in try await connection.rows(matches, logger) {
            let (phone, id) = try row.decode((String, Int64).self)
            lowest[phone] = min(lowest[phone] ?? id, id)
        }
        let ids = Array(lowest.values)
        guard !ids.isEmpty else { return [] }
        return try await connection.rows(
            """
            SELECT id, package_id, phone1, name, phone2, phone3, company, email, address, note, custom, status, agent
            FROM customers WHERE id = ANY(\(ArrayParameter.integers(ids))) ORDER BY id FOR UPDATE
            """, logger
        ).map { row in
            let (id, packageID, phone1, name, phone2, phone3, company, email, address, note, custom, status, agent) = try row.decode(
                (Int64, Int64?, String, String, String, String, String, String, String, String, String, String, String).self)
            return ImportPlan.CustomerState(
                identity: .stored(id), packageID: packageID, phone1: phone1,
                system: [
                    "name": name, "phone2": phone2, "phone3": phone3, "company": company, "email": email, "address": address, "note": note,
                ],
                custom: custom, status: status, agent: agent)
        }
    }

    private func pendingPhones(_ phones: [String], campaign: Int64) async throws -> Set<String> {
        // As above: a probe per number on (campaign_id, phone), the status checked here, so that
        // no plan can walk the campaign's pending entries with the list as a filter.
        var pending: Set<String> = []
        for row in try await connection.rows(
            """
            SELECT p.phone, p.status FROM unnest(\(ArrayParameter.text(phones))) AS u(phone)
            CROSS JOIN LATERAL (SELECT phone, status FROM predial WHERE campaign_id = \(campaign) AND phone = u.phone OFFSET 0) AS p
            """, logger)
        {
            let (phone, status) = try row.decode((String, String).self)
            if status == "pending" || status == "dialing" { pending.insert(phone) }
        }
        return pending
    }

    /// New customers and the new pre-dial entries in one statement (an entry finds its new
    /// customer's id by phone1, unique among the batch's new ones), then the changed customers.
    private func write(_ plan: ImportPlan, campaign: Campaign) async throws {
        let changed = plan.customers.filter(\.dirty)
        let inserted = changed.filter { if case .new = $0.identity { true } else { false } }
        let updated = changed.filter { if case .stored = $0.identity { true } else { false } }
        func text(_ customers: [ImportPlan.CustomerState], _ name: String) -> ArrayParameter {
            ArrayParameter.text(customers.map { $0.system[name] ?? "" })
        }
        let entries = plan.entries
        let newPhone1 = Dictionary(
            uniqueKeysWithValues: inserted.compactMap { c in if case .new(let n) = c.identity { (n, c.phone1) } else { nil } })
        let entryCustomer = ArrayParameter.integers(entries.map { if case .stored(let id) = $0.customer { id } else { 0 } })
        let entryNewPhone1 = ArrayParameter.text(entries.map { if case .new(let n) = $0.customer { newPhone1[n] ?? "" } else { "" } })

        if !inserted.isEmpty || !entries.isEmpty {
            try await connection.run(
                """
                WITH new AS (
                    INSERT INTO customers (team_id, package_id, name, phone1, phone2, phone3, company, email, address, note, custom, status,
                        agent, updated_at)
                    SELECT \(campaign.teamID), \(plan.package.id), u.name, u.phone1, u.phone2, u.phone3, u.company, u.email, u.address,
                        u.note, u.custom, u.status, u.agent, \(plan.now)
                    FROM unnest(\(text(inserted, "name")), \(ArrayParameter.text(inserted.map(\.phone1))),
                        \(text(inserted, "phone2")), \(text(inserted, "phone3")), \(text(inserted, "company")),
                        \(text(inserted, "email")), \(text(inserted, "address")), \(text(inserted, "note")),
                        \(ArrayParameter.text(inserted.map(\.custom))), \(ArrayParameter.text(inserted.map(\.status))),
                        \(ArrayParameter.text(inserted.map(\.agent))))
                        WITH ORDINALITY AS u(name, phone1, phone2, phone3, company, email, address, note, custom, status, agent, n)
                    ORDER BY u.n
                    RETURNING id, phone1)
                INSERT INTO predial (team_id, campaign_id, customer_id, phone, priority, dial_at, agent, updated_at)
                SELECT \(campaign.teamID), \(campaign.id), COALESCE(new.id, e.customer_id), e.phone, e.priority,
                    timestamptz '2000-01-01 00:00:00+00' + e.dial_at * interval '1 microsecond', e.agent, \(plan.now)
                FROM unnest(\(entryCustomer), \(entryNewPhone1), \(ArrayParameter.text(entries.map(\.phone))),
                    \(ArrayParameter.integers(entries.map { Int64($0.priority) })),
                    \(ArrayParameter.integers(entries.map { ArrayParameter.microseconds($0.dialAt) })),
                    \(ArrayParameter.text(entries.map(\.agent))))
                    WITH ORDINALITY AS e(customer_id, new_phone1, phone, priority, dial_at, agent, n)
                LEFT JOIN new ON new.phone1 = e.new_phone1
                ORDER BY e.n
                """, logger)
        }
        if !updated.isEmpty {
            try await connection.run(
                """
                UPDATE customers AS c SET package_id = CASE WHEN u.moved THEN \(plan.package.id) ELSE c.package_id END,
                    name = u.name, phone2 = u.phone2, phone3 = u.phone3, company = u.company, email = u.email, address = u.address,
                    note = u.note, custom = u.custom, status = u.status, agent = u.agent,
                    updated_at = CASE WHEN u.touched THEN \(plan.now) ELSE c.updated_at END
                FROM unnest(\(ArrayParameter.integers(updated.map { if case .stored(let id) = $0.identity { id } else { 0 } })),
                    \(ArrayParameter.booleans(updated.map(\.moved))), \(ArrayParameter.booleans(updated.map(\.touched))),
                    \(text(updated, "name")), \(text(updated, "phone2")), \(text(updated, "phone3")),
                    \(text(updated, "company")), \(text(updated, "email")), \(text(updated, "address")),
                    \(text(updated, "note")), \(ArrayParameter.text(updated.map(\.custom))),
                    \(ArrayParameter.text(updated.map(\.status))), \(ArrayParameter.text(updated.map(\.agent))))
                    AS u(id, moved, touched, name, phone2, phone3, company, email, address, note, custom, status, agent)
                WHERE c.id = u.id
                """, logger)
        }
    }
}

public import CoccStorage
public import Foundation
import GRDB

extension SQLiteStore {
    /// Applies a batch of records to the campaign's package and pre-dial list in ONE
    /// transaction: either every accepted record of the batch is written, or (on a storage
    /// error, which is thrown) none is. Per-record problems are returned, not thrown.
    public func importBatch(campaign: Campaign, records: [ImportRecord], options: ImportOptions, now: Date) async throws
        -> [Result<RecordOutcome, RowProblem>]
    {
        try await database.write { db in try applyBatch(db, campaign: campaign, records: records, options: options, now: now) }
    }

    /// A batch's records, inside the caller's transaction.
    func applyBatch(_ db: Database, campaign: Campaign, records: [ImportRecord], options: ImportOptions, now: Date) throws
        -> [Result<RecordOutcome, RowProblem>]
    {
        guard let pkgRow = try Row.fetchOne(db, sql: "SELECT * FROM customer_packages WHERE id = ?", arguments: [campaign.packageID]) else {
            throw CampaignFailure.notFound("package \(campaign.packageID)")
        }
        let package = Self.package(pkgRow)
        // Prepared once per batch: looking a statement up by its SQL text for every row
        // costs more than the lookup it runs.
        let statements = try Statements(db, master: package.master)
        return try records.map { record in
            try importOne(db, record, campaign: campaign, package: package, options: options, now: now, statements: statements)
        }
    }

    /// The statements every imported row runs.
    struct Statements {
        let existing: FastStatement
        let pending: FastStatement
        let insertCustomer: FastStatement
        let insertEntry: FastStatement

        init(_ db: Database, master: Bool) throws {
            existing = try FastStatement(
                db,
                master
                    ? "SELECT id FROM customers WHERE team_id = ? AND phone1 = ? LIMIT 1"
                    : "SELECT id FROM customers WHERE package_id = ? AND phone1 = ? LIMIT 1")
            pending = try FastStatement(
                db, "SELECT 1 FROM predial WHERE campaign_id = ? AND phone = ? AND status IN ('pending', 'dialing') LIMIT 1")
            insertCustomer = try FastStatement(
                db,
                """
                INSERT INTO customers (team_id, package_id, name, phone1, phone2, phone3, company, email, address, note, custom, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            insertEntry = try FastStatement(
                db,
                """
                INSERT INTO predial (team_id, campaign_id, customer_id, phone, priority, dial_at, agent, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        }
    }

    private func importOne(
        _ db: Database, _ record: ImportRecord, campaign: Campaign, package: CustomerPackage, options: ImportOptions, now: Date,
        statements: Statements
    ) throws -> Result<RecordOutcome, RowProblem> {
        let phone1: String
        let priority: Int
        let dialAt: Date
        switch record.checked(options: options, now: now) {
        case .success(let row): (phone1, priority, dialAt) = row
        case .failure(let problem): return .failure(problem)
        }

        var outcome = RecordOutcome()
        // Most rows of an import are new: ask for the id alone, the rest only when it exists.
        let existingID = try statements.existing.run([.int(package.master ? campaign.teamID : package.id), .text(phone1)])
        let existing = try existingID.flatMap { id in
            try Row.fetchOne(db, sql: "SELECT id, package_id, status, agent FROM customers WHERE id = ?", arguments: [id])
        }
        let customerID: Int64
        var status = CustomerStatus.new.rawValue
        var agent = ""
        if let existing {
            customerID = existing["id"]
            status = existing["status"]
            agent = existing["agent"]
            outcome.duplicate = true
            let holder: Int64? = existing["package_id"]
            if package.master && holder != package.id {
                switch options.changePackage {
                case .skip:
                    outcome.skipped = true
                    return .success(outcome)
                case .unassignToCurrent where holder != nil:
                    outcome.skipped = true
                    return .success(outcome)
                case .unassignToCurrent, .reassignToCurrent:
                    try db.execute(
                        sql: "UPDATE customers SET package_id = ?, updated_at = ? WHERE id = ?",
                        arguments: [package.id, now.timeIntervalSince1970, customerID])
                }
            }
            if options.dupway == .update {
                try update(db, customerID: customerID, fields: record.fields, now: now)
                outcome.updated = true
            }
            if options.emptyAgent {
                try db.execute(sql: "UPDATE customers SET agent = '' WHERE id = ?", arguments: [customerID])
                outcome.agentCleared = !agent.isEmpty
                agent = ""
            }
            if options.resetStatus {
                try db.execute(sql: "UPDATE customers SET status = 'new' WHERE id = ?", arguments: [customerID])
                outcome.statusReset = true
                status = CustomerStatus.new.rawValue
            }
        } else {
            customerID = try insert(
                db, statements.insertCustomer, teamID: campaign.teamID, packageID: package.id, phone1: phone1, fields: record.fields,
                now: now)
            outcome.inserted = true
        }

        guard !options.phoneField.isEmpty else { return .success(outcome) }
        let wanted: Bool =
            switch options.dupDialList {
            case _ where existing == nil: true
            case .ignoreDuplicate: false
            case .all: true
            case .ignoreSuccess: status != CustomerStatus.success.rawValue
            }
        let phone = (record.fields[options.phoneField] ?? "").trimmedSpaces
        guard wanted, !phone.isEmpty else { return .success(outcome) }
        let pending = try statements.pending.run([.int(campaign.id), .text(phone)]) != nil
        if pending {
            outcome.duplicatePhone = true
            return .success(outcome)
        }
        try statements.insertEntry.run([
            .int(campaign.teamID), .int(campaign.id), .int(customerID), .text(phone), .int(Int64(priority)),
            .real(dialAt.timeIntervalSince1970), .text(options.emptyAgent ? "" : agent), .real(now.timeIntervalSince1970),
        ])
        outcome.predialed = true
        return .success(outcome)
    }

    private func insert(
        _ db: Database, _ statement: FastStatement, teamID: Int64, packageID: Int64, phone1: String, fields: [String: String], now: Date
    ) throws -> Int64 {
        let f = { (name: String) in FastStatement.Value.text(fields[name] ?? "") }
        try statement.run([
            .int(teamID), .int(packageID), f("name"), .text(phone1), f("phone2"), f("phone3"),
            f("company"), f("email"), f("address"), f("note"), .text(Self.customJSON(fields)), .real(now.timeIntervalSince1970),
        ])
        return statement.lastInsertedRowID
    }

    /// dupway=update: the record's fields replace the stored ones; fields it lacks are kept.
    private func update(_ db: Database, customerID: Int64, fields: [String: String], now: Date) throws {
        for (name, value) in fields where CustomerFields.systemNames.contains(name) && name != "phone1" {
            try db.execute(sql: "UPDATE customers SET \(name) = ? WHERE id = ?", arguments: [value, customerID])
        }
        let custom = fields.filter { !CustomerFields.systemNames.contains($0.key) }
        if !custom.isEmpty {
            let old = try String.fetchOne(db, sql: "SELECT custom FROM customers WHERE id = ?", arguments: [customerID]) ?? "{}"
            var merged = (try? JSONSerialization.jsonObject(with: Data(old.utf8)) as? [String: String]) ?? [:]
            merged.merge(custom) { _, new in new }
            try db.execute(sql: "UPDATE customers SET custom = ? WHERE id = ?", arguments: [Self.customJSON(merged), customerID])
        }
        try db.execute(sql: "UPDATE customers SET updated_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, customerID])
    }

    static func customJSON(_ fields: [String: String]) -> String {
        guard fields.keys.contains(where: { !CustomerFields.systemNames.contains($0) }) else { return "{}" }
        let custom = fields.filter { !CustomerFields.systemNames.contains($0.key) }
        guard !custom.isEmpty, let data = try? JSONSerialization.data(withJSONObject: custom, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

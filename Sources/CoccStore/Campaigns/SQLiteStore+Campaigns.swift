public import CoccStorage
import Foundation
import GRDB

/// Campaign data on the embedded store (``CampaignRepository``): packages, campaigns, custom
/// fields, customers and the pre-dial list. Imports write one transaction per batch, so a
/// failure leaves no half-applied batch.
extension SQLiteStore {
    // MARK: provisioning

    @discardableResult
    public func createPackage(team: Int64, name: String, master: Bool) async throws -> Int64 {
        do {
            return try await database.write { db in
                try db.execute(
                    sql: "INSERT INTO customer_packages (team_id, name, master) VALUES (?, ?, ?)", arguments: [team, name, master])
                return db.lastInsertedRowID
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw CampaignFailure.duplicate("package \(name)")
        }
    }

    public func packages(team: Int64) async throws -> [CustomerPackage] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM customer_packages WHERE team_id = ? ORDER BY id", arguments: [team]).map(Self.package)
        }
    }

    public func package(team: Int64, name: String) async throws -> CustomerPackage? {
        try await database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM customer_packages WHERE team_id = ? AND (name = ? OR CAST(id AS TEXT) = ?)",
                arguments: [team, name, name]
            ).map(Self.package)
        }
    }

    @discardableResult
    public func createCampaign(team: Int64, name: String, groupID: Int64, packageID: Int64, mode: Campaign.Mode) async throws -> Int64 {
        try await database.write { db in
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM customer_packages WHERE id = ? AND team_id = ?", arguments: [packageID, team])
                    == true
            else {
                throw CampaignFailure.notFound("package \(packageID)")
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agent_groups WHERE id = ? AND team_id = ?", arguments: [groupID, team]) == true
            else {
                throw CampaignFailure.notFound("group \(groupID)")
            }
            do {
                try db.execute(
                    sql: "INSERT INTO campaigns (team_id, name, group_id, package_id, mode) VALUES (?, ?, ?, ?, ?)",
                    arguments: [team, name, groupID, packageID, mode.rawValue])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw CampaignFailure.duplicate("campaign \(name)")
            }
            return db.lastInsertedRowID
        }
    }

    public func campaigns(team: Int64?) async throws -> [Campaign] {
        try await database.read { db in
            let rows =
                if let team {
                    try Row.fetchAll(db, sql: "SELECT * FROM campaigns WHERE team_id = ? ORDER BY id", arguments: [team])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM campaigns ORDER BY id")
                }
            return rows.map(Self.campaign)
        }
    }

    /// A campaign by id (`model_id`) or name, within the team.
    public func campaign(team: Int64, id: String) async throws -> Campaign? {
        try await database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM campaigns WHERE team_id = ? AND (CAST(id AS TEXT) = ? OR name = ?)", arguments: [team, id, id]
            )
            .map(Self.campaign)
        }
    }

    public func setState(campaign: Int64, _ state: Campaign.State) async throws {
        // Calls in progress finish normally and are settled; only new dials stop.
        try await database.write { db in
            try db.execute(sql: "UPDATE campaigns SET state = ? WHERE id = ?", arguments: [state.rawValue, campaign])
        }
    }

    public func addField(team: Int64, name: String, cn: String, en: String) async throws {
        guard !CustomerFields.systemNames.contains(name), name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil
        else {
            throw CampaignFailure.invalid("field names are letters, digits and _, and not a system field")
        }
        try await database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO customer_fields (team_id, name, label_cn, label_en) VALUES (?, ?, ?, ?)",
                arguments: [team, name, cn, en])
        }
    }

    public func fields(team: Int64) async throws -> CustomerFields {
        try await database.read { db in
            CustomerFields(
                custom: try Row.fetchAll(db, sql: "SELECT * FROM customer_fields WHERE team_id = ? ORDER BY name", arguments: [team]).map {
                    CustomerFields.Field(name: $0["name"], cn: $0["label_cn"], en: $0["label_en"])
                })
        }
    }

    // MARK: reading

    public func customers(package: Int64, limit: Int) async throws -> [Customer] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM customers WHERE package_id = ? ORDER BY id LIMIT ?", arguments: [package, limit]).map(
                Self.customer)
        }
    }

    public func customer(id: Int64) async throws -> Customer? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM customers WHERE id = ?", arguments: [id]).map(Self.customer)
        }
    }

    public func setCustomerStatus(id: Int64, _ status: CustomerStatus) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE customers SET status = ? WHERE id = ?", arguments: [status.rawValue, id])
        }
    }

    public func predial(campaign: Int64, limit: Int) async throws -> [PredialEntry] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM predial WHERE campaign_id = ? ORDER BY id LIMIT ?", arguments: [campaign, limit]).map(
                Self.predialEntry)
        }
    }

    // MARK: rows

    static func package(_ row: Row) -> CustomerPackage {
        CustomerPackage(id: row["id"], teamID: row["team_id"], name: row["name"], master: row["master"])
    }

    static func campaign(_ row: Row) -> Campaign {
        Campaign(
            id: row["id"], teamID: row["team_id"], name: row["name"], groupID: row["group_id"], packageID: row["package_id"],
            mode: Campaign.Mode(rawValue: row["mode"]) ?? .progressive, state: Campaign.State(rawValue: row["state"]) ?? .stopped)
    }

    static func customer(_ row: Row) -> Customer {
        var fields: [String: String] = [:]
        for name in CustomerFields.systemNames { fields[name] = row[name] }
        if let data = (row["custom"] as String?)?.data(using: .utf8),
            let custom = try? JSONSerialization.jsonObject(with: data) as? [String: String]
        {
            fields.merge(custom) { old, _ in old }
        }
        return Customer(
            id: row["id"], teamID: row["team_id"], packageID: row["package_id"], fields: fields, status: row["status"], agent: row["agent"])
    }

    static func predialEntry(_ row: Row) -> PredialEntry {
        PredialEntry(
            id: row["id"], campaignID: row["campaign_id"], customerID: row["customer_id"], phone: row["phone"], priority: row["priority"],
            dialAt: Date(timeIntervalSince1970: row["dial_at"]), agent: row["agent"], status: row["status"], attempts: row["attempts"],
            lastResult: row["last_result"])
    }
}

public import CoccStorage
import Foundation
import PostgresNIO

/// Campaign data (``CampaignRepository``): packages, campaigns, custom fields, customers and the
/// pre-dial list, as SQLite's.
extension PostgresStore {
    // MARK: provisioning

    @discardableResult
    public func createPackage(team: Int64, name: String, master: Bool) async throws -> Int64 {
        do {
            return try await read("createPackage") { connection in
                try await connection.value(
                    Int64.self, "INSERT INTO customer_packages (team_id, name, master) VALUES (\(team), \(name), \(master)) RETURNING id",
                    logger) ?? 0
            }
        } catch let error as PostgresStoreError where error.sqlState == "23505" {
            throw CampaignFailure.duplicate("package \(name)")
        }
    }

    public func packages(team: Int64) async throws -> [CustomerPackage] {
        try await read("packages") { connection in
            try await connection.rows("SELECT id, team_id, name, master FROM customer_packages WHERE team_id = \(team) ORDER BY id", logger)
                .map(Self.package)
        }
    }

    public func package(team: Int64, name: String) async throws -> CustomerPackage? {
        try await read("package") { connection in
            try await connection.rows(
                """
                SELECT id, team_id, name, master FROM customer_packages WHERE team_id = \(team) AND (name = \(name) OR id::text = \(name))
                ORDER BY id LIMIT 1
                """, logger
            ).first.map(Self.package)
        }
    }

    @discardableResult
    public func createCampaign(team: Int64, name: String, groupID: Int64, packageID: Int64, mode: Campaign.Mode) async throws -> Int64 {
        do {
            return try await insertCampaign(team: team, name: name, groupID: groupID, packageID: packageID, mode: mode)
        } catch let error as PostgresStoreError where error.sqlState == "23505" {
            throw CampaignFailure.duplicate("campaign \(name)")
        }
    }

    private func insertCampaign(team: Int64, name: String, groupID: Int64, packageID: Int64, mode: Campaign.Mode) async throws -> Int64 {
        try await transaction("createCampaign") { connection in
            guard
                try await connection.value(
                    Int.self, "SELECT 1 FROM customer_packages WHERE id = \(packageID) AND team_id = \(team)", logger)
                    != nil
            else { throw CampaignFailure.notFound("package \(packageID)") }
            guard
                try await connection.value(Int.self, "SELECT 1 FROM agent_groups WHERE id = \(groupID) AND team_id = \(team)", logger)
                    != nil
            else { throw CampaignFailure.notFound("group \(groupID)") }
            return try await connection.value(
                Int64.self,
                """
                INSERT INTO campaigns (team_id, name, group_id, package_id, mode) VALUES (\(team), \(name), \(groupID), \(packageID), \(mode.rawValue))
                RETURNING id
                """, logger) ?? 0
        }
    }

    public func campaigns(team: Int64?) async throws -> [Campaign] {
        try await read("campaigns") { connection in
            let query: PostgresQuery =
                if let team {
                    "SELECT id, team_id, name, group_id, package_id, mode, state FROM campaigns WHERE team_id = \(team) ORDER BY id"
                } else {
                    "SELECT id, team_id, name, group_id, package_id, mode, state FROM campaigns ORDER BY id"
                }
            return try await connection.rows(query, logger).map(Self.campaign)
        }
    }

    /// A campaign by id (`model_id`) or name, within the team.
    public func campaign(team: Int64, id: String) async throws -> Campaign? {
        try await read("campaign") { connection in
            try await connection.rows(
                """
                SELECT id, team_id, name, group_id, package_id, mode, state FROM campaigns
                WHERE team_id = \(team) AND (id::text = \(id) OR name = \(id)) ORDER BY id LIMIT 1
                """, logger
            ).first.map(Self.campaign)
        }
    }

    public func setState(campaign: Int64, _ state: Campaign.State) async throws {
        // Calls in progress finish normally and are settled; only new dials stop.
        try await read("setState") { connection in
            try await connection.run("UPDATE campaigns SET state = \(state.rawValue) WHERE id = \(campaign)", logger)
        }
    }

    public func addField(team: Int64, name: String, cn: String, en: String) async throws {
        guard !CustomerFields.systemNames.contains(name), name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil
        else {
            throw CampaignFailure.invalid("field names are letters, digits and _, and not a system field")
        }
        try await read("addField") { connection in
            try await connection.run(
                """
                INSERT INTO customer_fields (team_id, name, label_cn, label_en) VALUES (\(team), \(name), \(cn), \(en))
                ON CONFLICT (team_id, name) DO UPDATE SET label_cn = excluded.label_cn, label_en = excluded.label_en
                """, logger)
        }
    }

    /// Ordered by name byte for byte (`COLLATE "C"`), as SQLite orders text.
    public func fields(team: Int64) async throws -> CustomerFields {
        try await read("fields") { connection in
            CustomerFields(
                custom: try await connection.rows(
                    "SELECT name, label_cn, label_en FROM customer_fields WHERE team_id = \(team) ORDER BY name COLLATE \"C\"", logger
                ).map { row in
                    let (name, cn, en) = try row.decode((String, String, String).self)
                    return CustomerFields.Field(name: name, cn: cn, en: en)
                })
        }
    }

    public func allowsAgentImports(team: Int64) async throws -> Bool {
        try await read("allowsAgentImports") { connection in
            try await connection.value(Bool.self, "SELECT allow_agent_import FROM import_team_settings WHERE team_id = \(team)", logger)
                ?? false
        }
    }

    public func setAllowsAgentImports(team: Int64, _ allowed: Bool) async throws {
        try await read("setAllowsAgentImports") { connection in
            try await connection.run(
                """
                INSERT INTO import_team_settings (team_id, allow_agent_import) VALUES (\(team), \(allowed))
                ON CONFLICT (team_id) DO UPDATE SET allow_agent_import = excluded.allow_agent_import
                """, logger)
        }
    }

    // MARK: reading

    static let customerColumns =
        "id, team_id, package_id, name, phone1, phone2, phone3, company, email, address, note, custom, status, agent"

    public func customers(package: Int64, limit: Int) async throws -> [Customer] {
        try await read("customers") { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.customerColumns) FROM customers WHERE package_id = \(package) ORDER BY id LIMIT \(limit)", logger
            ).map(Self.customer)
        }
    }

    public func customer(id: Int64) async throws -> Customer? {
        try await read("customer") { connection in
            try await connection.rows("SELECT \(unescaped: Self.customerColumns) FROM customers WHERE id = \(id)", logger).first.map(
                Self.customer)
        }
    }

    public func setCustomerStatus(id: Int64, _ status: CustomerStatus) async throws {
        try await read("setCustomerStatus") { connection in
            try await connection.run("UPDATE customers SET status = \(status.rawValue) WHERE id = \(id)", logger)
        }
    }

    static let predialColumns = "id, campaign_id, customer_id, phone, priority, dial_at, agent, status, attempts, last_result"

    public func predial(campaign: Int64, limit: Int) async throws -> [PredialEntry] {
        try await read("predial") { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.predialColumns) FROM predial WHERE campaign_id = \(campaign) ORDER BY id LIMIT \(limit)", logger
            ).map(Self.predialEntry)
        }
    }

    // MARK: rows

    static func package(_ row: PostgresRow) throws -> CustomerPackage {
        let (id, team, name, master) = try row.decode((Int64, Int64, String, Bool).self)
        return CustomerPackage(id: id, teamID: team, name: name, master: master)
    }

    static func campaign(_ row: PostgresRow) throws -> Campaign {
        let (id, team, name, group, package, mode, state) = try row.decode((Int64, Int64, String, Int64, Int64, String, String).self)
        return Campaign(
            id: id, teamID: team, name: name, groupID: group, packageID: package, mode: Campaign.Mode(rawValue: mode) ?? .progressive,
            state: Campaign.State(rawValue: state) ?? .stopped)
    }

    /// The row of ``customerColumns``: system fields by name, custom ones from the JSON.
    static func customer(_ row: PostgresRow) throws -> Customer {
        let (id, team, package, name, phone1, phone2, phone3, company, email, address, note, custom, status, agent) = try row.decode(
            (Int64, Int64, Int64?, String, String, String, String, String, String, String, String, String, String, String).self)
        var fields = [
            "name": name, "phone1": phone1, "phone2": phone2, "phone3": phone3, "company": company, "email": email, "address": address,
            "note": note,
        ]
        if let data = custom.data(using: .utf8), let extra = try? JSONSerialization.jsonObject(with: data) as? [String: String] {
            fields.merge(extra) { old, _ in old }
        }
        return Customer(id: id, teamID: team, packageID: package, fields: fields, status: status, agent: agent)
    }

    /// The row of ``predialColumns``.
    static func predialEntry(_ row: PostgresRow) throws -> PredialEntry {
        let (id, campaign, customer, phone, priority, dialAt, agent, status, attempts, lastResult) = try row.decode(
            (Int64, Int64, Int64, String, Int, Date, String, String, Int, String).self)
        return PredialEntry(
            id: id, campaignID: campaign, customerID: customer, phone: phone, priority: priority, dialAt: dialAt, agent: agent,
            status: status,
            attempts: attempts, lastResult: lastResult)
    }
}

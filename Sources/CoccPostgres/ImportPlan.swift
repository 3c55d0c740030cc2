import CoccStorage
import Foundation

/// One import batch worked out in memory before anything is written, row after row exactly as
/// SQLite's import does it one statement at a time: a later row sees what an earlier one of the
/// batch did (a customer it inserted is a duplicate, a number it listed is pending). The store
/// then writes the outcome with a few statements over arrays, not four per row.
///
/// ```swift
/// var plan = ImportPlan(package: package, options: options, now: now, existing: found, pending: pendingPhones)
/// let results = records.map { plan.add($0, teamID: campaign.teamID) }
/// // plan.customers (new and changed), plan.entries (the pre-dial list's new rows)
/// ```
struct ImportPlan {
    /// A customer of the batch: one already stored (its row as locked) or one to insert.
    struct CustomerState {
        enum Identity: Equatable {
            case stored(Int64)
            /// The n-th customer of the batch to insert.
            case new(Int)
        }
        var identity: Identity
        var packageID: Int64?
        var phone1: String
        /// The other system columns: name, phone2, phone3, company, email, address, note.
        var system: [String: String]
        var custom: String
        var status: String
        var agent: String
        /// Its `updated_at` becomes the batch's time (moved or updated, as SQLite's).
        var touched = false
        /// Moved into the batch's package (a master package's `changepackage`).
        var moved = false
        /// Changed by the batch: written back.
        var dirty = false
    }

    struct Entry {
        var customer: CustomerState.Identity
        var phone: String
        var priority: Int
        var dialAt: Date
        var agent: String
    }

    /// System columns other than phone1, in table order.
    static let otherSystemColumns = CustomerFields.system.map(\.name).filter { $0 != "phone1" }

    let package: CustomerPackage
    let options: ImportOptions
    let now: Date
    private(set) var customers: [CustomerState]
    private(set) var newCount = 0
    private(set) var entries: [Entry] = []
    private var byPhone: [String: Int]
    private var pending: Set<String>

    /// `existing`: the stored customer each phone1 finds (the lowest id, as SQLite's index
    /// lookup); `pending`: numbers pending or dialing in the campaign's list.
    init(package: CustomerPackage, options: ImportOptions, now: Date, existing: [CustomerState], pending: Set<String>) {
        self.package = package
        self.options = options
        self.now = now
        self.customers = existing
        self.pending = pending
        var byPhone: [String: Int] = [:]
        for (index, customer) in existing.enumerated() where byPhone[customer.phone1] == nil { byPhone[customer.phone1] = index }
        self.byPhone = byPhone
    }

    /// One valid record (`ImportRecord.checked(options:now:)`), applied to the plan.
    mutating func add(_ record: ImportRecord, phone1: String, priority: Int, dialAt: Date) -> RecordOutcome {
        var outcome = RecordOutcome()
        let status: String
        let agent: String
        let existed: Bool
        if let index = byPhone[phone1] {
            var customer = customers[index]
            existed = true
            outcome.duplicate = true
            if package.master && customer.packageID != package.id {
                switch options.changePackage {
                case .skip:
                    outcome.skipped = true
                    return outcome
                case .unassignToCurrent where customer.packageID != nil:
                    outcome.skipped = true
                    return outcome
                case .unassignToCurrent, .reassignToCurrent:
                    customer.packageID = package.id
                    customer.moved = true
                    customer.touched = true
                    customer.dirty = true
                }
            }
            if options.dupway == .update {
                // The record's fields replace the stored ones; fields it lacks are kept.
                for (name, value) in record.fields where CustomerFields.systemNames.contains(name) && name != "phone1" {
                    customer.system[name] = value
                }
                let custom = record.fields.filter { !CustomerFields.systemNames.contains($0.key) }
                if !custom.isEmpty {
                    var merged = (try? JSONSerialization.jsonObject(with: Data(customer.custom.utf8)) as? [String: String]) ?? [:]
                    merged.merge(custom) { _, new in new }
                    customer.custom = Self.customJSON(merged)
                }
                customer.touched = true
                customer.dirty = true
                outcome.updated = true
            }
            if options.emptyAgent {
                outcome.agentCleared = !customer.agent.isEmpty
                customer.agent = ""
                customer.dirty = true
            }
            if options.resetStatus {
                customer.status = CustomerStatus.new.rawValue
                customer.dirty = true
                outcome.statusReset = true
            }
            status = customer.status
            agent = customer.agent
            customers[index] = customer
        } else {
            var system: [String: String] = [:]
            for name in Self.otherSystemColumns { system[name] = record.fields[name] ?? "" }
            customers.append(
                CustomerState(
                    identity: .new(newCount), packageID: package.id, phone1: phone1, system: system, custom: Self.customJSON(record.fields),
                    status: CustomerStatus.new.rawValue, agent: "", touched: true, dirty: true))
            byPhone[phone1] = customers.count - 1
            newCount += 1
            existed = false
            status = CustomerStatus.new.rawValue
            agent = ""
            outcome.inserted = true
        }

        guard !options.phoneField.isEmpty else { return outcome }
        let wanted: Bool =
            switch options.dupDialList {
            case _ where !existed: true
            case .ignoreDuplicate: false
            case .all: true
            case .ignoreSuccess: status != CustomerStatus.success.rawValue
            }
        let phone = (record.fields[options.phoneField] ?? "").trimmedSpaces
        guard wanted, !phone.isEmpty else { return outcome }
        if pending.contains(phone) {
            outcome.duplicatePhone = true
            return outcome
        }
        let customer = customers[byPhone[phone1]!].identity
        entries.append(Entry(customer: customer, phone: phone, priority: priority, dialAt: dialAt, agent: options.emptyAgent ? "" : agent))
        pending.insert(phone)
        outcome.predialed = true
        return outcome
    }

    /// The custom fields as SQLite stores them: sorted-key JSON of the non-system fields.
    static func customJSON(_ fields: [String: String]) -> String {
        guard fields.keys.contains(where: { !CustomerFields.systemNames.contains($0) }) else { return "{}" }
        let custom = fields.filter { !CustomerFields.systemNames.contains($0.key) }
        guard !custom.isEmpty, let data = try? JSONSerialization.data(withJSONObject: custom, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

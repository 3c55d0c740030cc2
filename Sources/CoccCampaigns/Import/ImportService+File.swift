import CoccStorage
import Foundation
import Logging
import ServiceLifecycle

extension ImportService {
    /// Reads the CSV twice: first to check it whole (encoding, quoting, row caps, header, row
    /// count), so a broken file changes nothing; then to import it in batches, one transaction
    /// each, which also saves the task's progress. A task that saved progress before (a crash
    /// interrupted it) continues after its saved row, with its saved counts.
    func importFile(_ path: String, into campaign: Campaign, options: ImportOptions, task: inout ImportTask) async throws {
        let reader: CSVReader
        do { reader = try CSVReader(path: path, limits: settings.csvLimits) } catch let error as CSVError {
            throw ImportFailure(code: "86", reason: error.description)
        }
        let fields = try await campaigns.fields(team: campaign.teamID)
        var columns: [String?] = []
        var rows = 0
        do {
            try reader.forEachRow { number, values in
                if number == 1 { columns = try Self.mapHeader(values, fields: fields, options: options) }
                rows = number
                if rows > settings.maxRows { throw CSVError.tooManyRows(limit: settings.maxRows) }
            }
        } catch let error as CSVError {
            // BackMsg_86 (only CSV files): what is not a CSV file this server accepts, the
            // per-row caps included; the reason names the row.
            throw ImportFailure(code: "86", reason: error.description)
        }
        guard !columns.isEmpty else { throw ImportFailure(code: "74", reason: "the file is empty") }

        let skip = max(options.delrow, 1, task.progressRow)  // the header row is never data
        var batch: [ImportRecord] = []
        var lastRow = task.progressRow
        func flush() async throws {
            guard !batch.isEmpty else { return }
            do {
                task = try await campaigns.importBatch(
                    campaign: campaign, records: batch, options: options, now: clock(), task: task, through: lastRow)
            } catch {
                throw ImportFailure(code: "85", reason: "rows \(batch.first!.row)–\(batch.last!.row) not imported: \(error)")
            }
            batch.removeAll(keepingCapacity: true)
            if Task.isShuttingDownGracefully { throw ImportInterrupted() }
        }
        do {
            try await reader.forEachRow { number, values in
                guard number > skip else { return }
                lastRow = number
                task.rowsRead += 1
                guard values.count == columns.count else {
                    task.count(
                        .failure(RowProblem(row: number, code: "74", reason: "\(values.count) fields; the header has \(columns.count)")))
                    return
                }
                var record: [String: String] = [:]
                for (column, value) in zip(columns, values) where column != nil { record[column!] = value }
                batch.append(ImportRecord(row: number, fields: record))
                if batch.count >= settings.batchSize { try await flush() }
            }
        } catch let error as CSVError {
            throw ImportFailure(code: "86", reason: error.description)  // the file changed between the passes
        }
        try await flush()
    }

    /// Header labels → columns. Every label must be a field of the team (BackMsg_74), and the
    /// file must carry phone1 and the fields the request names (BackMsg_76).
    static func mapHeader(_ labels: [String], fields: CustomerFields, options: ImportOptions) throws -> [String?] {
        var columns: [String?] = []
        for label in labels {
            let trimmed = label.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                columns.append(nil)
                continue
            }
            guard let name = fields.resolve(trimmed) else { throw ImportFailure(code: "74", reason: "no field named \(trimmed)") }
            columns.append(name)
        }
        for required in ["phone1", options.phoneField, options.priorityField, options.dialtimeField] where !required.isEmpty {
            guard columns.contains(required) else {
                throw ImportFailure(code: "76", reason: "required field missing: \(fields.display(required))")
            }
        }
        return columns
    }
}

public import CoccStorage
public import Foundation
import Logging

extension ImportService {
    /// `source=data`: one record, `field=value||field=value`, imported at once. Field names may
    /// be column names or display names (cn or en). Answers the record's code (BackMsg_77–84).
    public func importRecord(context: String, into campaign: Campaign, options: ImportOptions) async -> Result<RecordOutcome, ImportFailure>
    {
        do {
            let fields = try await campaigns.fields(team: campaign.teamID)
            var record: [String: String] = [:]
            for pair in context.components(separatedBy: "||") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let eq = pair.firstIndex(of: "=") else { return .failure(ImportFailure(code: "75", reason: "\(pair) has no '='")) }
                let label = String(pair[..<eq])
                guard let name = fields.resolve(label) else {
                    return .failure(ImportFailure(code: "75", reason: "no field named \(label)"))
                }
                record[name] = String(pair[pair.index(after: eq)...])
            }
            guard !record.isEmpty else { return .failure(ImportFailure(code: "75", reason: "no field=value in context")) }
            let results = try await campaigns.importBatch(
                campaign: campaign, records: [ImportRecord(row: 0, fields: record)], options: options, now: clock())
            switch results[0] {
            case .success(let outcome): return .success(outcome)
            case .failure(let problem): return .failure(ImportFailure(code: problem.code, reason: problem.reason))
            }
        } catch {
            logger.error("import of a record failed", metadata: ["campaign": "\(campaign.id)", "error": "\(error)"])
            return .failure(ImportFailure(code: "85", reason: "\(error)"))
        }
    }

    /// dialerList (a vendor extra): one number into the campaign's pre-dial list, as the customer
    /// whose `phone1` it is, under importWS's duplicate rules (`options`; the pre-dial list is
    /// always asked for). Answers the record's code, as `source=data` does (80–84).
    public func addToDialList(phone: String, priority: Int, dialAt: Date?, into campaign: Campaign, options: ImportOptions) async -> Result<
        RecordOutcome, ImportFailure
    > {
        var options = options
        (options.phoneField, options.priorityField, options.dialtimeField) = ("phone1", "", "")
        let record = ImportRecord(row: 0, fields: ["phone1": phone], priority: priority, dialAt: dialAt)
        do {
            let results = try await campaigns.importBatch(campaign: campaign, records: [record], options: options, now: clock())
            switch results[0] {
            case .success(let outcome): return .success(outcome)
            case .failure(let problem): return .failure(ImportFailure(code: problem.code, reason: problem.reason))
            }
        } catch {
            logger.error("dial list entry failed", metadata: ["campaign": "\(campaign.id)", "error": "\(error)"])
            return .failure(ImportFailure(code: "85", reason: "\(error)"))
        }
    }

    /// `source=http|ftp`: checks what can be checked now (URL, CSV, allow-list) and creates the
    /// task; it is queued for the worker at `runAt` (now for an empty exetime). Answers the task id.
    public func submit(
        source: String, context: String, user: String, password: String, runAt: Date?, into campaign: Campaign,
        options: ImportOptions
    ) async -> Result<Int64, ImportFailure> {
        guard let url = URL(string: context.trimmingCharacters(in: .whitespaces)), let scheme = url.scheme?.lowercased(),
            source == "ftp" ? scheme == "ftp" : (scheme == "http" || scheme == "https"), let host = url.host, !host.isEmpty
        else {
            return .failure(ImportFailure(code: "89", reason: "context is not a \(source) URL"))
        }
        guard url.path.lowercased().hasSuffix(".csv") else {
            return .failure(ImportFailure(code: "86", reason: "only .csv files can be imported"))
        }
        guard settings.policy.allows(host: host) else {
            logger.warning("import refused: host not allowed", metadata: ["host": "\(host)", "url": "\(URLUserinfo.redacted(url))"])
            return .failure(ImportFailure(code: "89", reason: "host \(host) is not allowed"))
        }
        do {
            let id = try await campaigns.createTask(
                team: campaign.teamID, campaign: campaign.id, source: source, url: url, user: user, password: password,
                runAt: runAt ?? clock(), queued: runAt == nil, options: options, now: clock())
            logger.info(
                "import task created", metadata: ["task": "\(id)", "url": "\(URLUserinfo.redacted(url))", "run_at": "\(runAt ?? clock())"])
            // The one worker takes it (after the tasks before it); it is not started here.
            if settings.startAtOnce && runAt == nil { doorbell.ring() }
            return .success(id)
        } catch {
            logger.error("import task not created", metadata: ["error": "\(error)"])
            return .failure(ImportFailure(code: "87", reason: "\(error)"))
        }
    }
}

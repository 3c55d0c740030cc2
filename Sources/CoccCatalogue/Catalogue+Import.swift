import CoccCampaigns
import CoccEngine
import CoccOperations
import CoccStorage
import Foundation
import Logging

/// importWS / Import / importCJI (manual 3.23, 4.23, 5.23): customers into a campaign's package
/// and, with `phone_field`, its pre-dial list.
extension Catalogue {
    static let importParameters = [
        "orgidentity", "usertype", "user", "pwdtype", "password", "modeltype", "model_id", "source", "context",
        "source_user", "source_pwd", "exetime", "delrow", "phone_field", "priority_field", "dialtime_field",
        "emptyagent", "resetstatus", "dupway", "dupdiallist", "changepackage",
    ]

    static let importData = Operation(
        OperationDescriptor(
            name: "importWS", soapName: "importWS", httpEvents: ["Import"], cjiName: "importCJI",
            soapParameters: importParameters, httpParameters: importParameters, cjiParameters: importParameters + ["callbackFuc"],
            summary:
                "Import customers into a campaign's package (source=data: one record field=value||...; http/ftp: a CSV file, as a task whose id is answered)."
        )
    ) { request, context in
        switch await context.authorize(request.credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            guard let imports = context.imports else {
                auth.logger.error("importWS: campaigns are not available on this server")
                return .failure(BackMessage("87"))
            }
            // Agents import only where their team allows it. BackMsg_38 (当前坐席无匹配的帐号,
            // "the current agent has no matching account"): the manual's code for an agent
            // where an account is needed.
            if auth.agent != nil {
                do {
                    guard try await imports.campaigns.allowsAgentImports(team: auth.principal.teamID) else {
                        auth.logger.info("importWS refused: the team allows imports from accounts only")
                        return .failure(BackMessage("38"))
                    }
                } catch {
                    auth.logger.error("importWS: team import setting unreadable", metadata: ["error": "\(error)"])
                    return .failure(BackMessage("85"))
                }
            }
            guard request.trimmed("modeltype") == "Campaign", !request.trimmed("model_id").isEmpty else {
                return .failure(BackMessage("70"))
            }
            let campaign: Campaign
            do {
                let modelID = request.trimmed("model_id")
                guard let found = try await imports.campaigns.campaign(team: auth.principal.teamID, id: modelID) else {
                    // A number that names no campaign: "does not exist" (73); anything else is
                    // not a campaign id at all (67). Names are accepted too, for people.
                    return .failure(BackMessage(Int64(modelID) == nil ? "67" : "73"))
                }
                campaign = found
            } catch {
                auth.logger.error("importWS: campaign lookup failed", metadata: ["error": "\(error)"])
                return .failure(BackMessage("85"))
            }
            let source = request.trimmed("source").lowercased()
            guard ["data", "http", "ftp"].contains(source) else { return .failure(BackMessage("72")) }
            let text = request["context"]
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return .failure(BackMessage("71")) }
            let options: ImportOptions
            switch await importOptions(request, teamID: campaign.teamID, imports: imports) {
            case .failure(let failure): return .failure(BackMessage(failure.code))
            case .success(let parsed): options = parsed
            }
            if source == "data" {
                switch await imports.importRecord(context: text, into: campaign, options: options) {
                case .success(let outcome): return .success(BackMessage(outcome.code))
                case .failure(let failure):
                    auth.logger.info("importWS record refused", metadata: ["code": "\(failure.code)", "reason": "\(failure.reason)"])
                    return .failure(failure.code == "76" ? BackMessage("76").with("电话号码一(phone1)") : BackMessage(failure.code))
                }
            }
            // exetime: empty or 0000-00-00 00:00:00 is now; otherwise the task waits for it.
            let exetime = request.trimmed("exetime")
            var runAt: Date?
            if !exetime.isEmpty && !exetime.hasPrefix("0000-00-00") {
                guard let at = ImportTime.parse(exetime) else { return .failure(.parameterError) }
                runAt = at
            }
            switch await imports.submit(
                source: source, context: text, user: request["source_user"], password: request["source_pwd"], runAt: runAt,
                into: campaign, options: options)
            {
            case .success(let id): return .success(data: String(id))
            case .failure(let failure): return .failure(BackMessage(failure.code))
            }
        }
    }

    /// The duplicate and pre-dial parameters; empty values take the manual's defaults (no
    /// pre-dial, keep owner and status, skip duplicates, ignoreDuplicate, skip).
    static func importOptions(_ request: OperationRequest, teamID: Int64, imports: ImportService) async -> Result<
        ImportOptions, ImportFailure
    > {
        var options = ImportOptions()
        let delrow = request.trimmed("delrow")
        if !delrow.isEmpty {
            guard let n = Int(delrow), n >= 0 else { return .failure(ImportFailure(code: "28", reason: "delrow is not a number")) }
            options.delrow = n
        }
        guard let fields = try? await imports.campaigns.fields(team: teamID) else {
            return .failure(ImportFailure(code: "85", reason: "fields"))
        }
        for (parameter, keyPath) in [
            ("phone_field", \ImportOptions.phoneField), ("priority_field", \.priorityField), ("dialtime_field", \.dialtimeField),
        ] {
            let label = request.trimmed(parameter)
            guard !label.isEmpty else { continue }
            guard let name = fields.resolve(label) else { return .failure(ImportFailure(code: "75", reason: "no field named \(label)")) }
            options[keyPath: keyPath] = name
        }
        func yesNo(_ name: String) -> Bool? {
            switch request.trimmed(name).lowercased() {
            case "yes": return true
            case "no", "": return false
            default: return nil
            }
        }
        guard let emptyAgent = yesNo("emptyagent"), let resetStatus = yesNo("resetstatus") else {
            return .failure(ImportFailure(code: "28", reason: "yes or no"))
        }
        options.emptyAgent = emptyAgent
        options.resetStatus = resetStatus
        let dupway = request.trimmed("dupway")
        let dupdiallist = request.trimmed("dupdiallist")
        let changepackage = request.trimmed("changepackage")
        guard let d = dupway.isEmpty ? .skip : ImportOptions.DupWay(rawValue: dupway),
            let l = dupdiallist.isEmpty ? .ignoreDuplicate : ImportOptions.DupDialList(rawValue: dupdiallist),
            let c = changepackage.isEmpty ? .skip : ImportOptions.ChangePackage(rawValue: changepackage)
        else {
            return .failure(ImportFailure(code: "28", reason: "dupway, dupdiallist or changepackage"))
        }
        options.dupway = d
        options.dupDialList = l
        options.changePackage = c
        return .success(options)
    }
}

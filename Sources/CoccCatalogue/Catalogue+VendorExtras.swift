import CoccCampaigns
import CoccEngine
import CoccOperations
import CoccStorage
import Foundation
import Logging

/// Operations of the vendor's own astcc_CJI.js that the manual does not list (issue 10, item
/// 10), with the parameter names that plugin sends. monitorCtrl is with the recordings.
extension Catalogue {
    static let dialerListParameters = Params.credentials + ["campaignid", "phonenum", "priority", "dialtime"]
    /// importWS's duplicate parameters, taken by name too (the vendor's prototype has none of them).
    static let duplicateParameters = ["dupway", "dupdiallist", "changepackage", "emptyagent", "resetstatus"]

    /// One number into a campaign's pre-dial list, as the customer whose `phone1` it is, under
    /// importWS's duplicate rules. Code 1 when the number went into the list (BackMsg_83 new
    /// customer, 80 existing one); code 2 with the import code when it did not (81 duplicate
    /// customer, 82 number already pending, ...).
    static let dialerList = Operation(
        OperationDescriptor(
            name: "dialerList", soapName: "dialerList", httpEvents: ["DialerList"], cjiName: "dialerListCJI",
            soapParameters: dialerListParameters + duplicateParameters, httpParameters: dialerListParameters + duplicateParameters,
            cjiParameters: dialerListParameters + ["callbackFuc"],
            summary:
                "Vendor extra: one number into a campaign's pre-dial list (priority; dialtime YYYY-MM-DD hh:mm:ss), importWS's duplicate rules."
        )
    ) { request, context in
        switch await context.authorize(request.credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            guard let imports = context.imports else {
                auth.logger.error("dialerList: campaigns are not available on this server")
                return .failure(BackMessage("85"))
            }
            // As importWS: BackMsg_38 ("the current agent has no matching account") for an agent
            // whose team allows imports from accounts only.
            if auth.agent != nil {
                let allowed: Bool
                do { allowed = try await imports.campaigns.allowsAgentImports(team: auth.principal.teamID) } catch {
                    auth.logger.error("dialerList: team import setting unreadable", metadata: ["error": "\(error)"])
                    return .failure(BackMessage("85"))
                }
                guard allowed else {
                    auth.logger.info("dialerList refused: the team allows imports from accounts only")
                    return .failure(BackMessage("38"))
                }
            }
            let campaignID = request.trimmed("campaignid")
            let phone = request.trimmed("phonenum")
            guard !campaignID.isEmpty, !phone.isEmpty else { return .failure(.parameterEmpty) }
            // The number is dialled and goes into every event of the call: dial strings only (BackMsg_28).
            guard ParameterRules.isDialString(phone) else { return .failure(.parameterError) }
            let priorityText = request.trimmed("priority")
            let dialtime = request.trimmed("dialtime")
            guard let priority = priorityText.isEmpty ? 0 : Int(priorityText) else { return .failure(.parameterError) }
            // Empty or 0000-00-00 00:00:00 is now, as importWS's exetime.
            var dialAt: Date?
            if !dialtime.isEmpty && !dialtime.hasPrefix("0000-00-00") {
                guard let at = ImportTime.parse(dialtime) else { return .failure(.parameterError) }
                dialAt = at
            }
            let campaign: Campaign
            do {
                // Looked up in the caller's team only: another team's campaign id "does not exist".
                guard let found = try await imports.campaigns.campaign(team: auth.principal.teamID, id: campaignID) else {
                    // BackMsg_73 (the campaign does not exist) for a number, 67 (campaign ID wrong) otherwise, as importWS.
                    return .failure(BackMessage(Int64(campaignID) == nil ? "67" : "73"))
                }
                campaign = found
            } catch {
                auth.logger.error("dialerList: campaign lookup failed", metadata: ["error": "\(error)"])
                return .failure(BackMessage("85"))
            }
            let options: ImportOptions
            switch await importOptions(request, teamID: campaign.teamID, imports: imports) {
            case .failure(let failure): return .failure(BackMessage(failure.code))
            case .success(let parsed): options = parsed
            }
            switch await imports.addToDialList(phone: phone, priority: priority, dialAt: dialAt, into: campaign, options: options) {
            case .success(let outcome):
                auth.logger.info("dialerList", metadata: ["campaign": "\(campaign.id)", "code": "\(outcome.code)"])
                return outcome.predialed ? .success(BackMessage(outcome.code)) : .failure(BackMessage(outcome.code))
            case .failure(let failure): return .failure(BackMessage(failure.code))
            }
        }
    }
}

extension Catalogue {
    static let qbackCallParameters = [
        "orgidentity", "exten", "targetdn", "icallerid", "xcallerid", "user", "password", "pwdtype", "userdata",
    ]

    /// backCall with a caller ID for each leg: `icallerid` is what `exten` (rung first) sees,
    /// `xcallerid` what `targetdn` sees; `userdata` goes into the events as makeCall's does.
    /// `user` is the billed account, as for backCall.
    static let qbackCall = Operation(
        OperationDescriptor(
            name: "qbackCall", soapName: "qbackCall", httpEvents: ["QBackCall"], cjiName: "qbackcallCJI",
            soapParameters: qbackCallParameters, httpParameters: qbackCallParameters, cjiParameters: qbackCallParameters + ["callbackFuc"],
            summary:
                "Vendor extra: backCall with a caller ID per leg (icallerid: exten's, xcallerid: targetdn's) and userdata in the events."
        )
    ) { request, context in
        var credentials = request.credentials
        credentials.usertype = "account"
        switch await context.authorize(credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            let exten = request.trimmed("exten")
            let target = request.trimmed("targetdn")
            let inner = request.trimmed("icallerid")
            let outer = request.trimmed("xcallerid")
            guard !exten.isEmpty, !target.isEmpty else { return .failure(.parameterEmpty) }
            // As backCall: every number is a dial string (BackMsg_28), the caller IDs may be empty.
            guard ParameterRules.isDialString(exten), ParameterRules.isDialString(target),
                [inner, outer].allSatisfy({ $0.isEmpty || ParameterRules.isDialString($0) })
            else { return .failure(.parameterError) }
            return await auth.engine.backCall(
                exten: exten, target: target, callerID: outer, internalCallerID: inner,
                userdata: request["userdata"], directory: auth.directory, logger: auth.logger)
        }
    }
}

extension Catalogue {
    static let defaultGroupParameters = ["usertype", "user", "orgidentity", "pwdtype", "password", "agent_group_id"]

    /// The vendor plugin's setDefaultGroupCJI posts `EVENT=DefaultGroup`: the group the agent's
    /// makeCall dials out in when its `agentgroupid` is empty or 0.
    static let setDefaultGroup = Operation(
        OperationDescriptor(
            name: "setDefaultGroup", soapName: "setDefaultGroup", httpEvents: ["DefaultGroup"], cjiName: "setDefaultGroupCJI",
            soapParameters: defaultGroupParameters, httpParameters: defaultGroupParameters,
            cjiParameters: defaultGroupParameters + ["callbackFuc"],
            summary: "Vendor extra: the agent's default group (agent_group_id), which makeCall uses when agentgroupid is empty or 0."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            await auth.engine.setDefaultGroup(
                agent: agent, groupID: request["agent_group_id"], directory: auth.directory,
                logger: auth.logger)
        }
    }
}

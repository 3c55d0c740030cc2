import CoccEngine
import CoccOperations
import CoccStorage
import Logging

/// Call control: dial out, hang up, hold and resume.
extension Catalogue {
    static let makeCallParameters = [
        "targetdn", "targettype", "agentgroupid", "usertype", "user", "orgidentity", "pwdtype", "password",
        "modeltype", "model_id", "userdata", "agentexten", "callerid", "trunkidentity",
    ]
    /// The business types makeCall accepts; empty is allowed.
    static let modeltypes: Set<String> = ["", "BusinessApp", "Campaign", "Virtualcustomer", "Customerservice"]

    static let makeCall = Operation(
        OperationDescriptor(
            name: "makeCall", soapName: "makeCall", httpEvents: ["MAKECALL"], cjiName: "makeCallCJI",
            soapParameters: makeCallParameters, httpParameters: makeCallParameters,
            // The CJI puts callbackFuc before the three optional parameters (manual 5.8).
            cjiParameters: Array(makeCallParameters[0..<11]) + ["callbackFuc"] + Array(makeCallParameters[11...]),
            summary: "Call a number (targettype=exter) or an agent of the team (inner): the agent's phone rings first, then the target."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials, notAnAgent: BackMessage("24")) { agent, auth in
            let targetdn = request.trimmed("targetdn")
            guard !targetdn.isEmpty else { return .failure(.parameterEmpty) }
            // Numbers go into every event of the call (calleridnum, activenum): only dial
            // strings pass (BackMsg_28, the manual's "parameter error"). userdata is free text by
            // design (3.8) and the event writer encodes it.
            guard ParameterRules.isDialString(targetdn) else { return .failure(.parameterError) }
            let target: OutboundCallRequest.Target
            switch request.trimmed("targettype").lowercased() {
            case "exter": target = .external(targetdn)
            case "inner": target = .agent(targetdn)
            default: return .failure(.parameterError)
            }
            for name in ["agentexten", "callerid"]
            where !request.trimmed(name).isEmpty && !ParameterRules.isDialString(request.trimmed(name)) {
                return .failure(.parameterError)
            }
            let trunk = request.trimmed("trunkidentity")
            guard trunk.isEmpty || ParameterRules.isBusinessID(trunk) else { return .failure(.parameterError) }
            let modeltype = request.trimmed("modeltype")
            let modelID = request.trimmed("model_id")
            // BackMsg_70: "the modeltype or model_id parameter is wrongly defined".
            guard modeltypes.contains(modeltype), modelID.isEmpty || ParameterRules.isBusinessID(modelID) else {
                return .failure(BackMessage("70"))
            }
            return await auth.engine.makeCall(
                agent: agent,
                request: OutboundCallRequest(
                    target: target, groupID: request["agentgroupid"], modeltype: modeltype, modelID: modelID,
                    userdata: request["userdata"], agentExtension: request.trimmed("agentexten"), callerID: request.trimmed("callerid"),
                    trunk: trunk), directory: auth.directory, logger: auth.logger)
        }
    }

    static let hangupParameters = ["uniqueid", "targetagent", "target", "pwdtype", "password", "usertype", "user", "orgidentity"]

    static let hangup = Operation(
        OperationDescriptor(
            name: "hangup", soapName: "hangup", httpEvents: ["HANGUP"], cjiName: "hangupCJI",
            soapParameters: hangupParameters, httpParameters: hangupParameters, cjiParameters: hangupParameters + ["callbackFuc"],
            summary: "Hang up the listed legs (uniqueid) that fit target, or by target the call of targetagent (required without uniqueid)."
        )
    ) { request, context in
        switch await context.authorize(request.credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            guard let target = HangupTarget(rawValue: request.trimmed("target").lowercased()) else {
                return .failure(request.trimmed("target").isEmpty ? .parameterEmpty : .parameterError)
            }
            var uniqueids: [Int64] = []
            for part in request["uniqueid"].split(separator: ",") {
                let text = String(part).trimmingWhitespace()
                if text.isEmpty { continue }
                guard let id = Int64(text) else { return .failure(.parameterError) }
                uniqueids.append(id)
            }
            // The agent acted on: targetagent. The manual requires it when uniqueid is empty
            // (3.13); with uniqueids an account needs none, and an agent reaches only its own
            // calls' legs.
            let number = request.trimmed("targetagent")
            var targetAgent: Agent?
            if !number.isEmpty {
                guard let found = auth.directory.agent(team: auth.principal.teamID, number: number) else {
                    return .failure(BackMessage("55"))
                }
                guard auth.mayControl(found) else { return .failure(.notGroupLeader) }
                targetAgent = found
            }
            if !uniqueids.isEmpty {
                let scope = targetAgent?.id ?? auth.agent?.id
                return await auth.engine.hangupLegs(
                    uniqueids, target: target, onlyCallsOf: scope, actingAgent: auth.agent?.id, logger: auth.logger)
            }
            guard target != .channel else {
                auth.logger.notice("hangup refused: target=channel needs uniqueid")
                return .failure(.parameterEmpty)
            }
            guard let targetAgent else {
                // BackMsg_01, "parameter must not be empty": the one the manual's table has for
                // a missing required parameter.
                auth.logger.notice(
                    "hangup refused: targetagent is required when uniqueid is empty", metadata: ["target": "\(target.rawValue)"])
                return .failure(.parameterEmpty)
            }
            // Ending supervisors is a leader's or an account's act: the monitored agent gets the
            // same answer whether or not anyone listens (a silent monitor stays silent).
            if target == .groupadmin, auth.agent?.id == targetAgent.id { return .failure(.notGroupLeader) }
            return await auth.engine.hangup(target: target, targetAgent: targetAgent, logger: auth.logger)
        }
    }

    static let hold = Operation(
        OperationDescriptor(
            name: "hold", soapName: "hold", httpEvents: ["Hold"], cjiName: "holdCJI",
            soapParameters: ["silence"] + Params.credentials, httpParameters: ["silence"] + Params.credentials,
            cjiParameters: ["silence"] + Params.credentials + ["callbackFuc"],
            summary: "Put the customer of a two-party call on hold (silence=1: without music)."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            await auth.engine.hold(agent: agent, silence: request.trimmed("silence") == "1", logger: auth.logger)
        }
    }

    static let resume = Operation(
        OperationDescriptor(
            name: "resume", soapName: "resume", httpEvents: ["Resume"], cjiName: "resumeCJI",
            soapParameters: Params.credentials, httpParameters: Params.credentials, cjiParameters: Params.credentials + ["callbackFuc"],
            summary: "Take the customer off hold."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            await auth.engine.resume(agent: agent, logger: auth.logger)
        }
    }
}

extension Catalogue {
    /// No credentials, as the manual defines it. SOAP answers `1|total|ringing|waiting|talking`;
    /// HTTP and CJI put the same figures in the message.
    static let queueCustomerNum = Operation(
        OperationDescriptor(
            name: "queueCustomerNum", soapName: "queueCustomerNum", httpEvents: ["queueCustomerNum"], cjiName: "queueCustomerNumCJI",
            soapParameters: ["orgidentity", "queuenumber", "prio"], httpParameters: ["orgidentity", "queuenumber", "prio"],
            cjiParameters: ["orgidentity", "queuenumber", "prio", "callbackFuc"],
            summary: "Callers in a queue (queuenumber 0: all) with priority >= prio: total|ringing|waiting|talking."
        )
    ) { request, context in
        await context.teamQueue(request, format: .pipeOnSOAP) { _, queue, directory, engine, fail in
            let prioText = request.trimmed("prio")
            guard let prio = prioText.isEmpty ? 0 : Int(prioText) else { return fail(.parameterError) }
            return await engine.queueCounts(queueNumber: queue, minimumPriority: prio, directory: directory)
        }
    }
}

extension Catalogue {
    static let sendDtmf = Operation(
        OperationDescriptor(
            name: "sendDtmf", soapName: "sendDtmf", httpEvents: ["SendDtmf"], cjiName: "dtmfCJI",
            soapParameters: Params.credentials + ["dtmf"], httpParameters: Params.credentials + ["dtmf"],
            cjiParameters: Params.credentials + ["dtmf", "callbackFuc"],
            summary: "Send DTMF digits (0-9, *, #) to the other side of the agent's call."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            await auth.engine.sendDTMF(agent: agent, digits: request.trimmed("dtmf"), logger: auth.logger)
        }
    }

    static let setVar = Operation(
        OperationDescriptor(
            name: "setVar", soapName: "setVar", httpEvents: ["SetVar"], cjiName: "setvarCJI",
            soapParameters: Params.credentials + ["varname", "varvalue"], httpParameters: Params.credentials + ["varname", "varvalue"],
            cjiParameters: Params.credentials + ["varname", "varvalue", "callbackFuc"],
            summary: "Set call-associated data (varname: A-Z, 0-9, -, _) on the agent's call."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            await auth.engine.setVariable(agent: agent, name: request.trimmed("varname"), value: request["varvalue"], logger: auth.logger)
        }
    }
}

extension Catalogue {
    static let backCallParameters = ["orgidentity", "exten", "targetdn", "callerid", "user", "password", "pwdtype"]

    /// The manual prints this operation with an old and a new version merged (5.31): the SOAP name
    /// is the current `backCall`; HTTP takes the printed `DeviceCallBackCall` and the two halves.
    /// `user` is the account that is billed and authenticated.
    static let backCall = Operation(
        OperationDescriptor(
            name: "backCall", soapName: "backCall", httpEvents: ["DeviceCallBackCall", "BackCall", "DeviceCall"], cjiName: "backcallCJI",
            soapParameters: backCallParameters, httpParameters: backCallParameters, cjiParameters: backCallParameters + ["callbackFuc"],
            summary: "Two-leg callback: ring exten first, then targetdn (user: the billed account).",
            // The manual's 3.31 prints "deviceCall backCall": clients generated from the old name still call it.
            soapAliases: ["deviceCall"]
        )
    ) { request, context in
        var credentials = request.credentials
        credentials.usertype = "account"
        switch await context.authorize(credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            let exten = request.trimmed("exten")
            let target = request.trimmed("targetdn")
            let callerID = request.trimmed("callerid")
            guard !exten.isEmpty, !target.isEmpty else { return .failure(.parameterEmpty) }
            guard ParameterRules.isDialString(exten), ParameterRules.isDialString(target),
                callerID.isEmpty || ParameterRules.isDialString(callerID)
            else { return .failure(.parameterError) }
            return await auth.engine.backCall(
                exten: exten, target: target, callerID: callerID,
                directory: auth.directory, logger: auth.logger)
        }
    }
}

/// Consult, and what follows it: transfer, call return, conference.
extension Catalogue {
    /// These operations put the password before the user (manual 6.3).
    static let consultCredentials = ["pwdtype", "password", "usertype", "user", "orgidentity"]

    static let consult = Operation(
        OperationDescriptor(
            name: "consult", soapName: "consult", httpEvents: ["CONSULT"], cjiName: "consultCJI",
            soapParameters: ["targetdn", "agentgroupid", "consulttype"] + consultCredentials,
            httpParameters: ["targetdn", "agentgroupid", "consulttype"] + consultCredentials,
            cjiParameters: ["targetdn", "agentgroupid", "consulttype"] + consultCredentials + ["callbackFuc"],
            summary: "Hold the customer and call an agent of a group (consulttype=internal) or a number (external, agentgroupid 0)."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            let targetdn = request.trimmed("targetdn")
            guard !targetdn.isEmpty else { return .failure(.parameterEmpty) }
            guard ParameterRules.isDialString(targetdn) else { return .failure(.parameterError) }
            let target: ConsultTarget
            switch request.trimmed("consulttype").lowercased() {
            case "internal": target = .agent(number: targetdn, groupID: request.trimmed("agentgroupid"))
            case "external": target = .external(targetdn)
            default: return .failure(.parameterError)
            }
            return await auth.engine.consult(agent: agent, target: target, directory: auth.directory, logger: auth.logger)
        }
    }

    /// transfer, callReturn and conference take only the credentials and act on the agent's consult.
    static func afterConsult(
        _ name: String, http: String, summary: String, _ action: @escaping @Sendable (TeamEngine, Agent, Logger) async -> Reply
    ) -> Operation {
        Operation(
            OperationDescriptor(
                name: name, soapName: name, httpEvents: [http], cjiName: name + "CJI",
                soapParameters: consultCredentials, httpParameters: consultCredentials, cjiParameters: consultCredentials + ["callbackFuc"],
                summary: summary
            )
        ) { request, context in
            await context.authorizeAgent(request.credentials) { agent, auth in await action(auth.engine, agent, auth.logger) }
        }
    }

    static let transfer = afterConsult(
        "transfer", http: "TRANSFER", summary: "Hand the customer to the answered consulted party and leave the call."
    ) {
        await $0.transfer(agent: $1, logger: $2)
    }
    static let callReturn = afterConsult("callReturn", http: "CALLRETURN", summary: "End the consult and take the held customer back.") {
        await $0.callReturn(agent: $1, logger: $2)
    }
    static let conference = afterConsult(
        "conference", http: "CONFERENCE", summary: "Join agent, customer and the answered consulted party in a conference."
    ) {
        await $0.conference(agent: $1, logger: $2)
    }
}

extension Catalogue {
    static let agentToIvr = Operation(
        OperationDescriptor(
            name: "agentToIvr", soapName: "agentToIvr", httpEvents: ["AgentToIvr"], cjiName: "agenttoivrCJI",
            soapParameters: Params.credentials + ["ivrexten", "ivrflow", "transfer"],
            httpParameters: Params.credentials + ["ivrexten", "ivrflow", "transfer"],
            cjiParameters: Params.credentials + ["ivrexten", "ivrflow", "transfer", "callbackFuc"],
            summary: "Send the customer into an IVR (ivrflow like 1-2-5): transfer=0 releases the agent, 1 keeps it on hold."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            let mode = request.trimmed("transfer")
            guard mode == "0" || mode == "1" else { return .failure(.parameterError) }
            return await auth.engine.agentToIvr(
                agent: agent, ivrExten: request["ivrexten"], ivrFlow: request["ivrflow"],
                releaseAgent: mode == "0", logger: auth.logger)
        }
    }
}

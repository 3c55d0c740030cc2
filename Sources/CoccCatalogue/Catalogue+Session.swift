import CoccEngine
import CoccOperations
import CoccStorage

/// Login, check-in, pause, after-call work, work mode and extension: the agent-session operations.
extension Catalogue {
    static let login = Operation(
        OperationDescriptor(
            name: "login", soapName: "login", httpEvents: ["LOGIN"], cjiName: "loginCJI",
            soapParameters: Params.credentials, httpParameters: Params.credentials,
            cjiParameters: Params.credentials + ["callbackFuc"],
            summary: "Log in; the third field describes each of the agent's groups, each ending with |||."
        )
    ) { request, context in
        switch await context.authorize(request.credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            guard let agent = auth.agent else {
                // An account has no agent state: its login only proves the credentials.
                return .success(.loginSucceeded, extra: .init(cjiKey: "param", value: ""))
            }
            return await auth.engine.login(agent: agent, directory: auth.directory, logger: auth.logger)
        }
    }

    static let logout = Operation(
        OperationDescriptor(
            name: "logout", soapName: "logout", httpEvents: ["LOGOUT"], cjiName: "logoutCJI",
            soapParameters: Params.credentials, httpParameters: Params.credentials,
            cjiParameters: Params.credentials + ["callbackFuc"],
            summary: "Log out: leave every group, end pause and after-call work."
        )
    ) { request, context in
        switch await context.authorize(request.credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            guard let agent = auth.agent else { return .success(.logoutSucceeded) }
            return await auth.engine.logout(agent: agent, logger: auth.logger)
        }
    }

    static let queueAction = Operation(
        OperationDescriptor(
            name: "queueAction", soapName: "queueAction", httpEvents: ["QUEUE"], cjiName: "queueActionCJI",
            soapParameters: ["type", "usertype", "user", "orgidentity", "list", "pwdtype", "password", "deviceexten", "pushevent"],
            httpParameters: ["type", "usertype", "user", "orgidentity", "list", "pwdtype", "password", "deviceexten", "pushevent"],
            cjiParameters: [
                "type", "usertype", "user", "orgidentity", "list", "pwdtype", "password", "deviceexten", "pushevent", "callbackFuc",
            ],
            summary: "Check in (type=1) to or out of (type=2) the listed groups, or all of them; message: groupid:result,..."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            let type = request.trimmed("type")
            guard type == "1" || type == "2" else { return .failure(.typeInvalid) }
            let deviceExten = request.trimmed("deviceexten")
            guard deviceExten.isEmpty || ParameterRules.isDialString(deviceExten) else { return .failure(.parameterError) }
            return await auth.engine.queueAction(
                agent: agent, checkIn: type == "1", list: request["list"], deviceExten: deviceExten,
                pushEvent: request.pushEvent, directory: auth.directory, logger: auth.logger)
        }
    }

    static let queuePause = Operation(
        OperationDescriptor(
            name: "queuePause", soapName: "queuePause", httpEvents: ["QUEUEPAUSE"], cjiName: "queuePauseCJI",
            soapParameters: ["type", "usertype", "user", "orgidentity", "pwdtype", "password", "pause_reason", "dnd"],
            httpParameters: ["type", "usertype", "user", "orgidentity", "pause_reason", "pwdtype", "password", "dnd"],
            cjiParameters: [
                "type", "usertype", "user", "orgidentity", "pwdtype", "password", "pause_reason", "pushevent", "callbackFuc", "dnd",
            ],
            summary: "Pause (type=1, with pause_reason training|meeting|leave|lunch|rest|other) or unpause (type=2) every signed-in group."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            let type = request.trimmed("type")
            guard type == "1" || type == "2" else { return .failure(.typeInvalid) }
            return await auth.engine.queuePause(
                agent: agent, pause: type == "1", reason: request["pause_reason"], dnd: request["dnd"], pushEvent: request.pushEvent,
                logger: auth.logger)
        }
    }

    static let acwAction = Operation(
        OperationDescriptor(
            name: "acwAction", soapName: "acwAction", httpEvents: ["ACW"], cjiName: "acwActionCJI",
            soapParameters: ["type", "usertype", "user", "orgidentity", "pwdtype", "password", "agent_group_id"],
            httpParameters: ["type", "usertype", "user", "orgidentity", "agent_group_id", "pwdtype", "password"],
            cjiParameters: [
                "type", "usertype", "user", "orgidentity", "pwdtype", "password", "agent_group_id", "pushevent", "callbackFuc",
            ],
            summary: "Set the after-call-work mode (1 after ringing, 2 after answer, 3 off) of the listed or all signed-in groups."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            guard let mode = Int(request.trimmed("type")).flatMap(AfterCallWorkMode.init(rawValue:)) else { return .failure(.typeInvalid) }
            return await auth.engine.setAfterCallWorkMode(
                agent: agent, mode: mode, list: request["agent_group_id"], pushEvent: request.pushEvent, directory: auth.directory,
                logger: auth.logger)
        }
    }

    static let acwOff = Operation(
        OperationDescriptor(
            name: "acwOff", soapName: "acwOff", httpEvents: ["ACWOFF"], cjiName: "acwOffCJI",
            soapParameters: ["usertype", "user", "orgidentity", "pwdtype", "password"],
            httpParameters: ["usertype", "user", "orgidentity", "pwdtype", "password"],
            cjiParameters: ["usertype", "user", "orgidentity", "pwdtype", "password", "pushevent", "callbackFuc"],
            summary: "End the agent's after-call work."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            await auth.engine.endAfterCallWork(agent: agent, logger: auth.logger)
        }
    }

    static let workwayAction = Operation(
        OperationDescriptor(
            name: "workwayAction", soapName: "workwayAction", httpEvents: ["WORKWAY"], cjiName: "workwayActionCJI",
            soapParameters: ["status", "usertype", "user", "orgidentity", "pwdtype", "password", "agent_group_id"],
            httpParameters: ["status", "usertype", "user", "orgidentity", "pwdtype", "password", "agent_group_id"],
            cjiParameters: [
                "status", "usertype", "user", "orgidentity", "pwdtype", "password", "agent_group_id", "pushevent", "callbackFuc",
            ],
            summary: "Set the work mode (dialin, dialout, all) of the listed or all signed-in groups."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            guard let mode = WorkMode(rawValue: request.trimmed("status").lowercased()) else { return .failure(.parameterError) }
            return await auth.engine.setWorkMode(
                agent: agent, mode: mode, list: request["agent_group_id"], pushEvent: request.pushEvent, directory: auth.directory,
                logger: auth.logger)
        }
    }

    static let setdevice = Operation(
        OperationDescriptor(
            name: "setdevice", soapName: "setdevice", httpEvents: ["SetDevice"], cjiName: "setdeviceCJI",
            soapParameters: ["orgidentity", "exten", "user", "pwdtype", "password"],
            httpParameters: ["orgidentity", "exten", "user", "pwdtype", "password"],
            cjiParameters: ["orgidentity", "exten", "user", "pwdtype", "password", "callbackFuc"],
            summary: "Set the extension the agent works on (check out of dynamic groups first)."
        )
    ) { request, context in
        await context.authorizeAgent(request.agentCredentials) { agent, auth in
            let exten = request.trimmed("exten")
            guard exten.isEmpty || ParameterRules.isDialString(exten) else { return .failure(.parameterError) }
            return await auth.engine.setDevice(agent: agent, extensionNumber: exten, directory: auth.directory, logger: auth.logger)
        }
    }
}

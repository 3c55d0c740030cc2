import CoccEngine
import CoccOperations
import CoccStorage
import CoccSwitch

/// Supervisor operations: barge in, listen, whisper, tear down. Allowed to an account of the
/// team, or to an agent who leads a group the target agent belongs to.
extension Catalogue {
    /// HTTP, the CJI and the SOAP tables put the password first (manual 6.3).
    static let supervisorParameters = ["target", "phonenumber", "pwdtype", "password", "usertype", "user", "orgidentity"]
    /// The SOAP prototypes of whisper and forcedRelease put the user first; positional SOAP
    /// arguments follow the prototype.
    static let supervisorSOAPUserFirst = ["target", "phonenumber", "usertype", "user", "pwdtype", "password", "orgidentity"]

    static func supervising(
        _ request: OperationRequest, _ context: OperationContext,
        _ body: (Agent, Authorized) async -> Reply
    ) async -> Reply {
        switch await context.authorize(request.credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            let number = request.trimmed("target")
            guard !number.isEmpty else { return .failure(.parameterEmpty) }
            guard let target = auth.directory.agent(team: auth.principal.teamID, number: number) else { return .failure(BackMessage("55")) }
            guard auth.agent == nil || (auth.agent?.id != target.id && auth.isGroupAdmin(over: target)) else {
                return .failure(.notGroupLeader)
            }
            return await body(target, auth)
        }
    }

    static func spyOperation(_ name: String, http: String, mode: SpyMode, soapParameters: [String], summary: String) -> Operation {
        Operation(
            OperationDescriptor(
                name: name, soapName: name, httpEvents: [http], cjiName: name + "CJI",
                soapParameters: soapParameters, httpParameters: supervisorParameters, cjiParameters: supervisorParameters + ["callbackFuc"],
                summary: summary
            )
        ) { request, context in
            await supervising(request, context) { target, auth in
                // The phone to ring goes to the switch as a dial string: numbers only (BackMsg_28).
                let phone = request.trimmed("phonenumber")
                guard phone.isEmpty || ParameterRules.isDialString(phone) else { return .failure(.parameterError) }
                return await auth.engine.supervise(
                    mode, target: target, phoneNumber: phone, supervisor: auth.agent, directory: auth.directory,
                    logger: auth.logger)
            }
        }
    }

    static let intrude = spyOperation(
        "intrude", http: "INTRUDE", mode: .barge, soapParameters: supervisorParameters,
        summary: "Barge into the target agent's call from phonenumber.")
    static let silentMonitor = spyOperation(
        "silentMonitor", http: "SILENTMONITOR", mode: .listen, soapParameters: supervisorParameters,
        summary: "Listen to the target agent's call from phonenumber.")
    static let whisper = spyOperation(
        "whisper", http: "Whisper", mode: .whisper, soapParameters: supervisorSOAPUserFirst,
        summary: "Speak to the target agent only, from phonenumber.")

    static let forcedRelease = Operation(
        OperationDescriptor(
            name: "forcedRelease", soapName: "forcedRelease", httpEvents: ["ForcedRelease"], cjiName: "forcedReleaseCJI",
            soapParameters: supervisorSOAPUserFirst, httpParameters: supervisorParameters,
            cjiParameters: supervisorParameters + ["callbackFuc"],
            summary: "Tear down the target agent's call."
        )
    ) { request, context in
        await supervising(request, context) { target, auth in await auth.engine.forcedRelease(target: target, logger: auth.logger) }
    }
}

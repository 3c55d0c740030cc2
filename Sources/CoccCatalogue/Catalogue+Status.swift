import CoccEngine
import CoccOperations
import CoccStorage
import Logging

/// The status queries: one agent, a group, the team, counts per queue, today's real-time data.
extension Catalogue {
    static let agentStatus = Operation(
        OperationDescriptor(
            name: "agentStatus", soapName: "agentStatus", httpEvents: ["AGENTSTATUS"], cjiName: "agentStatusCJI",
            soapParameters: Params.credentials, httpParameters: Params.credentials,
            cjiParameters: Params.credentials + ["callbackFuc"],
            summary: "The agent's status in each of its groups: groupid-status, each ending with a comma."
        ),
        immediate: { request, context in
            context.authorizeAgentNow(request.credentials) { agent, auth in
                auth.engine.agentStatusFromBoard(agent: agent, directory: auth.directory)
            }
        },
        handler: { request, context in
            await context.authorizeAgent(request.credentials) { agent, auth in
                await auth.engine.agentStatus(agent: agent, directory: auth.directory)
            }
        }
    )

    static let agentgroupStatus = Operation(
        OperationDescriptor(
            name: "agentgroupStatus", soapName: "agentgroupStatus", httpEvents: ["AgentgroupStatus"], cjiName: "agentgroupStatusCJI",
            soapParameters: Params.credentials + ["agent_group_id", "status"],
            httpParameters: Params.credentials + ["agent_group_id", "status"],
            cjiParameters: Params.credentials + ["agent_group_id", "status", "callbackFuc"],
            summary:
                "For a group admin or an account: number:status of the group's agents in the listed statuses (all, idle, busy, ring, pause, acw, login, logout)."
        ),
        immediate: { request, context in
            context.authorizeNow(request.credentials) { auth in
                switch groupStatusRequest(request, auth) {
                case .failure(let error): return error.reply
                case .success(let (group, filter)):
                    return auth.engine.groupStatusFromBoard(group: group, filter: filter, directory: auth.directory)
                }
            }
        },
        handler: { request, context in
            switch await context.authorize(request.credentials) {
            case .failure(let error): return error.reply
            case .success(let auth):
                switch groupStatusRequest(request, auth) {
                case .failure(let error): return error.reply
                case .success(let (group, filter)):
                    return await auth.engine.groupStatus(group: group, filter: filter, directory: auth.directory)
                }
            }
        }
    )

    /// agentgroupStatus's checks of the group and the filter, shared by its two handlers.
    static func groupStatusRequest(_ request: OperationRequest, _ auth: Authorized) -> Result<(AgentGroup, StatusFilter), ReplyError> {
        let id = request.trimmed("agent_group_id")
        guard !id.isEmpty else { return .failure(ReplyError(.failure(.parameterEmpty))) }
        guard let group = auth.directory.group(team: auth.principal.teamID, id: id) else {
            return .failure(ReplyError(.failure(.noSuchGroupInTeam)))
        }
        if let agent = auth.agent {
            let admin = auth.directory.memberships(ofAgent: agent.id).contains { $0.groupID == group.id && $0.isGroupAdmin }
            guard admin else { return .failure(ReplyError(.failure(.notGroupLeader))) }
        }
        guard !request.trimmed("status").isEmpty else { return .failure(ReplyError(.failure(.parameterEmpty))) }
        guard let filter = StatusFilter(request["status"]) else { return .failure(ReplyError(.failure(.parameterError))) }
        return .success((group, filter))
    }

    /// No credentials, as the manual defines it; answers `1|...` or `0|BackMsg_NN`.
    static let groupStatusNum = Operation(
        OperationDescriptor(
            name: "groupStatusNum", soapName: "groupStatusNum", httpEvents: [], cjiName: nil,
            soapParameters: ["orgidentity", "queuenumber", "type"], httpParameters: [], cjiParameters: [],
            summary:
                "Agent counts of the queue's group: 1|n for one type (idle, ringing, pause, busy, acw), else 1|total|idle|ringing|pause|busy|acw."
        )
    ) { request, context in
        await context.teamQueue(request, format: .pipe) { team, queue, directory, engine, fail in
            guard let group = directory.group(team: team.id, queueNumber: queue) else { return fail(.groupNotFound) }
            return await engine.groupStatusCounts(group: group, type: request["type"], directory: directory)
        }
    }

    static let teamStatus = Operation(
        OperationDescriptor(
            name: "teamStatus", soapName: "teamStatus", httpEvents: ["TeamStatus"], cjiName: "teamStatusCJI",
            soapParameters: Params.credentials + ["status"], httpParameters: Params.credentials + ["status"],
            cjiParameters: Params.credentials + ["status", "callbackFuc"],
            summary: "number:status of the team's agents in the listed statuses."
        )
    ) { request, context in
        switch await context.authorize(request.credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            guard !request.trimmed("status").isEmpty else { return .failure(.parameterEmpty) }
            guard let filter = StatusFilter(request["status"]) else { return .failure(.parameterError) }
            return await auth.engine.teamStatus(filter: filter, directory: auth.directory)
        }
    }

    static let agentRealtime = Operation(
        OperationDescriptor(
            name: "agentRealtime", soapName: "agentRealtime", httpEvents: ["AgentRealtime"], cjiName: "agentRealtimeCJI",
            soapParameters: Params.credentials, httpParameters: Params.credentials,
            cjiParameters: Params.credentials + ["callbackFuc"],
            summary:
                "Today's 18 fields: name|number|status|seconds|pauses|rest|leave|meeting|training|lunch|other|pause seconds|... per reason."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            await auth.engine.agentRealtime(agent: agent, directory: auth.directory, logger: auth.logger)
        }
    }
}

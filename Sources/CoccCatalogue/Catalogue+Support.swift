import CoccEngine
import CoccOperations
import CoccStorage
import Logging

/// The shared first steps of every handler: credentials, team, principal, engine.
extension OperationRequest {
    var credentials: Credentials {
        Credentials(
            orgidentity: trimmed("orgidentity"), usertype: trimmed("usertype"), user: trimmed("user"),
            pwdtype: trimmed("pwdtype"), password: self["password"])
    }

    /// `pushevent=yes`: the operation also sends agent notification events (default `no`).
    var pushEvent: Bool { trimmed("pushevent").lowercased() == "yes" }

    /// Credentials of the operations that have no `usertype` (setdevice, backCall): an agent.
    var agentCredentials: Credentials {
        var c = credentials
        c.usertype = "agent"
        return c
    }
}

/// An authenticated request, ready to act on its team's engine.
struct Authorized {
    var principal: Principal
    var directory: Directory
    var engine: TeamEngine
    var logger: Logger

    /// The agent the request acts as; accounts have none, so agent operations refuse them.
    var agent: Agent? {
        if case .agent(let agent) = principal { return agent }
        return nil
    }

    /// Whether the requesting agent leads a group that `other` belongs to.
    func isGroupAdmin(over other: Agent) -> Bool {
        guard let me = agent else { return false }
        let theirs = Set(directory.memberships(ofAgent: other.id).map(\.groupID))
        return directory.memberships(ofAgent: me.id).contains { $0.isGroupAdmin && theirs.contains($0.groupID) }
    }

    /// An agent controls its own calls; a group admin those of its groups' agents; an account all.
    func mayControl(_ other: Agent) -> Bool {
        guard let me = agent else { return other.teamID == principal.teamID }
        return me.id == other.id || isGroupAdmin(over: other)
    }
}

extension OperationContext {
    /// Authenticates and finds the team's engine, or returns the reply that refuses the request.
    func authorize(_ credentials: Credentials) async -> Result<Authorized, ReplyError> {
        let directory = center.directory
        switch center.authenticator.authenticate(credentials, from: clientAddress, in: directory, logger: logger) {
        case .failure(.message(let message)):
            return .failure(ReplyError(.failure(message)))
        case .success(let principal):
            var logger = logger
            logger[metadataKey: "team"] = "\(credentials.orgidentity)"
            logger[metadataKey: "user"] = "\(credentials.user)"
            do {
                let engine = try await center.engine(team: principal.teamID)
                return .success(Authorized(principal: principal, directory: directory, engine: engine, logger: logger))
            } catch {
                logger.error("could not load team state", metadata: ["error": "\(error)"])
                return .failure(ReplyError(.failure(.queueSwitchFailed)))
            }
        }
    }

    /// For agent operations: authenticates and requires an agent (BackMsg_12, or the operation's
    /// own code, for an account).
    func authorizeAgent(_ credentials: Credentials, notAnAgent: BackMessage = .agentNotFound, _ body: (Agent, Authorized) async -> Reply)
        async -> Reply
    {
        switch await authorize(credentials) {
        case .failure(let error): return error.reply
        case .success(let auth):
            guard let agent = auth.agent else { return .failure(notAnAgent) }
            return await body(agent, auth)
        }
    }
}

extension OperationContext {
    /// ``authorize(_:)`` without suspending, for immediate handlers: the refusal of the
    /// credentials, `body`'s answer when the team's engine is loaded, or nil (not loaded, or
    /// `body` cannot answer now) when the request is to take the async way.
    func authorizeNow(_ credentials: Credentials, _ body: (Authorized) -> Reply?) -> Reply? {
        let directory = center.directory
        switch center.authenticator.authenticate(credentials, from: clientAddress, in: directory, logger: logger) {
        case .failure(.message(let message)):
            return .failure(message)
        case .success(let principal):
            guard let engine = center.loadedEngine(team: principal.teamID) else { return nil }
            var logger = logger
            logger[metadataKey: "team"] = "\(credentials.orgidentity)"
            logger[metadataKey: "user"] = "\(credentials.user)"
            return body(Authorized(principal: principal, directory: directory, engine: engine, logger: logger))
        }
    }

    /// ``authorizeAgent(_:notAnAgent:_:)`` without suspending; nil as ``authorizeNow(_:_:)``.
    func authorizeAgentNow(_ credentials: Credentials, notAnAgent: BackMessage = .agentNotFound, _ body: (Agent, Authorized) -> Reply?)
        -> Reply?
    {
        authorizeNow(credentials) { auth in
            guard let agent = auth.agent else { return .failure(notAnAgent) }
            return body(agent, auth)
        }
    }
}

extension OperationContext {
    /// For the operations the manual gives no credentials (groupStatusNum, queueCustomerNum):
    /// the team named by `orgidentity`, the non-empty `queuenumber`, and the team's engine.
    /// Failures are replies in `format`.
    func teamQueue(
        _ request: OperationRequest, format: Reply.Format,
        _ body: (Team, String, Directory, TeamEngine, (BackMessage) -> Reply) async -> Reply
    ) async -> Reply {
        let fail: (BackMessage) -> Reply = { Reply(code: 2, message: .back($0), format: format) }
        let directory = center.directory
        let team: Team
        switch center.authenticator.team(request["orgidentity"], in: directory) {
        case .failure(.message(let m)): return fail(m)
        case .success(let t): team = t
        }
        let queue = request.trimmed("queuenumber")
        guard !queue.isEmpty else { return fail(.parameterEmpty) }
        do {
            return await body(team, queue, directory, try center.engine(team: team.id), fail)
        } catch {
            logger.error("could not load team state", metadata: ["error": "\(error)"])
            return fail(.noMatchingData)
        }
    }
}

/// A reply that ends a request early.
struct ReplyError: Error {
    var reply: Reply
    init(_ reply: Reply) { self.reply = reply }
}

/// Parameter orders shared by many operations.
enum Params {
    static let credentials = ["orgidentity", "usertype", "user", "pwdtype", "password"]
}

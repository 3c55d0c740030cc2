import CoccCampaigns
import CoccEngine
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /coccinterface/importtask?orgidentity=..&usertype=..&user=..&pwdtype=..&password=..&taskid=N`:
/// an import task's state and counts as JSON (any account or agent of the task's team).
/// Without `taskid`, the team's last 50 tasks.
struct ImportTaskAdapter: Sendable {
    let dispatcher: OperationDispatcher

    func register(on router: Router<CoccRequestContext>) {
        router.get("/coccinterface/importtask") { request, context in
            let q = request.queryDictionary
            let center = dispatcher.center
            guard
                case .success(let principal) = center.authenticator.authenticate(
                    request.queryCredentials(), from: context.clientAddress, in: center.directory, logger: context.logger)
            else {
                return Self.json(.forbidden, "{\"error\":\"bad credentials\"}")
            }
            guard let imports = dispatcher.imports else { return Self.json(.notFound, "{\"error\":\"no campaign store\"}") }
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys]
            if let text = q["taskid"] {
                guard let id = Int64(text), let task = try await imports.campaigns.task(id: id), task.teamID == principal.teamID else {
                    return Self.json(.notFound, "{\"error\":\"no such task\"}")
                }
                return Self.json(.ok, String(decoding: try encoder.encode(task), as: UTF8.self))
            }
            return await Self.json(
                .ok, String(decoding: try encoder.encode(try imports.campaigns.tasks(team: principal.teamID)), as: UTF8.self))
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response { .jsonNoStore(status, body) }
}

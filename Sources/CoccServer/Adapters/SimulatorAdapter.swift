import CoccEngine
import CoccSimulator
import CoccStorage
import CoccSwitch
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The simulated switch's control surface, for demos and tests (only with `--demo` or
/// `--simulate`): place inbound calls, answer or hang up legs, press digits, list live legs.
///
/// ```sh
/// curl -X POST 'http://127.0.0.1:4580/simulator/inbound?orgidentity=demo&user=admin&password=admin123&to=6001&from=0138888888888'
/// curl -X POST 'http://127.0.0.1:4580/simulator/legs/1555/hangup?orgidentity=demo&user=admin&password=admin123'
/// ```
/// Several teams share one switch, so every request carries a team account's credentials
/// (`orgidentity`, `user`, `password`, optional `pwdtype`, or an account's `token`; in the query,
/// and for `inbound` also the form), and sees and moves only that team's legs: another team's leg is "no such live leg", as a leg that never was.
struct SimulatorAdapter: Sendable {
    let simulator: SimulatedSwitch
    let center: CallCenter

    func register(on router: Router<CoccRequestContext>) {
        router.post("/simulator/inbound") { request, context in try await self.inbound(request, context) }
        router.get("/simulator/legs") { request, context in
            guard let team = self.team(request, context) else { return Self.forbidden }
            var legs: [String] = []
            for leg in await self.simulator.liveLegs() where self.center.team(owningLeg: leg.uniqueid) == team.id {
                // callerid: the number the leg's called party sees (qbackCall sets one per leg).
                let callerID = await self.simulator.callerID(uniqueid: leg.uniqueid) ?? ""
                legs.append(
                    "{\"uniqueid\":\(leg.uniqueid),\"number\":\(Self.quote(leg.number)),\"channel\":\(Self.quote(leg.channel)),"
                        + "\"callerid\":\(Self.quote(callerID))}")
            }
            return Self.json(.ok, "[\(legs.joined(separator: ","))]")
        }
        router.post("/simulator/legs/:uniqueid/:action") { request, context in
            guard let team = self.team(request, context) else { return Self.forbidden }
            guard let id = context.parameters.get("uniqueid").flatMap(Int64.init) else {
                return Self.json(.badRequest, "{\"error\":\"bad uniqueid\"}")
            }
            guard self.center.team(owningLeg: id) == team.id else { return Self.json(.notFound, "{\"error\":\"no such live leg\"}") }
            do {
                switch context.parameters.get("action") {
                case "answer": try await self.simulator.answer(uniqueid: id)
                case "hangup": try await self.simulator.farEndHangup(uniqueid: id)
                case "dtmf":
                    // The far end presses keys: 0-9, *, #.
                    let digits = request.uri.queryParameters["digits"].map(String.init) ?? ""
                    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") }) else {
                        return Self.json(.badRequest, "{\"error\":\"digits are 0-9, * and #\"}")
                    }
                    try await self.simulator.sendDTMF(uniqueid: id, digits: digits)
                default: return Self.json(.notFound, "{\"error\":\"actions are answer, hangup and dtmf\"}")
                }
            } catch {
                return Self.json(.notFound, "{\"error\":\"no such live leg\"}")
            }
            return Self.json(.ok, "{\"ok\":true}")
        }
    }

    func inbound(_ request: Request, _ context: CoccRequestContext) async throws -> Response {
        var parameters = request.queryDictionary
        let body = try await request.body.collect(upTo: 16 * 1024)
        parameters.merge(FormDecoding.decode(body.readableBytesView)) { _, form in form }
        guard let team = self.team(parameters, context) else { return Self.forbidden }
        guard let to = parameters["to"], !to.isEmpty, let from = parameters["from"], !from.isEmpty else {
            return Self.json(.badRequest, "{\"error\":\"to and from are required\"}")
        }
        let leg = await simulator.placeInbound(from: from, to: to, tenant: team.identity, priority: Int(parameters["priority"] ?? "") ?? 0)
        return Self.json(.ok, "{\"uniqueid\":\(leg.uniqueid),\"channel\":\(Self.quote(leg.channel))}")
    }

    /// The team whose account the request's credentials name, or nil.
    func team(_ request: Request, _ context: CoccRequestContext) -> Team? {
        team(request.queryDictionary, context)
    }

    func team(_ parameters: [String: String], _ context: CoccRequestContext) -> Team? {
        // An account's token (POST /coccinterface/pushtoken) instead of the password: the panel's way.
        if let token = parameters["token"] {
            guard case .account(let account) = center.authenticator.principal(forToken: token, in: center.directory) else { return nil }
            return center.directory.teams[account.teamID]
        }
        let credentials = Credentials(
            orgidentity: parameters["orgidentity"] ?? parameters["team"] ?? "", usertype: "account",
            user: parameters["user"] ?? "", pwdtype: parameters["pwdtype"] ?? "plaintext", password: parameters["password"] ?? "")
        guard
            case .success(let principal) = center.authenticator.authenticate(
                credentials, from: context.clientAddress, in: center.directory, logger: context.logger)
        else { return nil }
        return center.directory.teams[principal.teamID]
    }

    static let forbidden = json(.forbidden, "{\"error\":\"a team account's orgidentity, user and password are required\"}")

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
